#include <tapegrad/optim/sgd.hpp>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

void SGDOptions::check(const char* name) const {
  detail::require(momentum() >= 0, name, "momentum", momentum(), "must be >= 0");
  detail::require(weight_decay() >= 0, name, "weight_decay", weight_decay(), "must be >= 0");
  if (nesterov() && (momentum() <= 0 || dampening() != 0))
    throw ValueError(detail::str(name, ": nesterov momentum requires a momentum > 0 and zero "
                                 "dampening (got momentum ", momentum(), ", dampening ",
                                 dampening(), ")"));
}

void SGD::update() {
  for_each_param<SGDOptions>([](const SGDOptions& o, auto& x) {
    using T = std::remove_pointer_t<decltype(x.value)>;
    const T lr = T(o.lr()), decay = T(o.weight_decay()), mu = T(o.momentum());
    const T keep = T(1 - o.dampening()), sign = o.maximize() ? T(-1) : T(1);
    const bool nesterov = o.nesterov();
    // buf = keep_buf * buf + keep_d * d: on the first step (a fresh zero buffer) buf = d.
    const T keep_buf = x.has(0) ? mu : 0, keep_d = x.has(0) ? keep : 1;
    T* buf = mu != 0 ? x.buffer(0) : nullptr;
    detail::simd_for<T>(x.n, [&](std::size_t i, auto v) {
      using V = decltype(v);
      V value = detail::read<V>(x.value + i), d = sign * detail::read<V>(x.grad + i);
      if (decay != 0) d = d + decay * value;
      if (buf) {
        V b = keep_buf * detail::read<V>(buf + i) + keep_d * d;
        detail::write(buf + i, b);
        d = nesterov ? d + mu * b : b;
      }
      detail::write(x.value + i, value - lr * d);
    });
  });
}

}  // namespace tg::optim
