#include <tapegrad/nn/pooling.hpp>

#include <tapegrad/autograd/detail/op.hpp>

namespace tg::nn {

std::string Pool2dImpl::extra_repr() const {
  return str("kernel_size=", to_string(options.kernel_size()), ", stride=",
             to_string(options.stride()), ", padding=", to_string(options.padding()));
}

}  // namespace tg::nn
