#include <tapegrad/optim/rmsprop.hpp>

#include <cmath>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

void RMSpropOptions::check(const char* name) const {
  detail::require(eps() >= 0, name, "epsilon", eps(), "must be >= 0");
  detail::require(momentum() >= 0, name, "momentum", momentum(), "must be >= 0");
  detail::require(weight_decay() >= 0, name, "weight_decay", weight_decay(), "must be >= 0");
  detail::require(alpha() >= 0, name, "alpha", alpha(), "must be >= 0");
}

void RMSprop::update() {
  for_each_param<RMSpropOptions>([](const RMSpropOptions& o, auto& x) {
    using T = std::remove_pointer_t<decltype(x.value)>;
    const T lr = T(o.lr()), alpha = T(o.alpha()), eps = T(o.eps()), mu = T(o.momentum());
    const T decay = T(o.weight_decay()), sign = o.maximize() ? T(-1) : T(1);
    T* s = x.buffer(0);
    T* buf = mu > 0 ? x.buffer(1) : nullptr;
    T* a = o.centered() ? x.buffer(2) : nullptr;
    detail::simd_for<T>(x.n, [&](std::size_t i, auto zero) {
      using V = decltype(zero);
      using std::sqrt;
      V value = detail::read<V>(x.value + i), d = sign * detail::read<V>(x.grad + i);
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
        detail::write(x.value + i, value - lr * b);
      } else {
        detail::write(x.value + i, value - lr * d / avg);
      }
    });
  });
}

}  // namespace tg::optim
