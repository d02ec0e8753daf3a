// Regression losses: plain expressions of autograd ops, no hand-written derivatives.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/detail/common.hpp>
#include <tapegrad/losses/regression.hpp>

#include <cmath>

namespace tg::losses {

using namespace detail;

namespace {
constexpr double log_2pi = 1.83787706640934548356;  // log(2π)

// ½d² where |d| < δ, else δ(|d| - ½δ). At |d| = δ both pieces have slope ±δ.
Tensor huber(const Tensor& d, double delta) {
  Tensor a = abs(d);
  return where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta));
}
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  Tensor d = input - target;
  return reduce(d * d, reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("l1_loss", input, target);
  return reduce(abs(input - target), reduction, "l1_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  check_same_shape("smooth_l1_loss", input, target);
  if (beta < 0) throw ValueError(str("smooth_l1_loss: beta must be >= 0, got ", beta));
  if (beta == 0) {  // |d|, but with PyTorch's slope -1 (not 0) at d = 0
    Tensor d = input - target;
    return reduce(where(d > 0.0, d, -d), reduction, "smooth_l1_loss");
  }
  return reduce(huber(input - target, beta) / beta, reduction, "smooth_l1_loss");
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  check_same_shape("huber_loss", input, target);
  if (!(delta > 0)) throw ValueError(str("huber_loss: delta must be > 0, got ", delta));
  return reduce(huber(input - target, delta), reduction, "huber_loss");
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLOptions& o) {
  check_same_shape("poisson_nll_loss", input, target);
  Tensor loss = o.log_input() ? exp(input) - target * input
                              : input - target * log(input + o.eps());
  if (o.full()) {  // Stirling's term, 0 where target <= 1 (evaluated at 1 there to stay finite)
    Tensor t = clamp(target, 1.0, std::nullopt);
    loss = loss + (target > 1.0) * (t * log(t) - t + 0.5 * (log(t) + log_2pi));
  }
  return reduce(loss, o.reduction(), "poisson_nll_loss");
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var,
                         const GaussianNLLOptions& o) {
  const char* op = "gaussian_nll_loss";
  check_same_shape(op, input, target);
  Shape in = input.shape(), vs = var.shape();
  Shape batch = in.empty() ? in : Shape(in.begin(), in.end() - 1), batch_1 = batch;
  batch_1.push_back(1);
  Tensor v = var;
  if (!in.empty() && vs == batch) v = unsqueeze(var, -1);  // one variance per sample
  else if (vs != in && vs != batch_1)
    throw ShapeError(str(op, ": var shape ", to_string(vs), " does not fit input shape ",
                         to_string(in)));
  for (double x : to_vector(var))
    if (x < 0) throw ValueError(str(op, ": var has a negative entry (", x, ")"));
  v = clamp_min_straight_through(v, o.eps());
  Tensor d = input - target;
  Tensor loss = 0.5 * (log(v) + d * d / v);
  if (o.full()) loss = loss + 0.5 * log_2pi;
  return reduce(loss, o.reduction(), op);
}

}  // namespace tg::losses
