#pragma once
// Dropout: in training, zeroes each element with probability p and scales the rest by
// 1/(1 - p) (tg::dropout, masks drawn from generator, or from the default generator when it is
// nullptr; it must outlive the module); the identity in eval mode. Dropout2d zeroes whole
// channels of [N, C, H, W] (or [C, H, W]) instead, as PyTorch's feature dropout.
//   Dropout(0.5);  Dropout(DropoutOptions().p(0.2));  Dropout2d(0.25)
#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  TG_ARG(double, p, 0.5);
  TG_ARG(bool, inplace, false);  // accepted for libtorch code; tapegrad never drops in place
};
using Dropout2dOptions = DropoutOptions;

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {}, Generator* generator = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  DropoutOptions options;
  Generator* generator;
};
TG_MODULE(Dropout);

struct Dropout2dImpl : DropoutImpl {
  using DropoutImpl::DropoutImpl;
  Tensor forward(const Tensor& x) override;
};
TG_MODULE(Dropout2d);

}  // namespace tg::nn
