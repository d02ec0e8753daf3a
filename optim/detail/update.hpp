#pragma once
// Internal: what an optimizer's .cpp needs to write its update as one loop over raw arrays.
#include <tapegrad/core/detail/simd.hpp>
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

using tg::detail::read;
using tg::detail::simd_for;
using tg::detail::write;

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
