#pragma once
// Internal: checks and building blocks shared by the loss functions.
#include <optional>

#include <tapegrad/core/tensor.hpp>

namespace tg::losses::detail {

// ShapeError "op: input shape [..] and target shape [..] differ" unless the shapes are equal.
void check_same_shape(const char* op, const Tensor& a, const Tensor& b, const char* a_name = "input",
                      const char* b_name = "target");
// ShapeError unless `t` (named `what`) broadcasts to `shape` without growing it.
void check_broadcasts_to(const char* op, const char* what, const Tensor& t, const Shape& shape);
// loss · weight (loss when weight is undefined), checking that weight broadcasts to loss's shape.
Tensor weighted(const char* op, const Tensor& loss, const Tensor& weight);
// max(x, lo) in value, identity in gradient: PyTorch clamps these in place under no_grad.
Tensor clamp_min_straight_through(const Tensor& x, double lo);
// ‖x‖_p along `axis` (p > 0 or infinity); the gradient is 0 where the norm is 0, as PyTorch.
Tensor norm(const Tensor& x, double p, std::ptrdiff_t axis, bool keepdim, const char* op);

// A 0-d constant of `like`'s dtype (for comparisons and where).
Tensor scalar_like(double value, const Tensor& like);

// The class dim of a classification input: 1, or 0 for an unbatched [C] input.
std::ptrdiff_t class_axis(const Tensor& input);
// `weight` (one value per class of `input`, [C], else a ShapeError) shaped to broadcast along
// the class dim of `input`: [1, C, 1, ...]. An undefined weight stays undefined.
Tensor class_weight(const char* op, const Tensor& weight, const Tensor& input);

// Class-index targets as a mass over classes, of input's shape:
//   mass[n, c, ...] = w_c · ((1-ε)·[c = t_n] + ε/C), 0 for targets equal to ignore_index,
// and total = Σ w_{t_n} over the other targets. Checks target's shape against input's (minus
// the class dim), that targets are integers in [0, C), and weight's shape [C].
struct ClassTargets {
  Tensor mass;
  double total;
};
ClassTargets class_targets(const char* op, const Tensor& input, const Tensor& target,
                           const Tensor& weight, std::optional<long> ignore_index,
                           double label_smoothing = 0);

}  // namespace tg::losses::detail
