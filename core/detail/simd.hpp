#pragma once
// Internal: loops over raw arrays written once for a scalar and for an xsimd batch, so that the
// math xsimd vectorises (sqrt, max, exp, tanh) runs vectorised where GCC would call libm per
// element (it does not vectorise std::sqrt or std::tanh loops under the default flags).
// GCC 12 says the AVX-512 intrinsics' deliberately undefined pass-through operands
// (_mm512_undefined_ps) "may be used uninitialized" wherever xsimd's sqrt and max inline
// (GCC bug 105593, fixed in GCC 13); the diagnostic is placed in the intrinsic headers that
// xsimd includes here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
#else
#include <xsimd/xsimd.hpp>
#endif

#include <algorithm>
#include <type_traits>

#include <tapegrad/core/detail/impl.hpp>

namespace tg::detail {

// Runs f(i, V()) over [0, n): with V = xsimd::batch<T> for whole batches from i, then with V = T
// for the tail. A loop body written with read<V>, write and math found by ADL (xsimd's for
// batches, std's for scalars after `using std::tanh;` and the like) runs vectorised. Large loops
// are split among the threads in blocks of parallel_grain elements (f must be safe for that).
template <class T, class F> void simd_for(std::size_t n, F&& f) {
  using Batch = xsimd::batch<T>;
  parallel_for((n + parallel_grain - 1) / parallel_grain, [&](std::size_t block) {
    std::size_t i = block * parallel_grain;
    const std::size_t end = std::min(n, i + parallel_grain);
    for (; i + Batch::size <= end; i += Batch::size) f(i, Batch());
    for (; i < end; ++i) f(i, T());
  }, 2);
}
template <class V, class T> V read(const T* p) {
  if constexpr (std::is_same_v<V, T>) return *p;
  else return V::load_unaligned(p);
}
template <class T> void write(T* p, T v) { *p = v; }
template <class T, class A> void write(T* p, const xsimd::batch<T, A>& v) { v.store_unaligned(p); }

// c ? a : b, for a scalar or a batch.
template <class V> V select_of(decltype(V() < V()) c, V a, V b) {
  if constexpr (std::is_arithmetic_v<V>) return c ? a : b;
  else return xsimd::select(c, a, b);
}

// 1 / (1 + e^-v), for a scalar or a batch.
template <class V> V sigmoid_of(V v) {
  using std::exp;
  return V(1) / (V(1) + exp(-v));
}

// A new tensor f(x) elementwise, where f takes and returns a scalar or a batch.
template <class F> Tensor map_simd(const Tensor& t, F&& f) {
  return visit(t, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    auto y = empty_array<T>(to_shape(a.shape()));
    const T* in = a.data();
    T* out = y.data();
    simd_for<T>(y.size(), [&](std::size_t i, auto v) {
      write(out + i, f(read<decltype(v)>(in + i)));
    });
    return make(std::move(y));
  });
}

}  // namespace tg::detail
