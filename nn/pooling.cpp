#include <tapegrad/nn/pooling.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

std::string Pool2dImpl::extra_repr() const {
  return str("kernel_size=", to_string(options.kernel_size()), ", stride=",
             to_string(options.stride()), ", padding=", to_string(options.padding()));
}

Tensor MaxPool2dImpl::forward(const Tensor& x) {
  return max_pool2d(x, options.kernel_size(), options.stride(), options.padding());
}

Tensor AvgPool2dImpl::forward(const Tensor& x) {
  return avg_pool2d(x, options.kernel_size(), options.stride(), options.padding());
}

}  // namespace tg::nn
