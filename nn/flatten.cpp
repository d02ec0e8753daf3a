#include <tapegrad/nn/flatten.hpp>

#include <tapegrad/autograd/detail/op.hpp>

namespace tg::nn {

std::string FlattenImpl::extra_repr() const {
  return str("start_dim=", start_dim, ", end_dim=", end_dim);
}

}  // namespace tg::nn
