#pragma once
// RMSprop (Hinton), as PyTorch (torch.optim.RMSprop):
//   g = ±grad + weight_decay * p
//   s = alpha * s + (1 - alpha) * g²
//   centered: a = alpha * a + (1 - alpha) * g, avg = sqrt(s - a²) + eps; else avg = sqrt(s) + eps
//   momentum > 0: buf = momentum * buf + g / avg, p -= lr * buf;  else p -= lr * g / avg
#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {

class RMSpropOptions : public OptionsBase<RMSpropOptions> {
 public:
  RMSpropOptions(double lr = 1e-2) : OptionsBase(lr) {}  // implicit, as libtorch
  TG_ARG(double, alpha, 0.99);
  TG_ARG(double, eps, 1e-8);
  TG_ARG(double, weight_decay, 0);
  TG_ARG(double, momentum, 0);
  TG_ARG(bool, centered, false);
  TG_ARG(bool, maximize, false);
  void check(const char* optimizer) const override;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = RMSpropOptions())
      : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults = RMSpropOptions())
      : Optimizer("RMSprop", std::move(groups), defaults,
                  {"square_avg", "momentum_buffer", "grad_avg"}) {}

 private:
  void update() override;
};

}  // namespace tg::optim
