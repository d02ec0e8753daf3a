#include <tapegrad/nn/pooling.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

std::string Pool2d::extra_repr() const {
  return str("kernel_size=", to_string(kernel_size), ", stride=", to_string(stride),
             ", padding=", to_string(padding));
}

Tensor MaxPool2d::forward(const Tensor& x) {
  return max_pool2d(x, kernel_size, stride, padding);
}

Tensor AvgPool2d::forward(const Tensor& x) {
  return avg_pool2d(x, kernel_size, stride, padding);
}

}  // namespace tg::nn
