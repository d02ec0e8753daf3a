#include <tapegrad/nn/linear.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg::nn {

Linear::Linear(std::size_t in, std::size_t out, bool with_bias)
    : in_features(in), out_features(out) {
  weight = register_parameter("weight", zeros({out, in}));
  if (with_bias) bias = register_parameter("bias", zeros({out}));
  init::default_layer_init_(weight, bias);
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

std::string Linear::extra_repr() const {
  return str("in_features=", in_features, ", out_features=", out_features,
             ", bias=", bias.defined() ? "true" : "false");
}

}  // namespace tg::nn
