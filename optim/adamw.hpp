#pragma once
// AdamW (Loshchilov & Hutter), as PyTorch (torch.optim.AdamW): Adam with decoupled weight
// decay — first p *= 1 - lr * weight_decay, then the Adam update with the plain gradient.
#include <tapegrad/optim/adam.hpp>

namespace tg::optim {

class AdamWOptions : public OptionsBase<AdamWOptions> {
 public:
  AdamWOptions(double lr = 1e-3) : OptionsBase(lr) {}  // implicit, as libtorch
  TG_ARG(Betas, betas, Betas(0.9, 0.999));
  TG_ARG(double, eps, 1e-8);
  TG_ARG(double, weight_decay, 1e-2);
  TG_ARG(bool, amsgrad, false);
  TG_ARG(bool, maximize, false);
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = AdamWOptions());
  AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults = AdamWOptions());

 private:
  void update() override;
  void check(const OptimizerOptions& options) const override;
};

}  // namespace tg::optim
