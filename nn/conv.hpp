#pragma once
// Conv2d: 2-D cross-correlation of x [N, C_in, H, W] with W [C_out, C_in, kh, kw] plus b [C_out]
// (tg::conv2d, im2col + GEMM). Output H' = (H + 2p - d(k-1) - 1) / s + 1 (floor).
// Init as PyTorch: W, b ~ U(±1/√fan_in), fan_in = C_in·kh·kw.
#include <array>
#include <cstddef>

#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

std::string to_string(const Size2& s);  // "(3, 3)"; Size2 is tg::Size2 (one number or {h, w})

// Conv2dOptions(3, 16, 3).stride(2).padding(1).bias(false)
struct Conv2dOptions {
  Conv2dOptions(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  Conv2dOptions& stride(Size2 v) { stride_ = v; return *this; }
  Conv2dOptions& padding(Size2 v) { padding_ = v; return *this; }
  Conv2dOptions& dilation(Size2 v) { dilation_ = v; return *this; }
  Conv2dOptions& bias(bool v) { bias_ = v; return *this; }

  std::size_t in_channels_, out_channels_;
  Size2 kernel_size_, stride_ = 1, padding_ = 0, dilation_ = 1;
  bool bias_ = true;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Conv2d(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size, Size2 stride = 1,
         Size2 padding = 0, Size2 dilation = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Conv2dOptions options;
  Tensor weight, bias;  // bias is undefined without one
};

}  // namespace tg::nn
