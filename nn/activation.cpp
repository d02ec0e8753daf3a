#include <tapegrad/nn/activation.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>

namespace tg::nn {

Tensor ReLUImpl::forward(const Tensor& x) { return relu(x); }
Tensor TanhImpl::forward(const Tensor& x) { return tanh(x); }
Tensor SigmoidImpl::forward(const Tensor& x) { return sigmoid(x); }

Tensor LeakyReLUImpl::forward(const Tensor& x) { return leaky_relu(x, negative_slope); }
std::string LeakyReLUImpl::extra_repr() const { return str("negative_slope=", negative_slope); }

Tensor GELUImpl::forward(const Tensor& x) { return gelu(x, approximate); }
std::string GELUImpl::extra_repr() const { return str("approximate='", approximate, "'"); }

Tensor SoftmaxImpl::forward(const Tensor& x) { return softmax(x, dim); }
std::string SoftmaxImpl::extra_repr() const { return str("dim=", dim); }

Tensor LogSoftmaxImpl::forward(const Tensor& x) { return log_softmax(x, dim); }
std::string LogSoftmaxImpl::extra_repr() const { return str("dim=", dim); }

}  // namespace tg::nn
