#pragma once
// Internal: what an optimizer's .cpp needs to write its update as one loop over raw arrays.
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

#include <type_traits>

#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {
namespace detail {

using tg::detail::str;

// One parameter during an update: its contiguous value, its gradient (same dtype), its step
// count (already incremented for this update) and its state buffers.
template <class T> struct Slice {
  T* value;
  const T* grad;
  std::size_t n;
  double step;
  std::vector<Tensor>& buffers;
  const Tensor& param;

  bool has(std::size_t slot) const { return buffers[slot].defined(); }
  // The buffer in `slot`, created filled with `fill` (parameter's shape and dtype) on first use.
  T* buffer(std::size_t slot, double fill = 0) {
    if (!has(slot)) buffers[slot] = full_like(param, fill);
    return buffers[slot].mutable_value<T>().data();
  }
};

// Runs f(i, V()) over [0, n): with V = xsimd::batch<T> for whole batches from i, then with V = T
// for the tail. An update written once with read<V>, write and + - * / sqrt max thus runs
// vectorised (GCC does not vectorise std::sqrt loops under the default -fmath-errno).
template <class T, class F> void simd_for(std::size_t n, F&& f) {
  using Batch = xsimd::batch<T>;
  std::size_t i = 0;
  for (; i + Batch::size <= n; i += Batch::size) f(i, Batch());
  for (; i < n; ++i) f(i, T());
}
template <class V, class T> V read(const T* p) {
  if constexpr (std::is_same_v<V, T>) return *p;
  else return V::load_unaligned(p);
}
template <class T> void write(T* p, T v) { *p = v; }
template <class T, class A> void write(T* p, const xsimd::batch<T, A>& v) { v.store_unaligned(p); }

// Throws "<optimizer>: invalid <option> <value> (<rule>)" unless ok.
inline void require(bool ok, const char* optimizer, const char* option, double value,
                    const char* rule) {
  if (!ok) throw ValueError(str(optimizer, ": invalid ", option, " ", value, " (", rule, ")"));
}

}  // namespace detail

template <class Options, class F> void Optimizer::for_each_param(F&& f) {
  for (ParamGroup& group : groups_) {
    const auto& options = static_cast<const Options&>(group.options());
    for (const Tensor& param : group.params()) {
      Tensor grad = param.grad();
      if (!grad.defined()) continue;
      if (grad.dtype() != param.dtype()) grad = grad.to(param.dtype());
      ParamState& s = state_[param.impl()];
      s.buffers.resize(buffer_names_.size());
      s.step += 1;
      tg::detail::visit_mutable(param, "optimizer step", [&](auto& value) {
        using T = typename std::decay_t<decltype(value)>::value_type;
        detail::Slice<T> slice{value.data(), grad.data<T>(), value.size(), s.step, s.buffers,
                               param};
        f(options, slice);
      });
    }
  }
}

}  // namespace tg::optim
