#pragma once
// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1 - p) (tg::dropout, masks drawn from generator, or from the default generator when it is
// nullptr; it must outlive the module); the identity in eval mode.
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* generator = nullptr);  // throws unless 0 <= p <= 1
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  double p;
  Generator* generator;
};

}  // namespace tg::nn
