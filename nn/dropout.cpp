#include <tapegrad/nn/dropout.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

DropoutImpl::DropoutImpl(const DropoutOptions& options, Generator* generator)
    : options(options), generator(generator) {
  if (!(options.p() >= 0 && options.p() <= 1))
    throw ValueError(str(type_name(), ": probability must be in [0, 1], got ", options.p()));
}

Tensor DropoutImpl::forward(const Tensor& x) {
  return dropout(x, options.p(), is_training(), generator);
}

// One mask value per channel: dropout of ones of shape [N, C, 1, 1], broadcast over H and W.
Tensor Dropout2dImpl::forward(const Tensor& x) {
  if (x.ndim() != 3 && x.ndim() != 4)
    throw ShapeError(str("Dropout2d: expected a 3-D or 4-D input, got shape ", to_string(x.shape())));
  Shape mask_shape = x.shape();
  mask_shape[x.ndim() - 1] = mask_shape[x.ndim() - 2] = 1;
  return x * dropout(ones(mask_shape, x.dtype()), options.p(), is_training(), generator);
}

std::string DropoutImpl::extra_repr() const { return str("p=", options.p()); }

}  // namespace tg::nn
