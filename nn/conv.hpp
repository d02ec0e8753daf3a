#pragma once
// Conv2d: 2-D cross-correlation of x [N, C_in, H, W] with W [C_out, C_in/groups, kh, kw] + b [C_out]
// (tg::conv2d, im2col + GEMM). Output H' = (H + 2p - d(k-1) - 1) / s + 1 (floor).
// Init as PyTorch: W, b ~ U(±1/√fan_in), fan_in = C_in/groups·kh·kw.
//   Conv2d(1, 10, 5);  Conv2d(Conv2dOptions(3, 16, 3).stride(2).padding(1).bias(false))
#include <array>
#include <cstddef>

#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

std::string to_string(const Size2& s);  // "(3, 3)"; Size2 is tg::Size2 (one number or {h, w})

struct Conv2dOptions {
  Conv2dOptions(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TG_ARG(std::size_t, in_channels, 0);
  TG_ARG(std::size_t, out_channels, 0);
  TG_ARG(Size2, kernel_size, 1);
  TG_ARG(Size2, stride, 1);
  TG_ARG(Size2, padding, 0);
  TG_ARG(Size2, dilation, 1);
  TG_ARG(std::size_t, groups, 1);  // C_in and C_out divisible by it; depthwise: groups = C_in
  TG_ARG(bool, bias, true);
};

class Conv2dImpl : public Module {
 public:
  explicit Conv2dImpl(const Conv2dOptions& options);
  Conv2dImpl(std::size_t in_channels, std::size_t out_channels, Size2 kernel_size,
             Size2 stride = 1, Size2 padding = 0, Size2 dilation = 1, bool bias = true)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size).stride(stride)
                       .padding(padding).dilation(dilation).bias(bias)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Conv2dOptions options;
  Tensor weight, bias;  // bias is undefined without one
};
TG_MODULE(Conv2d);

}  // namespace tg::nn
