#pragma once
// Regression losses, elementwise over input and target of one shape (a different shape is a
// tg::ShapeError: PyTorch would silently broadcast), then reduced; d = input - target.
#include <tapegrad/core/arg.hpp>
#include <tapegrad/losses/reduction.hpp>

namespace tg::losses {

// d²
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
// |d|, with |d|'(0) = 0
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
// ½d²/β where |d| < β, else |d| - ½β; β = 0 is |d| (slope -1 at 0, as PyTorch), β < 0 a
// ValueError.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      Reduction reduction = Reduction::mean, double beta = 1.0);
// ½d² where |d| < δ, else δ(|d| - ½δ) (= δ · smooth_l1 with β = δ); δ must be > 0.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                  double delta = 1.0);

struct PoissonNLLOptions {
  TG_ARG(bool, log_input, true);
  TG_ARG(bool, full, false);
  TG_ARG(double, eps, 1e-8);
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// log_input: exp(input) - target·input; else input - target·log(input + eps). full adds the
// Stirling term target·log(target) - target + ½log(2π·target) where target > 1.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target,
                        const PoissonNLLOptions& options = {});

struct GaussianNLLOptions {
  TG_ARG(bool, full, false);
  TG_ARG(double, eps, 1e-6);
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// ½(log v + d²/v) (+ ½log 2π when full), v = max(var, eps) with the gradient passing straight
// through the clamp (PyTorch clamps in place under no_grad). var has input's shape, or input's
// without its last dim, or that with a last dim of 1; negative entries are a ValueError.
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var,
                         const GaussianNLLOptions& options = {});

}  // namespace tg::losses
