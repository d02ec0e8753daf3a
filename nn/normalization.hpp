#pragma once
// BatchNorm1d ([N, C] or [N, C, L]), BatchNorm2d ([N, C, H, W]) and LayerNorm
// (tg::batch_norm / tg::layer_norm). y = (x - mean) / √(var + eps) · weight + bias.
// Training normalises with batch statistics and updates the running ones:
// r = (1 - momentum)·r + momentum·batch_stat (unbiased variance for running_var), or with
// momentum std::nullopt (PyTorch's None) the cumulative average over the batches seen; eval uses
// the running statistics.
//   BatchNorm1d(128);  BatchNorm2d(BatchNorm2dOptions(16).momentum(0.01).affine(false))
#include <cstddef>
#include <optional>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct BatchNormOptions {
  BatchNormOptions(std::size_t num_features) : num_features_(num_features) {}
  TG_ARG(std::size_t, num_features, 0);
  TG_ARG(double, eps, 1e-5);
  TG_ARG(std::optional<double>, momentum, 0.1);
  TG_ARG(bool, affine, true);
  TG_ARG(bool, track_running_stats, true);
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;

class BatchNormImplBase : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight, bias;  // [C], ones and zeros; undefined unless affine
  // Buffers (undefined unless track_running_stats): zeros, ones, and a count of training
  // batches seen.
  Tensor running_mean, running_var, num_batches_tracked;

 protected:
  BatchNormImplBase(const BatchNormOptions& options, std::size_t min_dims, std::size_t max_dims);

 private:
  std::size_t min_dims_, max_dims_;
};

struct BatchNorm1dImpl : BatchNormImplBase {
  explicit BatchNorm1dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 2, 3) {}
};
struct BatchNorm2dImpl : BatchNormImplBase {
  explicit BatchNorm2dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 4, 4) {}
};
TG_MODULE(BatchNorm1d);
TG_MODULE(BatchNorm2d);

// Normalises over the trailing normalized_shape dims (biased variance); weight (ones) and bias
// (zeros) of that shape when elementwise_affine.
struct LayerNormOptions {
  LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  TG_ARG(Shape, normalized_shape, {});
  TG_ARG(double, eps, 1e-5);
  TG_ARG(bool, elementwise_affine, true);
};

class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  // LayerNorm(n) = LayerNorm({n}); one argument only, so that LayerNorm({2, 3}) is not ambiguous.
  explicit LayerNormImpl(std::size_t normalized_size) : LayerNormImpl(Shape{normalized_size}) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  LayerNormOptions options;
  Tensor weight, bias;
};
TG_MODULE(LayerNorm);

}  // namespace tg::nn
