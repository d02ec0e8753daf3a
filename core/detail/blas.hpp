#pragma once
// Internal: the one place that calls CBLAS (kept apart from xtensor-blas, whose own CBLAS
// prototypes conflict with OpenBLAS's cblas.h). Row-major C = alpha·op(A)·op(B) + beta·C.
#include <cstddef>

namespace tg::blas {

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc);
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc);

}  // namespace tg::blas
