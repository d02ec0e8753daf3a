#include <tapegrad/optim/sgd.hpp>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults)
    : Optimizer("SGD", defaults, {"momentum_buffer"}) {
  init(std::move(groups));
}

void SGD::check(const OptimizerOptions& options) const {
  const auto& o = static_cast<const SGDOptions&>(options);
  detail::require(o.lr() >= 0, name_, "learning rate", o.lr(), "must be >= 0");
  detail::require(o.momentum() >= 0, name_, "momentum", o.momentum(), "must be >= 0");
  detail::require(o.weight_decay() >= 0, name_, "weight_decay", o.weight_decay(), "must be >= 0");
  if (o.nesterov() && (o.momentum() <= 0 || o.dampening() != 0))
    throw ValueError(detail::str(name_, ": nesterov momentum requires a momentum > 0 and zero "
                                 "dampening (got momentum ", o.momentum(), ", dampening ",
                                 o.dampening(), ")"));
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
    T* p = x.value;
    const T* g = x.grad;
    detail::simd_for<T>(x.n, [&](std::size_t i, auto v) {
      using V = decltype(v);
      V value = detail::read<V>(p + i), d = sign * detail::read<V>(g + i);
      if (decay != 0) d = d + decay * value;
      if (buf) {
        V b = keep_buf * detail::read<V>(buf + i) + keep_d * d;
        detail::write(buf + i, b);
        d = nesterov ? d + mu * b : b;
      }
      detail::write(p + i, value - lr * d);
    });
  });
}

}  // namespace tg::optim
