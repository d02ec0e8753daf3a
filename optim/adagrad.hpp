#pragma once
// Adagrad (Duchi et al.), as PyTorch (torch.optim.Adagrad), at step t:
//   g = ±grad + weight_decay * p
//   sum += g²                       (sum starts at initial_accumulator_value)
//   p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)
#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {

class AdagradOptions : public OptionsBase<AdagradOptions> {
 public:
  AdagradOptions(double lr = 1e-2) : OptionsBase(lr) {}  // implicit, as libtorch
  TG_ARG(double, lr_decay, 0);
  TG_ARG(double, weight_decay, 0);
  TG_ARG(double, initial_accumulator_value, 0);
  TG_ARG(double, eps, 1e-10);
  TG_ARG(bool, maximize, false);
  void check(const char* optimizer) const override;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions& options = AdagradOptions())
      : Adagrad(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
  Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults = AdagradOptions())
      : Optimizer("Adagrad", std::move(groups), defaults, {"sum"}) {}

 private:
  void update() override;
};

}  // namespace tg::optim
