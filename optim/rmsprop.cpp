#include <tapegrad/optim/rmsprop.hpp>

#include <cmath>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer("RMSprop", defaults, {"square_avg", "momentum_buffer", "grad_avg"}) {
  init(std::move(groups));
}

void RMSprop::check(const OptimizerOptions& options) const {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  detail::require(o.lr() >= 0, name_, "learning rate", o.lr(), "must be >= 0");
  detail::require(o.eps() >= 0, name_, "epsilon", o.eps(), "must be >= 0");
  detail::require(o.momentum() >= 0, name_, "momentum", o.momentum(), "must be >= 0");
  detail::require(o.weight_decay() >= 0, name_, "weight_decay", o.weight_decay(), "must be >= 0");
  detail::require(o.alpha() >= 0, name_, "alpha", o.alpha(), "must be >= 0");
}

void RMSprop::update() {
  for_each_param<RMSpropOptions>([](const RMSpropOptions& o, auto& x) {
    using T = std::remove_pointer_t<decltype(x.value)>;
    const T lr = T(o.lr()), alpha = T(o.alpha()), eps = T(o.eps()), mu = T(o.momentum());
    const T decay = T(o.weight_decay()), sign = o.maximize() ? T(-1) : T(1);
    T* p = x.value;
    const T* g = x.grad;
    T* s = x.buffer(0);
    T* buf = mu > 0 ? x.buffer(1) : nullptr;
    T* a = o.centered() ? x.buffer(2) : nullptr;
    detail::simd_for<T>(x.n, [&](std::size_t i, auto zero) {
      using V = decltype(zero);
      using std::sqrt;
      V value = detail::read<V>(p + i), d = sign * detail::read<V>(g + i);
      if (decay != 0) d = d + decay * value;
      V si = alpha * detail::read<V>(s + i) + (1 - alpha) * d * d;
      detail::write(s + i, si);
      if (a) {
        V ai = alpha * detail::read<V>(a + i) + (1 - alpha) * d;
        detail::write(a + i, ai);
        si = si - ai * ai;
      }
      V avg = sqrt(si) + eps;
      if (buf) {
        V b = mu * detail::read<V>(buf + i) + d / avg;
        detail::write(buf + i, b);
        detail::write(p + i, value - lr * b);
      } else {
        detail::write(p + i, value - lr * d / avg);
      }
    });
  });
}

}  // namespace tg::optim
