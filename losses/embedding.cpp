// Similarity, distance and ranking losses, composed from autograd ops.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/detail/common.hpp>
#include <tapegrad/losses/embedding.hpp>

namespace tg::losses {

using namespace detail;

namespace {

Tensor clamp_min_0(const Tensor& x) { return clamp(x, 0.0, std::nullopt); }  // passes at 0

Tensor triplet(const char* op, const Tensor& anchor, const Tensor& positive, const Tensor& negative,
               const DistanceFunction& distance, double margin, bool swap, Reduction reduction) {
  if (anchor.ndim() != positive.ndim() || positive.ndim() != negative.ndim())
    throw ShapeError(str(op, ": anchor, positive and negative must have the same number of dims, got ",
                         to_string(anchor.shape()), ", ", to_string(positive.shape()), " and ",
                         to_string(negative.shape())));
  Tensor d_pos = distance(anchor, positive), d_neg = distance(anchor, negative);
  if (swap) d_neg = minimum(d_neg, distance(positive, negative));
  return reduce(clamp_min_0(margin + d_pos - d_neg), reduction, op);
}

}  // namespace

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, std::ptrdiff_t dim, double eps) {
  const char* op = "cosine_similarity";
  Shape shape = tg::detail::broadcast_shapes(x1.shape(), x2.shape(), op);
  auto axis = static_cast<std::ptrdiff_t>(tg::detail::norm_axis(dim, shape.size(), op));
  Tensor a = broadcast_to(x1, shape), b = broadcast_to(x2, shape);
  auto clamped_norm = [&](const Tensor& x) {
    return sqrt(clamp_min_straight_through(sum(x * x, {axis}), eps * eps));
  };
  return sum(a * b, {axis}) / (clamped_norm(a) * clamped_norm(b));
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  const char* op = "pairwise_distance";
  if (tg::detail::broadcast_shapes(x1.shape(), x2.shape(), op).empty())
    throw ShapeError(str(op, ": inputs must have at least one dim"));
  return norm(x1 - x2 + eps, p, -1, keepdim, op);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin,
                            Reduction reduction) {
  check_same_shape("hinge_embedding_loss", input, target);
  Tensor zero = scalar_like(0, input);
  Tensor loss = where(ne(target, scalar_like(1, target)), clamp_min_0(margin - input), zero) +
                where(ne(target, scalar_like(-1, target)), input, zero);
  return reduce(loss, reduction, "hinge_embedding_loss");
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin, Reduction reduction) {
  const char* op = "margin_ranking_loss";
  check_same_shape(op, input1, input2, "input1", "input2");
  check_same_shape(op, input1, target, "input1", "target");
  return reduce(clamp_min_0(margin - target * (input1 - input2)), reduction, op);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin, Reduction reduction) {
  const char* op = "cosine_embedding_loss";
  check_same_shape(op, input1, input2, "input1", "input2");
  Shape in = input1.shape();
  if (in.size() != 1 && in.size() != 2)
    throw ShapeError(str(op, ": inputs must be [N, D] or [D], got ", to_string(in)));
  if (target.shape() != Shape(in.begin(), in.end() - 1))
    throw ShapeError(str(op, ": target shape ", to_string(target.shape()),
                         " does not fit input shape ", to_string(in)));
  std::ptrdiff_t axis = static_cast<std::ptrdiff_t>(in.size()) - 1;
  constexpr double eps = 1e-12;  // PyTorch's, added to each squared norm
  Tensor cos = sum(input1 * input2, {axis}) /
               sqrt((sum(input1 * input1, {axis}) + eps) * (sum(input2 * input2, {axis}) + eps));
  Tensor zero = scalar_like(0, cos);
  Tensor loss = where(eq(target, scalar_like(1, target)), 1.0 - cos, zero) +
                where(eq(target, scalar_like(-1, target)), clamp_min_0(cos - margin), zero);
  return reduce(loss, reduction, op);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginOptions& o) {
  double p = o.p(), eps = o.eps();
  auto distance = [p, eps](const Tensor& a, const Tensor& b) {
    return pairwise_distance(a, b, p, eps);
  };
  return triplet("triplet_margin_loss", anchor, positive, negative, distance, o.margin(),
                 o.swap(), o.reduction());
}

Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive,
                                         const Tensor& negative,
                                         const TripletMarginWithDistanceOptions& o) {
  DistanceFunction distance = o.distance_function();
  if (!distance) distance = [](const Tensor& a, const Tensor& b) { return pairwise_distance(a, b); };
  return triplet("triplet_margin_with_distance_loss", anchor, positive, negative, distance,
                 o.margin(), o.swap(), o.reduction());
}

}  // namespace tg::losses
