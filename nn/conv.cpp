#include <tapegrad/nn/conv.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg::nn {

std::string to_string(const Size2& s) { return str("(", s[0], ", ", s[1], ")"); }

Conv2d::Conv2d(const Conv2dOptions& opt) : options(opt) {
  weight = register_parameter(
      "weight", zeros({opt.out_channels_, opt.in_channels_, opt.kernel_size_[0],
                       opt.kernel_size_[1]}));
  if (opt.bias_) bias = register_parameter("bias", zeros({opt.out_channels_}));
  init::default_layer_init_(weight, bias);
}

Conv2d::Conv2d(std::size_t in, std::size_t out, Size2 kernel, Size2 stride, Size2 padding,
               Size2 dilation, bool with_bias)
    : Conv2d(Conv2dOptions(in, out, kernel).stride(stride).padding(padding).dilation(dilation)
                 .bias(with_bias)) {}

Tensor Conv2d::forward(const Tensor& x) {
  return conv2d(x, weight, bias, options.stride_, options.padding_, options.dilation_);
}

std::string Conv2d::extra_repr() const {
  const Conv2dOptions& o = options;
  return str(o.in_channels_, ", ", o.out_channels_, ", kernel_size=", to_string(o.kernel_size_),
             ", stride=", to_string(o.stride_), ", padding=", to_string(o.padding_),
             ", dilation=", to_string(o.dilation_), ", bias=", o.bias_ ? "true" : "false");
}

}  // namespace tg::nn
