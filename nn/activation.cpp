#include <tapegrad/nn/activation.hpp>

#include <tapegrad/autograd/detail/op.hpp>

namespace tg::nn {

std::string LeakyReLUImpl::extra_repr() const { return str("negative_slope=", negative_slope); }
std::string GELUImpl::extra_repr() const { return str("approximate='", approximate, "'"); }
std::string SoftmaxImpl::extra_repr() const { return str("dim=", dim); }
std::string LogSoftmaxImpl::extra_repr() const { return str("dim=", dim); }

}  // namespace tg::nn
