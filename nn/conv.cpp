#include <tapegrad/nn/conv.hpp>

#include <algorithm>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg::nn {

std::string to_string(const Size2& s) { return str("(", s[0], ", ", s[1], ")"); }

Conv2dImpl::Conv2dImpl(const Conv2dOptions& o) : options(o) {
  weight = register_parameter(
      "weight", zeros({o.out_channels(), o.in_channels() / std::max<std::size_t>(o.groups(), 1),
                       o.kernel_size()[0], o.kernel_size()[1]}));
  if (o.bias()) bias = register_parameter("bias", zeros({o.out_channels()}));
  init::default_layer_init_(weight, bias);
}

Tensor Conv2dImpl::forward(const Tensor& x) {
  return conv2d(x, weight, bias, options.stride(), options.padding(), options.dilation(),
                options.groups());
}

std::string Conv2dImpl::extra_repr() const {
  const Conv2dOptions& o = options;
  return str(o.in_channels(), ", ", o.out_channels(), ", kernel_size=", to_string(o.kernel_size()),
             ", stride=", to_string(o.stride()), ", padding=", to_string(o.padding()),
             ", dilation=", to_string(o.dilation()),
             o.groups() != 1 ? str(", groups=", o.groups()) : "", ", bias=", o.bias() ? "true" : "false");
}

}  // namespace tg::nn
