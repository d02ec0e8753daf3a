// Reductions and the building blocks shared by the losses.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/detail/common.hpp>
#include <tapegrad/losses/reduction.hpp>

#include <algorithm>
#include <cmath>

namespace tg::losses {


Tensor reduce(const Tensor& loss, Reduction reduction, const char* op) {
  switch (reduction) {
    case Reduction::none: return loss;
    case Reduction::mean: return mean(loss);
    case Reduction::sum: return sum(loss);
    case Reduction::batchmean: break;
  }
  throw ValueError(str(op, ": reduction batchmean is only valid for kl_div"));
}

namespace detail {

void check_same_shape(const char* op, const Tensor& a, const Tensor& b, const char* a_name,
                      const char* b_name) {
  if (a.shape() != b.shape())
    throw ShapeError(str(op, ": ", a_name, " shape ", to_string(a.shape()), " and ", b_name,
                         " shape ", to_string(b.shape()), " differ"));
}

void check_broadcasts_to(const char* op, const char* what, const Tensor& t, const Shape& shape) {
  Shape s = t.shape();
  auto fits = [](std::size_t dim, std::size_t target) { return dim == target || dim == 1; };
  if (s.size() > shape.size() || !std::equal(s.rbegin(), s.rend(), shape.rbegin(), fits))
    throw ShapeError(str(op, ": ", what, " shape ", to_string(s),
                         " does not broadcast to input shape ", to_string(shape)));
}

Tensor weighted(const char* op, const Tensor& loss, const Tensor& weight) {
  if (!weight.defined()) return loss;
  check_broadcasts_to(op, "weight", weight, loss.shape());
  return loss * weight;
}

Tensor clamp_min_straight_through(const Tensor& x, double lo) {
  Tensor constant = x.detach();
  return x + (clamp(constant, lo, std::nullopt) - constant);
}

Tensor norm(const Tensor& x, double p, std::ptrdiff_t axis, bool keepdim, const char* op) {
  if (std::isinf(p) && p > 0) return max(abs(x), axis, keepdim);
  if (!(p > 0)) throw ValueError(str(op, ": the norm degree p must be positive, got ", p));
  if (p == 1) return sum(abs(x), {axis}, keepdim);
  Tensor s = sum(p == 2 ? x * x : pow(abs(x), p), {axis}, keepdim);
  // s^(1/p) has an infinite slope at 0: evaluate it at 1 there and mask the result, so the
  // gradient is 0 instead of 0·inf = NaN.
  Tensor positive = s > 0.0, safe = where(positive, s, scalar_like(1, s));
  return where(positive, p == 2 ? sqrt(safe) : pow(safe, 1.0 / p), scalar_like(0, s));
}

Tensor scalar_like(double value, const Tensor& like) { return scalar(value, like.dtype()); }

std::ptrdiff_t class_axis(const Tensor& input) { return input.ndim() == 1 ? 0 : 1; }

Tensor class_weight(const char* op, const Tensor& weight, const Tensor& input) {
  std::size_t classes = input.size(class_axis(input));
  if (weight.defined() && weight.shape() != Shape{classes})
    throw ShapeError(str(op, ": weight shape ", to_string(weight.shape()), " does not fit input shape ",
                         to_string(input.shape()), " (one weight per class: [", classes, "])"));
  if (!weight.defined() || input.ndim() <= 1) return weight;
  std::vector<std::ptrdiff_t> shape(input.ndim(), 1);
  shape[1] = -1;
  return reshape(weight, shape);
}

ClassTargets class_targets(const char* op, const Tensor& input, const Tensor& target,
                           const Tensor& weight, std::optional<long> ignore_index,
                           double label_smoothing) {
  Shape in = input.shape();
  if (in.empty()) throw ShapeError(str(op, ": input must have a class dim, got shape []"));
  std::size_t axis = class_axis(input), classes = in[axis];
  Shape expected = in;
  expected.erase(expected.begin() + axis);
  if (target.shape() != expected)
    throw ShapeError(str(op, ": target shape ", to_string(target.shape()), " does not fit input shape ",
                         to_string(in), " (expected ", to_string(expected), ")"));
  class_weight(op, weight, input);  // checks weight's shape
  std::vector<double> w = weight.defined() ? to_vector(weight) : std::vector<double>(classes, 1.0);
  std::size_t batch = axis == 0 ? 1 : in[0], inner = 1;
  for (std::size_t i = axis + 1; i < in.size(); ++i) inner *= in[i];
  std::vector<double> t = to_vector(target), mass(input.numel(), 0.0);
  double total = 0, eps = label_smoothing;
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t r = 0; r < inner; ++r) {
      double v = t[n * inner + r];
      if (ignore_index && v == double(*ignore_index)) continue;
      if (!(v >= 0 && v < double(classes) && v == std::floor(v)))
        throw ValueError(str(op, ": target ", v, " is not a class index in [0, ", classes, ")"));
      std::size_t k = static_cast<std::size_t>(v);
      total += w[k];
      for (std::size_t c = 0; c < classes; ++c)
        mass[(n * classes + c) * inner + r] = w[c] * ((1 - eps) * (c == k) + eps / double(classes));
    }
  return {from_vector(mass, in, input.dtype()), total};
}

}  // namespace detail
}  // namespace tg::losses
