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

class AdamOptions : public OptionsBase<AdamOptions> {
 public:
  AdamOptions(double lr = 1e-3) : OptionsBase(lr) {}  // implicit, as libtorch
  TG_ARG(Betas, betas, Betas(0.9, 0.999));
  TG_ARG(double, eps, 1e-8);
  TG_ARG(double, weight_decay, 0);
  TG_ARG(bool, amsgrad, false);
  TG_ARG(bool, maximize, false);
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = AdamOptions());
  Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults = AdamOptions());

 private:
  void update() override;
  void check(const OptimizerOptions& options) const override;
};

}  // namespace tg::optim
