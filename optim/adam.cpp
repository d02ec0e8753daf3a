#include <tapegrad/optim/adam.hpp>

#include <cmath>

#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

template <WeightDecay decay> void AdamOptionsOf<decay>::check(const char* name) const {
  auto [beta1, beta2] = betas();
  detail::require(eps() >= 0, name, "epsilon", eps(), "must be >= 0");
  detail::require(beta1 >= 0 && beta1 < 1, name, "beta parameter at index 0:", beta1,
                  "must be in [0, 1)");
  detail::require(beta2 >= 0 && beta2 < 1, name, "beta parameter at index 1:", beta2,
                  "must be in [0, 1)");
  detail::require(weight_decay() >= 0, name, "weight_decay", weight_decay(), "must be >= 0");
}
template class AdamOptionsOf<WeightDecay::l2>;
template class AdamOptionsOf<WeightDecay::decoupled>;

namespace {

// The update of Adam and AdamW; the Slice's buffers are exp_avg, exp_avg_sq, max_exp_avg_sq.
template <WeightDecay decay, class T>
void adam_update(const AdamOptionsOf<decay>& o, detail::Slice<T>& x) {
  using detail::read, detail::write;
  auto [beta1, beta2] = o.betas();
  const T step_size = T(o.lr() / (1 - std::pow(beta1, x.step)));
  const T inv_correction2_sqrt = T(1 / std::sqrt(1 - std::pow(beta2, x.step)));
  const T b1 = T(beta1), b2 = T(beta2), eps = T(o.eps()), sign = o.maximize() ? T(-1) : T(1);
  const T l2 = decay == WeightDecay::l2 ? T(o.weight_decay()) : T(0);
  const T shrink = decay == WeightDecay::decoupled ? T(1 - o.lr() * o.weight_decay()) : T(1);
  T* m = x.buffer(0);
  T* v = x.buffer(1);
  T* v_max = o.amsgrad() ? x.buffer(2) : nullptr;
  detail::simd_for<T>(x.n, [&](std::size_t i, auto zero) {
    using V = decltype(zero);
    using std::max, std::sqrt;  // xsimd's versions for batches are found by ADL
    V value = read<V>(x.value + i) * shrink, d = sign * read<V>(x.grad + i);
    if (l2 != 0) d = d + l2 * read<V>(x.value + i);
    V mi = b1 * read<V>(m + i) + (1 - b1) * d;
    V vi = b2 * read<V>(v + i) + (1 - b2) * d * d;
    write(m + i, mi);
    write(v + i, vi);
    if (v_max) {
      vi = max(read<V>(v_max + i), vi);
      write(v_max + i, vi);
    }
    write(x.value + i, value - step_size * mi / (sqrt(vi) * inv_correction2_sqrt + eps));
  });
}

}  // namespace

template <WeightDecay decay> void AdamOf<decay>::update() {
  for_each_param<AdamOptionsOf<decay>>([](const auto& o, auto& x) { adam_update(o, x); });
}
template class AdamOf<WeightDecay::l2>;
template class AdamOf<WeightDecay::decoupled>;

}  // namespace tg::optim
