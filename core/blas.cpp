#include <tapegrad/core/detail/blas.hpp>

#include <cblas.h>
#include <omp.h>

#include <cstdlib>
#include <initializer_list>

namespace tg {

static bool threads_chosen = false;

void set_num_threads(int threads) {
  threads_chosen = true;
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
}

// One thread by default, not one per core. OpenMP threads that wait for work spin first
// (libgomp: 300,000 rounds, milliseconds, after every parallel region), so beside another busy
// program they take the cores it needs: two tapegrad trainings started together on two cores
// each ran 4-7x slower than alone. libgomp reads its wait policy once, when it is loaded, before
// any code of a library can set it; a single thread never waits. More threads: set_num_threads,
// or OMP_NUM_THREADS / OPENBLAS_NUM_THREADS in the environment (then this default stays out).
static const bool default_threads = [] {
  for (const char* v : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS"})
    if (std::getenv(v)) return false;
  if (!threads_chosen) set_num_threads(1);
  return true;
}();

namespace blas {

static CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }
static blasint i(std::size_t v) { return static_cast<blasint>(v); }

#define TG_GEMM(T, cblas_gemm)                                                                 \
  void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a, \
            std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {      \
    if (m == 0 || n == 0) return;                                                              \
    cblas_gemm(CblasRowMajor, flag(ta), flag(tb), i(m), i(n), i(k), alpha, a, i(lda), b,        \
               i(ldb), beta, c, i(ldc));                                                       \
  }
TG_GEMM(float, cblas_sgemm)
TG_GEMM(double, cblas_dgemm)
#undef TG_GEMM

}  // namespace blas
}  // namespace tg
