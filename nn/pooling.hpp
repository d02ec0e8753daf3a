#pragma once
// MaxPool2d / AvgPool2d over [N, C, H, W] (tg::max_pool2d / tg::avg_pool2d); the stride is the
// kernel size unless set (PyTorch's default); output H' = (H + 2p - k) / s + 1 (floor).
//   MaxPool2d(2);  MaxPool2d(MaxPool2dOptions(3).stride(2).padding(1))
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/nn/conv.hpp>

namespace tg::nn {

struct Pool2dOptions {
  Pool2dOptions(Size2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  Pool2dOptions(std::size_t kernel_size) : Pool2dOptions(Size2(kernel_size)) {}
  TG_ARG(Size2, kernel_size, 1);
  TG_ARG(Size2, stride, 1);
  TG_ARG(Size2, padding, 0);
};
using MaxPool2dOptions = Pool2dOptions;
using AvgPool2dOptions = Pool2dOptions;  // padded zeros count in the mean (count_include_pad)

class Pool2dImpl : public Module {
 public:
  explicit Pool2dImpl(const Pool2dOptions& options) : options(options) {}
  std::string extra_repr() const override;
  Pool2dOptions options;
};
struct MaxPool2dImpl : Pool2dImpl {
  using Pool2dImpl::Pool2dImpl;
  Tensor forward(const Tensor& x) override {
    return max_pool2d(x, options.kernel_size(), options.stride(), options.padding());
  }
};
struct AvgPool2dImpl : Pool2dImpl {
  using Pool2dImpl::Pool2dImpl;
  Tensor forward(const Tensor& x) override {
    return avg_pool2d(x, options.kernel_size(), options.stride(), options.padding());
  }
};
TG_MODULE(MaxPool2d);
TG_MODULE(AvgPool2d);

}  // namespace tg::nn
