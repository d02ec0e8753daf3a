#pragma once
// Linear: y = x · Wᵀ + b, W [out, in], b [out]; x [..., in] -> y [..., out]. One GEMM with the
// bias add fused (tg::linear). Init as PyTorch: W, b ~ U(±1/√in).
//   Linear fc(784, 256);  Linear(LinearOptions(784, 256).bias(false));  fc(x), fc->weight
#include <cstddef>

#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct LinearOptions {
  LinearOptions(std::size_t in_features, std::size_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TG_ARG(std::size_t, in_features, 0);
  TG_ARG(std::size_t, out_features, 0);
  TG_ARG(bool, bias, true);
};

class LinearImpl : public Module {
 public:
  explicit LinearImpl(const LinearOptions& options);
  LinearImpl(std::size_t in_features, std::size_t out_features, bool bias = true)
      : LinearImpl(LinearOptions(in_features, out_features).bias(bias)) {}
  Tensor forward(const Tensor& x) override { return linear(x, weight, bias); }
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight, bias;  // bias is undefined without one
};
TG_MODULE(Linear);

}  // namespace tg::nn
