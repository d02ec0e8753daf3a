// Classification losses. Only two nodes have hand-written derivatives: binary_cross_entropy
// (PyTorch's clamped logs need PyTorch's finite gradient at 0 and 1) and the fused
// log_softmax + NLL of cross_entropy (one loop forward and back instead of a dozen ops).
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/classification.hpp>
#include <tapegrad/losses/detail/common.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tg::losses {

using namespace detail;

namespace {

Tensor clamped_log(const Tensor& x) { return clamp(log(x), -100.0, std::nullopt); }

// -(t·log x + (1-t)·log(1-x)) with clamped logs. d/dx = (x - t) / max(x(1-x), 1e-12) is finite
// at x = 0 and 1, where the composed derivative would be 0·inf = NaN; d/dt = log(1-x) - log x.
Tensor binary_cross_entropy_elementwise(const Tensor& x, const Tensor& t) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = -(t * clamped_log(x) + (1.0 - t) * clamped_log(1.0 - x));
  }
  return record_op("binary_cross_entropy", out, {x, t}, [](const BackwardContext& c) {
    const Tensor &x = c.saved[0], &t = c.saved[1];
    return Grads{
        c.needs(0) ? c.grad * (x - t) / clamp(x * (1.0 - x), 1e-12, std::nullopt) : Tensor(),
        c.needs(1) ? c.grad * (clamped_log(1.0 - x) - clamped_log(x)) : Tensor()};
  }, {x, t});
}

// log Σ_c exp(x[c·stride]), shifted by the max so that ±1000 stays finite.
template <class T> T row_logsumexp(const T* x, std::size_t classes, std::size_t stride) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::size_t c = 0; c < classes; ++c) m = std::max(m, x[c * stride]);
  if (!std::isfinite(m)) return m;
  T s = 0;
  for (std::size_t c = 0; c < classes; ++c) s += std::exp(x[c * stride] - m);
  return m + std::log(s);
}

// -Σ_c q_c·log softmax(x)_c along axis as one node (q of x's shape); terms with q_c = 0 are
// skipped, so a masked logit of -inf is fine. d/dx = softmax(x)·Σ_c q_c - q (softmax - onehot for
// one-hot q), d/dq = -log softmax(x). Forward and the usual backward are single loops; under
// create_graph the same d/dx is recorded with ops so that it can be differentiated again.
Tensor softmax_cross_entropy(const Tensor& x, const Tensor& target_mass, std::size_t axis) {
  Tensor q = target_mass.to(x.dtype());
  Shape shape = x.shape(), out_shape = shape;
  out_shape.erase(out_shape.begin() + static_cast<std::ptrdiff_t>(axis));
  const Layout rows = tg::detail::layout(shape, axis);  // [outer, classes, inner]
  Tensor lse;  // log Σ exp(x) of each row, saved for backward
  Tensor out = visit(x, [&](const auto& xa) {
    using T = typename std::decay_t<decltype(xa)>::value_type;
    const T *xd = xa.data(), *qd = q.value<T>().data();
    auto loss = tg::detail::empty_array<T>(out_shape), norm = loss;
    rows.each_line([&](std::size_t first, std::size_t row) {
      T m = row_logsumexp(xd + first, rows.n, rows.inner), sum = 0;
      for (std::size_t c = 0, i = first; c < rows.n; ++c, i += rows.inner)
        if (qd[i] != 0) sum += qd[i] * (m - xd[i]);
      loss.data()[row] = sum;
      norm.data()[row] = m;
    });
    lse = make(std::move(norm));
    return make(std::move(loss));
  });
  auto ax = static_cast<std::ptrdiff_t>(axis);
  return record_op("cross_entropy", out, {x, q}, [ax, rows](const BackwardContext& c) {
    const Tensor &x = c.saved[0], &q = c.saved[1], &lse = c.saved[2];
    Tensor dx, dq;
    if (c.needs(0) && is_grad_enabled()) {
      dx = unsqueeze(c.grad, ax) * (softmax(x, ax) * sum(q, {ax}, true) - q);
    } else if (c.needs(0)) {
      dx = visit(x, [&](const auto& xa) {
        using T = typename std::decay_t<decltype(xa)>::value_type;
        Tensor g = c.grad.to(x.dtype());
        const T *xd = xa.data(), *qd = q.value<T>().data(), *gd = g.value<T>().data();
        const T* norm = lse.value<T>().data();
        auto grad = tg::detail::empty_array<T>(x.shape());
        rows.each_line([&](std::size_t first, std::size_t row) {
          T total = 0;
          for (std::size_t k = 0, i = first; k < rows.n; ++k, i += rows.inner) total += qd[i];
          for (std::size_t k = 0, i = first; k < rows.n; ++k, i += rows.inner)
            grad.data()[i] = gd[row] * (std::exp(xd[i] - norm[row]) * total - qd[i]);
        });
        return make(std::move(grad));
      });
    }
    if (c.needs(1)) dq = -unsqueeze(c.grad, ax) * log_softmax(x, ax);
    return Grads{dx, dq};
  }, {x, q, lse});
}

// Class-index losses average over the total weight of the targets, not over their count.
Tensor reduce_by_weight(const Tensor& loss, double total_weight, Reduction reduction,
                        const char* op) {
  if (reduction != Reduction::mean) return reduce(loss, reduction, op);
  // A zero total (all targets ignored, empty batch) gives NaN with a zero gradient, as PyTorch.
  return total_weight == 0 ? sum(loss) + std::nan("") : sum(loss) / total_weight;
}

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction reduction) {
  const char* op = "binary_cross_entropy";
  check_same_shape(op, input, target);
  bool in_range = tg::detail::visit(input, [](const auto& a) {
    return std::all_of(a.begin(), a.end(), [](auto v) { return v >= 0 && v <= 1; });
  });
  if (!in_range) throw ValueError(str(op, ": all elements of input should be between 0 and 1"));
  return reduce(weighted(op, binary_cross_entropy_elementwise(input, target), weight), reduction,
                op);
}
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction) {
  return binary_cross_entropy(input, target, Tensor(), reduction);
}

// -log sigmoid(x) = softplus(-x) and -log(1 - sigmoid(x)) = x + softplus(-x).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& o) {
  const char* op = "binary_cross_entropy_with_logits";
  check_same_shape(op, input, target);
  Tensor log_sigmoid_neg = softplus(-input);
  if (o.pos_weight().defined()) {
    check_broadcasts_to(op, "pos_weight", o.pos_weight(), input.shape());
    log_sigmoid_neg = (1.0 + (o.pos_weight() - 1.0) * target) * log_sigmoid_neg;
  }
  return reduce(weighted(op, (1.0 - target) * input + log_sigmoid_neg, o.weight()), o.reduction(),
                op);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
  const char* op = "cross_entropy";
  double eps = o.label_smoothing();
  if (!(eps >= 0 && eps <= 1))
    throw ValueError(str(op, ": label_smoothing must be in [0, 1], got ", eps));
  if (input.ndim() == 0) throw ShapeError(str(op, ": input must have a class dim, got shape []"));
  std::size_t axis = static_cast<std::size_t>(class_axis(input));
  if (target.shape() != input.shape()) {  // class indices
    ClassTargets t = class_targets(op, input, target, o.weight(), o.ignore_index(), eps);
    return reduce_by_weight(softmax_cross_entropy(input, t.mass, axis), t.total, o.reduction(), op);
  }
  std::size_t classes = input.size(axis);  // probabilities
  Tensor q = eps > 0 ? target * (1 - eps) + eps / double(classes) : target;
  if (o.weight().defined()) q = q * class_weight(op, o.weight(), input);
  return reduce(softmax_cross_entropy(input, q, axis), o.reduction(), op);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLOptions& o) {
  ClassTargets t = class_targets("nll_loss", input, target, o.weight(), o.ignore_index());
  // -Σ_c mass_c·input_c with 0·(-inf) = 0: a log-probability of -inf (a masked logit) that
  // carries no target mass adds nothing, as in PyTorch's NLL which reads only the target entry.
  Tensor m = t.mass, masked = where(m != scalar_like(0, m), m * input, scalar_like(0, input));
  Tensor loss = -sum(masked, {class_axis(input)});
  return reduce_by_weight(loss, t.total, o.reduction(), "nll_loss");
}

Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target) {
  check_same_shape("kl_div", input, target);
  auto safe_log = [](const Tensor& t) {  // target·log(target) is 0 at target = 0: log 1 there
    return log(where(eq(t, scalar_like(0, t)), scalar_like(1, t), t));
  };
  Tensor loss = log_target ? exp(target) * (target - input) : target * (safe_log(target) - input);
  if (reduction == Reduction::batchmean)
    return sum(loss) / double(input.ndim() ? input.size(0) : 1);
  return reduce(loss, reduction, "kl_div");
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("soft_margin_loss", input, target);
  return reduce(softplus(-target * input), reduction, "soft_margin_loss");
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, const MultiMarginOptions& o) {
  const char* op = "multi_margin_loss";
  if (o.p() != 1 && o.p() != 2) throw ValueError(str(op, ": p must be 1 or 2, got ", o.p()));
  if (input.ndim() != 1 && input.ndim() != 2)
    throw ShapeError(str(op, ": input must be [N, C] or [C], got ", to_string(input.shape())));
  std::ptrdiff_t axis = class_axis(input);
  std::size_t classes = input.size(axis);
  Tensor one_hot = class_targets(op, input, target, Tensor(), std::nullopt).mass;
  // relu, not clamp: PyTorch counts a class only when its margin term is > 0
  Tensor z = relu(o.margin() - sum(one_hot * input, {axis}, true) + input);
  if (o.p() == 2) z = z * z;
  z = z * (1.0 - one_hot);
  if (o.weight().defined())
    z = z * sum(one_hot * class_weight(op, o.weight(), input), {axis}, true);
  return reduce(sum(z, {axis}) / double(classes), o.reduction(), op);
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const char* op = "multilabel_margin_loss";
  check_same_shape(op, input, target);
  if (input.ndim() != 1 && input.ndim() != 2)
    throw ShapeError(str(op, ": input must be [N, C] or [C], got ", to_string(input.shape())));
  Tensor x = input.ndim() == 1 ? unsqueeze(input, 0) : input;
  std::size_t n_samples = x.size(0), classes = x.size(1);
  // pairs[n, j, i] = (times j is listed as a target of n) · (i is not a target of n)
  std::vector<double> t = to_vector(target), pairs(n_samples * classes * classes, 0.0);
  for (std::size_t n = 0; n < n_samples; ++n) {
    std::vector<double> listed(classes, 0.0);
    for (std::size_t k = 0; k < classes; ++k) {
      double v = t[n * classes + k];
      if (v < 0 && v >= -1) break;
      if (!(v >= 0 && v < double(classes) && v == std::floor(v)))
        throw ValueError(str(op, ": target ", v, " is neither -1 nor a class index in [0, ",
                             classes, ")"));
      listed[static_cast<std::size_t>(v)] += 1;
    }
    for (std::size_t j = 0; j < classes; ++j)
      for (std::size_t i = 0; i < classes; ++i)
        pairs[(n * classes + j) * classes + i] = listed[j] * (listed[i] == 0);
  }
  Tensor mask = from_vector(pairs, {n_samples, classes, classes}, input.dtype());
  Tensor margins = relu(1.0 - unsqueeze(x, 2) + unsqueeze(x, 1));  // [n, j, i]: 1 - (x_j - x_i)
  Tensor loss = sum(mask * margins, {1, 2}) / double(classes);
  return reduce(input.ndim() == 1 ? reshape(loss, {}) : loss, reduction, op);
}

Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                   const Tensor& weight, Reduction reduction) {
  const char* op = "multilabel_soft_margin_loss";
  check_same_shape(op, input, target);
  if (input.ndim() == 0) throw ShapeError(str(op, ": input must have a class dim, got shape []"));
  Tensor loss = weighted(op, target * softplus(-input) + (1.0 - target) * softplus(input), weight);
  return reduce(sum(loss, {-1}) / double(input.size(-1)), reduction, op);
}
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return multilabel_soft_margin_loss(input, target, Tensor(), reduction);
}

Tensor sigmoid_focal_loss(const Tensor& input, const Tensor& target, double alpha, double gamma,
                          Reduction reduction) {
  const char* op = "sigmoid_focal_loss";
  check_same_shape(op, input, target);
  Tensor p = sigmoid(input);
  Tensor ce = binary_cross_entropy_with_logits(input, target,
                                               BCEWithLogitsOptions().reduction(Reduction::none));
  Tensor p_t = p * target + (1.0 - p) * (1.0 - target);
  Tensor loss = ce * pow(1.0 - p_t, gamma);
  if (alpha >= 0) loss = (alpha * target + (1 - alpha) * (1.0 - target)) * loss;
  return reduce(loss, reduction, op);
}

Tensor dice_loss(const Tensor& input, const Tensor& target, double smooth, Reduction reduction) {
  check_same_shape("dice_loss", input, target);
  Axes axes;  // every dim but the batch dim; none (= all) for a 1-D input
  for (std::size_t i = 1; i < input.ndim(); ++i) axes.push_back(static_cast<std::ptrdiff_t>(i));
  Tensor overlap = sum(input * target, axes), total = sum(input, axes) + sum(target, axes);
  return reduce(1.0 - (2.0 * overlap + smooth) / (total + smooth), reduction, "dice_loss");
}

}  // namespace tg::losses
