#include <tapegrad/optim/adagrad.hpp>

#include <cmath>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

void AdagradOptions::check(const char* name) const {
  detail::require(lr_decay() >= 0, name, "lr_decay", lr_decay(), "must be >= 0");
  detail::require(weight_decay() >= 0, name, "weight_decay", weight_decay(), "must be >= 0");
  detail::require(initial_accumulator_value() >= 0, name, "initial_accumulator_value",
                  initial_accumulator_value(), "must be >= 0");
  detail::require(eps() >= 0, name, "epsilon", eps(), "must be >= 0");
}

void Adagrad::update() {
  for_each_param<AdagradOptions>([](const AdagradOptions& o, auto& x) {
    using T = std::remove_pointer_t<decltype(x.value)>;
    const T clr = T(o.lr() / (1 + (x.step - 1) * o.lr_decay()));
    const T decay = T(o.weight_decay()), eps = T(o.eps()), sign = o.maximize() ? T(-1) : T(1);
    T* sum = x.buffer(0, o.initial_accumulator_value());
    detail::simd_for<T>(x.n, [&](std::size_t i, auto zero) {
      using V = decltype(zero);
      using std::sqrt;
      V value = detail::read<V>(x.value + i), d = sign * detail::read<V>(x.grad + i);
      if (decay != 0) d = d + decay * value;
      V s = detail::read<V>(sum + i) + d * d;
      detail::write(sum + i, s);
      detail::write(x.value + i, value - clr * d / (sqrt(s) + eps));
    });
  });
}

}  // namespace tg::optim
