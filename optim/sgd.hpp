#pragma once
// Stochastic gradient descent with momentum, as PyTorch (torch.optim.SGD):
//   d = ±g + weight_decay * p                      (- when maximize)
//   buf = d on the first step, else momentum * buf + (1 - dampening) * d
//   d = d + momentum * buf (nesterov) or buf      (only when momentum != 0)
//   p -= lr * d
#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {

class SGDOptions : public OptionsBase<SGDOptions> {
 public:
  SGDOptions(double lr) : OptionsBase(lr) {}  // implicit, as libtorch
  TG_ARG(double, momentum, 0);
  TG_ARG(double, dampening, 0);
  TG_ARG(double, weight_decay, 0);
  TG_ARG(bool, nesterov, false);
  TG_ARG(bool, maximize, false);
  void check(const char* optimizer) const override;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options)
      : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults)
      : Optimizer("SGD", std::move(groups), defaults, {"momentum_buffer"}) {}

 private:
  void update() override;
};

}  // namespace tg::optim
