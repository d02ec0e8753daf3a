// Square float32 matmul forward + backward: C = A·B, then with dC = ones, dA = dC·Bᵀ and
// dB = Aᵀ·dC. The floor is the same three cblas_sgemm calls with transpose flags into
// preallocated buffers; tapegrad should stay within 1.15x of it.
#include <tapegrad/tapegrad.hpp>

#include "bench.hpp"

#include <cblas.h>  // OpenBLAS; this file must not include xtensor-blas

#ifdef TAPEGRAD_BENCH_TORCH
#include <torch/torch.h>
#endif

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 11;
#ifdef TAPEGRAD_BENCH_TORCH
  at::set_num_interop_threads(1);
#else
  std::printf("matmul: built without libtorch (install libtorch-dev); libtorch columns skipped\n");
#endif
  std::printf("\nMatmul forward+backward, float32: ms per C = A·B; C.backward(ones) "
              "(median of %d rounds)\n", rounds);
  std::printf("%-5s %3s %9s %9s %9s %8s | %9s %9s\n", "n", "thr", "floor", "tapegrad", "libtorch",
              "GFLOP/s", "tg/floor", "tg/torch");
  for (int threads : {1, 2})
    for (int n : {256, 512, 1024}) {
#ifdef TAPEGRAD_BENCH_TORCH
      torch::set_num_threads(threads);  // intra-op (OpenMP); libtorch's GEMM is this OpenBLAS
#endif
      tg::set_num_threads(threads);     // OpenBLAS, shared by all three sides
      tg::manual_seed(0);
      std::size_t nn = std::size_t(n) * n;
      tg::Tensor a = tg::rand({std::size_t(n), std::size_t(n)}).set_requires_grad();
      tg::Tensor b = tg::rand({std::size_t(n), std::size_t(n)}).set_requires_grad();
      tg::Tensor dc = tg::ones({std::size_t(n), std::size_t(n)});
      std::vector<float> fa(nn, 0.5f), fb(nn, 0.25f), fc(nn), fda(nn), fdb(nn), fdc(nn, 1.0f);
      std::vector<bench::Candidate> cands = {
          {"floor", [&] {
             cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, fa.data(), n,
                         fb.data(), n, 0, fc.data(), n);
             cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, fdc.data(), n,
                         fb.data(), n, 0, fda.data(), n);
             cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1, fa.data(), n,
                         fdc.data(), n, 0, fdb.data(), n);
           }},
          {"tapegrad", [&] {
             tg::matmul(a, b).backward(dc);
             a.zero_grad();
             b.zero_grad();
           }},
      };
#ifdef TAPEGRAD_BENCH_TORCH
      torch::manual_seed(0);
      torch::Tensor ta = torch::rand({n, n}).requires_grad_(), tb = torch::rand({n, n}).requires_grad_();
      torch::Tensor tdc = torch::ones({n, n});
      cands.push_back({"libtorch", [&] {
                         torch::matmul(ta, tb).backward(tdc);
                         ta.mutable_grad().reset();
                         tb.mutable_grad().reset();
                       }});
#endif
      std::vector<double> us = bench::median_us(cands, rounds, 50);
      double floor = us[0] / 1000, tgm = us[1] / 1000;
      double torch_ms = us.size() > 2 ? us[2] / 1000 : bench::missing;
      double gflops = 3 * 2.0 * double(n) * n * n / (floor * 1e6);
      std::printf("%-5d %3d %9s %9s %9s %8s | %9s %9s\n", n, threads, bench::fmt(floor, 3).c_str(),
                  bench::fmt(tgm, 3).c_str(), bench::fmt(torch_ms, 3).c_str(),
                  bench::fmt(gflops, 0).c_str(), bench::fmt(tgm / floor).c_str(),
                  bench::fmt(tgm / torch_ms).c_str());
    }
  std::printf("GFLOP/s is the floor's; target: tapegrad/floor <= 1.15\n");
}
