#include <tapegrad/optim/adam.hpp>

#include <cmath>

#include <tapegrad/optim/adamw.hpp>
#include <tapegrad/optim/detail/adam_rule.hpp>

namespace tg::optim {
namespace detail {

template <class Options> void check_adam(const Options& o, const char* name) {
  auto [beta1, beta2] = o.betas();
  require(o.lr() >= 0, name, "learning rate", o.lr(), "must be >= 0");
  require(o.eps() >= 0, name, "epsilon", o.eps(), "must be >= 0");
  require(beta1 >= 0 && beta1 < 1, name, "beta parameter at index 0:", beta1, "must be in [0, 1)");
  require(beta2 >= 0 && beta2 < 1, name, "beta parameter at index 1:", beta2, "must be in [0, 1)");
  require(o.weight_decay() >= 0, name, "weight_decay", o.weight_decay(), "must be >= 0");
}

template <class Options, class T> void adam_update(const Options& o, Slice<T>& x, Decay decay) {
  auto [beta1, beta2] = o.betas();
  const T step_size = T(o.lr() / (1 - std::pow(beta1, x.step)));
  const T inv_correction2_sqrt = T(1 / std::sqrt(1 - std::pow(beta2, x.step)));
  const T b1 = T(beta1), b2 = T(beta2), eps = T(o.eps()), sign = o.maximize() ? T(-1) : T(1);
  const T l2 = decay == Decay::l2 ? T(o.weight_decay()) : T(0);
  const T shrink = decay == Decay::decoupled ? T(1 - o.lr() * o.weight_decay()) : T(1);
  T* p = x.value;
  const T* g = x.grad;
  T* m = x.buffer(0);
  T* v = x.buffer(1);
  T* v_max = o.amsgrad() ? x.buffer(2) : nullptr;
  simd_for<T>(x.n, [&](std::size_t i, auto zero) {
    using V = decltype(zero);
    using std::max, std::sqrt;  // xsimd's versions for batches are found by ADL
    V value = read<V>(p + i) * shrink, d = sign * read<V>(g + i);
    if (l2 != 0) d = d + l2 * read<V>(p + i);
    V mi = b1 * read<V>(m + i) + (1 - b1) * d;
    V vi = b2 * read<V>(v + i) + (1 - b2) * d * d;
    write(m + i, mi);
    write(v + i, vi);
    if (v_max) {
      vi = max(read<V>(v_max + i), vi);
      write(v_max + i, vi);
    }
    write(p + i, value - step_size * mi / (sqrt(vi) * inv_correction2_sqrt + eps));
  });
}

template void check_adam(const AdamOptions&, const char*);
template void check_adam(const AdamWOptions&, const char*);
template void adam_update(const AdamOptions&, Slice<float>&, Decay);
template void adam_update(const AdamOptions&, Slice<double>&, Decay);
template void adam_update(const AdamWOptions&, Slice<float>&, Decay);
template void adam_update(const AdamWOptions&, Slice<double>&, Decay);

}  // namespace detail

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults)
    : Optimizer("Adam", defaults, {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {
  init(std::move(groups));
}

void Adam::check(const OptimizerOptions& options) const {
  detail::check_adam(static_cast<const AdamOptions&>(options), name_);
}

void Adam::update() {
  for_each_param<AdamOptions>(
      [](const AdamOptions& o, auto& x) { detail::adam_update(o, x, detail::Decay::l2); });
}

}  // namespace tg::optim
