#pragma once
// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1 - p) (tg::dropout, masks from tg's global generator); the identity in eval mode.
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);  // throws ValueError unless 0 <= p <= 1
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  double p;
};

}  // namespace tg::nn
