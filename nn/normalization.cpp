#include <tapegrad/nn/normalization.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& o, std::size_t min_dims,
                                     std::size_t max_dims)
    : options(o), min_dims_(min_dims), max_dims_(max_dims) {
  if (o.affine()) {
    weight = register_parameter("weight", ones({o.num_features()}));
    bias = register_parameter("bias", zeros({o.num_features()}));
  }
  if (o.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({o.num_features()}));
    running_var = register_buffer("running_var", ones({o.num_features()}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
}

Tensor BatchNormImplBase::forward(const Tensor& x) {
  if (x.ndim() < min_dims_ || x.ndim() > max_dims_)
    throw ShapeError(str(type_name(), ": expected a ", min_dims_,
                         min_dims_ == max_dims_ ? "" : str(" or ", max_dims_),
                         "-D input, got shape ", to_string(x.shape())));
  // Without running statistics, batch statistics are used in eval mode too.
  bool track = options.track_running_stats(), use_batch_stats = is_training() || !track;
  if (is_training() && track) num_batches_tracked.add_(1.0);
  // momentum None: the cumulative average, weight 1/n for the n-th batch.
  double momentum = options.momentum().value_or(
      track ? 1.0 / static_cast<double>(num_batches_tracked.item<std::int64_t>()) : 0.0);
  return batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, momentum,
                    options.eps());
}

std::string BatchNormImplBase::extra_repr() const {
  const BatchNormOptions& o = options;
  return str(o.num_features(), ", eps=", o.eps(), ", momentum=",
             o.momentum() ? str(*o.momentum()) : "None", ", affine=", o.affine() ? "true" : "false",
             ", track_running_stats=", o.track_running_stats() ? "true" : "false");
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& o) : options(o) {
  if (o.elementwise_affine()) {
    weight = register_parameter("weight", ones(o.normalized_shape()));
    bias = register_parameter("bias", zeros(o.normalized_shape()));
  }
}

Tensor LayerNormImpl::forward(const Tensor& x) {
  return layer_norm(x, options.normalized_shape(), weight, bias, options.eps());
}

std::string LayerNormImpl::extra_repr() const {
  return str(to_string(options.normalized_shape()), ", eps=", options.eps(),
             ", elementwise_affine=", options.elementwise_affine() ? "true" : "false");
}

}  // namespace tg::nn
