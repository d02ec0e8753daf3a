#pragma once
// Linear: y = x · Wᵀ + b, W [out, in], b [out]; x [..., in] -> y [..., out]. One GEMM with the
// bias add fused (tg::linear). Init as PyTorch: W, b ~ U(±1/√in).
#include <cstddef>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class Linear : public Module {
 public:
  Linear(std::size_t in_features, std::size_t out_features, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  std::size_t in_features, out_features;
  Tensor weight, bias;  // bias is undefined without one
};

}  // namespace tg::nn
