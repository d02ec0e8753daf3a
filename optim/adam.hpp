#pragma once
// Adam (Kingma & Ba), as PyTorch (torch.optim.Adam), at step t:
//   g = ±grad + weight_decay * p                 (L2 penalty added to the gradient)
//   m = beta1 * m + (1 - beta1) * g,  v = beta2 * v + (1 - beta2) * g²
//   v̂ = max(v̂, v) with amsgrad (the max of the raw v, not bias-corrected), else v̂ = v
//   p -= lr / (1 - beta1^t) * m / (sqrt(v̂) / sqrt(1 - beta2^t) + eps)
// Trap: eps is added after dividing by sqrt(1 - beta2^t), not to sqrt(v̂).
#include <tuple>

#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {

using Betas = std::tuple<double, double>;
// Where weight decay goes: Adam adds weight_decay * p to the gradient (l2), AdamW first shrinks
// p by 1 - lr * weight_decay (decoupled).
enum class WeightDecay { l2, decoupled };

// The options of Adam (AdamOptions) and AdamW (AdamWOptions): they differ in weight_decay's
// default only.
template <WeightDecay decay> class AdamOptionsOf : public OptionsBase<AdamOptionsOf<decay>> {
 public:
  AdamOptionsOf(double lr = 1e-3) : OptionsBase<AdamOptionsOf>(lr) {}  // implicit, as libtorch
  TG_ARG(Betas, betas, Betas(0.9, 0.999));
  TG_ARG(double, eps, 1e-8);
  TG_ARG(double, weight_decay, decay == WeightDecay::l2 ? 0 : 1e-2);
  TG_ARG(bool, amsgrad, false);
  TG_ARG(bool, maximize, false);
  void check(const char* optimizer) const override;
};
using AdamOptions = AdamOptionsOf<WeightDecay::l2>;

// Adam (AdamOf<WeightDecay::l2>) and AdamW (AdamOf<WeightDecay::decoupled>).
template <WeightDecay decay> class AdamOf : public Optimizer {
 public:
  AdamOf(std::vector<Tensor> params, const AdamOptionsOf<decay>& options = {})
      : AdamOf(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
  AdamOf(std::vector<ParamGroup> groups, const AdamOptionsOf<decay>& defaults = {})
      : Optimizer(decay == WeightDecay::l2 ? "Adam" : "AdamW", std::move(groups), defaults,
                  {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {}

 private:
  void update() override;
};
using Adam = AdamOf<WeightDecay::l2>;

}  // namespace tg::optim
