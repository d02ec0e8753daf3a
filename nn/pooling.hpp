#pragma once
// MaxPool2d / AvgPool2d over [N, C, H, W] (tg::max_pool2d / tg::avg_pool2d). stride 0 means
// stride = kernel (PyTorch's default); output H' = (H + 2p - k) / s + 1 (floor).
#include <tapegrad/nn/conv.hpp>

namespace tg::nn {

class Pool2d : public Module {
 public:
  Pool2d(Size2 kernel_size, Size2 stride, Size2 padding)
      : kernel_size(kernel_size),
        stride(stride[0] ? stride[0] : kernel_size[0], stride[1] ? stride[1] : kernel_size[1]),
        padding(padding) {}
  std::string extra_repr() const override;

  Size2 kernel_size, stride, padding;
};

class MaxPool2d : public Pool2d {
 public:
  explicit MaxPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0)
      : Pool2d(kernel_size, stride, padding) {}
  Tensor forward(const Tensor& x) override;
};

// Padded zeros count in the mean (count_include_pad = true).
class AvgPool2d : public Pool2d {
 public:
  explicit AvgPool2d(Size2 kernel_size, Size2 stride = 0, Size2 padding = 0)
      : Pool2d(kernel_size, stride, padding) {}
  Tensor forward(const Tensor& x) override;
};

}  // namespace tg::nn
