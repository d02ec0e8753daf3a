#include <tapegrad/nn/flatten.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/shape.hpp>

namespace tg::nn {

Tensor FlattenImpl::forward(const Tensor& x) { return flatten(x, start_dim, end_dim); }

std::string FlattenImpl::extra_repr() const {
  return str("start_dim=", start_dim, ", end_dim=", end_dim);
}

}  // namespace tg::nn
