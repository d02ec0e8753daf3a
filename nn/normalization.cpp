#include <tapegrad/nn/normalization.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

BatchNorm::BatchNorm(std::size_t num_features, double eps, double momentum, bool affine,
                     bool track_running_stats, std::size_t min_dims, std::size_t max_dims)
    : num_features(num_features), eps(eps), momentum(momentum), affine(affine),
      track_running_stats(track_running_stats), min_dims_(min_dims), max_dims_(max_dims) {
  if (affine) {
    weight = register_parameter("weight", ones({num_features}));
    bias = register_parameter("bias", zeros({num_features}));
  }
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  if (x.ndim() < min_dims_ || x.ndim() > max_dims_)
    throw ShapeError(str(type_name(), ": expected a ", min_dims_,
                         min_dims_ == max_dims_ ? "" : str(" or ", max_dims_),
                         "-D input, got shape ", to_string(x.shape())));
  // Without running statistics, batch statistics are used in eval mode too.
  bool use_batch_stats = is_training() || !track_running_stats;
  if (is_training() && track_running_stats) num_batches_tracked.add_(1.0);
  return batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, momentum, eps);
}

std::string BatchNorm::extra_repr() const {
  return str(num_features, ", eps=", eps, ", momentum=", momentum,
             ", affine=", affine ? "true" : "false",
             ", track_running_stats=", track_running_stats ? "true" : "false");
}

LayerNorm::LayerNorm(Shape shape, double eps, bool elementwise_affine)
    : normalized_shape(std::move(shape)), eps(eps) {
  if (elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape));
    bias = register_parameter("bias", zeros(normalized_shape));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  return layer_norm(x, normalized_shape, weight, bias, eps);
}

std::string LayerNorm::extra_repr() const {
  return str(to_string(normalized_shape), ", eps=", eps,
             ", elementwise_affine=", weight.defined() ? "true" : "false");
}

}  // namespace tg::nn
