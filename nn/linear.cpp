#include <tapegrad/nn/linear.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg::nn {

LinearImpl::LinearImpl(const LinearOptions& o) : options(o) {
  weight = register_parameter("weight", zeros({o.out_features(), o.in_features()}));
  if (o.bias()) bias = register_parameter("bias", zeros({o.out_features()}));
  init::default_layer_init_(weight, bias);
}

std::string LinearImpl::extra_repr() const {
  return str("in_features=", options.in_features(), ", out_features=", options.out_features(),
             ", bias=", options.bias() ? "true" : "false");
}

}  // namespace tg::nn
