// Framework overhead per op on 4x4 float32 tensors, where the arithmetic costs ~0.1 µs and the
// rest is tape bookkeeping. Each row times `y = op(x[, w]); sum(y).backward()` on leaves that
// require grad (gradients set to none between calls, as zero_grad(set_to_none) does), and the
// forward alone (graph recorded, then dropped). Target: tapegrad/libtorch <= 0.5.
#include <tapegrad/tapegrad.hpp>

#include "bench.hpp"

#ifdef TAPEGRAD_BENCH_TORCH
#include <torch/torch.h>
#endif

#include <cstdio>
#include <cstdlib>

namespace {

struct Op {
  const char* name;
  std::function<tg::Tensor(const tg::Tensor&, const tg::Tensor&)> tg_fn;
#ifdef TAPEGRAD_BENCH_TORCH
  std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> torch_fn;
#endif
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 21;
  tg::set_num_threads(1);
  tg::manual_seed(0);
  tg::Tensor x = tg::rand({4, 4}).set_requires_grad(), w = tg::rand({4, 4}).set_requires_grad();
#ifdef TAPEGRAD_BENCH_TORCH
  torch::set_num_threads(1);
  at::set_num_interop_threads(1);
  torch::manual_seed(0);
  torch::Tensor tx = torch::rand({4, 4}).requires_grad_(), tw = torch::rand({4, 4}).requires_grad_();
#define TORCH_OP(expr) , [](const torch::Tensor& a, const torch::Tensor& b) { (void)b; return expr; }
#else
#define TORCH_OP(expr)
  std::printf("op_overhead: built without libtorch (install libtorch-dev); libtorch columns "
              "skipped\n");
#endif
  using T = const tg::Tensor&;
  std::vector<Op> ops = {
      {"add", [](T a, T b) { return a + b; } TORCH_OP(a + b)},
      {"mul", [](T a, T b) { return a * b; } TORCH_OP(a * b)},
      {"tanh", [](T a, T) { return tg::tanh(a); } TORCH_OP(torch::tanh(a))},
      {"sum", [](T a, T) { return a; } TORCH_OP(a)},  // the row's own sum is the op
      {"matmul", [](T a, T b) { return tg::matmul(a, b); } TORCH_OP(torch::matmul(a, b))},
  };
#undef TORCH_OP

  std::printf("\nOp overhead, 4x4 float32, 1 thread: µs per call (median of %d rounds)\n", rounds);
  std::printf("  row = y = op(x, w); s = sum(y)  [forward]  then  s.backward()  [fwd+bwd]\n");
  std::printf("%-8s %10s %10s %8s | %10s %10s %8s\n", "op", "tg fwd", "torch fwd", "ratio",
              "tg f+b", "torch f+b", "ratio");
  for (const Op& op : ops) {
    std::vector<bench::Candidate> cands = {
        {"tg fwd", [&] { tg::Tensor s = tg::sum(op.tg_fn(x, w)); }},
        {"tg f+b", [&] {
           tg::sum(op.tg_fn(x, w)).backward();
           x.zero_grad();
           w.zero_grad();
         }},
    };
#ifdef TAPEGRAD_BENCH_TORCH
    cands.push_back({"torch fwd", [&] { torch::Tensor s = op.torch_fn(tx, tw).sum(); }});
    cands.push_back({"torch f+b", [&] {
                       op.torch_fn(tx, tw).sum().backward();
                       tx.mutable_grad().reset();
                       tw.mutable_grad().reset();
                     }});
#endif
    std::vector<double> us = bench::median_us(cands, rounds);
    double tf = us[0], tb = us[1], pf = bench::missing, pb = bench::missing;
    if (us.size() > 2) pf = us[2], pb = us[3];
    std::printf("%-8s %10s %10s %8s | %10s %10s %8s\n", op.name, bench::fmt(tf).c_str(),
                bench::fmt(pf).c_str(), bench::fmt(tf / pf).c_str(), bench::fmt(tb).c_str(),
                bench::fmt(pb).c_str(), bench::fmt(tb / pb).c_str());
  }
  std::printf("target: tapegrad/libtorch <= 0.5 (fwd+bwd)\n");
}
