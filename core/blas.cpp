#include <tapegrad/core/detail/blas.hpp>

#include <cblas.h>
#include <omp.h>

namespace tg {

void set_num_threads(int threads) {
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
}

namespace blas {

static CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }
static blasint i(std::size_t v) { return static_cast<blasint>(v); }

void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, flag(ta), flag(tb), i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb),
              beta, c, i(ldc));
}
void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, flag(ta), flag(tb), i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb),
              beta, c, i(ldc));
}

}  // namespace blas
}  // namespace tg
