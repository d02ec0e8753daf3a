#pragma once
// BatchNorm1d ([N, C] or [N, C, L]), BatchNorm2d ([N, C, H, W]) and LayerNorm
// (tg::batch_norm / tg::layer_norm). y = (x - mean) / √(var + eps) · weight + bias.
// Training normalises with batch statistics and updates the running ones:
// r = (1 - momentum)·r + momentum·batch_stat (unbiased variance for running_var); eval uses the
// running statistics.
#include <cstddef>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  std::size_t num_features;
  double eps, momentum;
  bool affine, track_running_stats;
  Tensor weight, bias;  // [C], ones and zeros; undefined unless affine
  // Buffers (undefined unless track_running_stats): zeros, ones, and a count of training
  // batches seen.
  Tensor running_mean, running_var, num_batches_tracked;

 protected:
  BatchNorm(std::size_t num_features, double eps, double momentum, bool affine,
            bool track_running_stats, std::size_t min_dims, std::size_t max_dims);

 private:
  std::size_t min_dims_, max_dims_;
};

struct BatchNorm1d : BatchNorm {
  explicit BatchNorm1d(std::size_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats, 2, 3) {}
};
struct BatchNorm2d : BatchNorm {
  explicit BatchNorm2d(std::size_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats, 4, 4) {}
};

// Normalises over the trailing normalized_shape dims (biased variance); weight (ones) and bias
// (zeros) of that shape when elementwise_affine.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  // LayerNorm(n) = LayerNorm({n}); one argument only, so that LayerNorm({2, 3}) is not ambiguous.
  explicit LayerNorm(std::size_t normalized_size) : LayerNorm(Shape{normalized_size}) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Shape normalized_shape;
  double eps;
  Tensor weight, bias;
};

}  // namespace tg::nn
