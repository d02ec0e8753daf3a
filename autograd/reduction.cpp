// Reductions: forward with xtensor reducers, backward broadcasts the gradient back.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/shape.hpp>

#include <xtensor/xreducer.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace tg {

// Sorted, unique, non-negative axes; an empty list means every axis.
static std::vector<std::size_t> norm_axes(const Axes& axes, std::size_t ndim, const char* op) {
  std::vector<std::size_t> out;
  for (auto a : axes) out.push_back(detail::norm_axis(a, ndim, op));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw ShapeError(str(op, ": an axis is repeated"));
  if (axes.empty() || ndim == 0) out.clear();  // a 0-d tensor accepts axis 0 / -1 as PyTorch
  if (axes.empty())
    for (std::size_t i = 0; i < ndim; ++i) out.push_back(i);
  return out;
}
// The result's shape: reduced axes kept as size 1 or dropped.
static Shape reduced_shape(const Shape& shape, const std::vector<std::size_t>& axes,
                           bool keepdim) {
  Shape out;
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (!std::binary_search(axes.begin(), axes.end(), i)) out.push_back(shape[i]);
    else if (keepdim) out.push_back(1);
  return out;
}
// reducer(array, axes) with xtensor, reshaped to `shape`. A zero-size input, which xtensor's
// reducers cannot take, gives `if_empty` everywhere (0 for sum, 1 for prod).
template <class F>
static Tensor reduce(const Tensor& x, const std::vector<std::size_t>& axes, const Shape& shape,
                     double if_empty, F reducer) {
  return visit(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> r = a.size() ? xt::xarray<T>(reducer(a, axes)) : detail::empty_array<T>(shape);
    if (a.size() == 0) r.fill(T(if_empty));
    r.reshape(shape);
    return make(std::move(r));
  });
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }
Tensor sum(const Tensor& x, const Axes& axes, bool keepdim) {
  if (!x.is_floating_point())  // counts: int64, exact (accumulated in double) up to 2^53
    return sum(x.to(Dtype::float64), axes, keepdim).to(Dtype::int64);
  Shape in = x.shape();
  auto ax = norm_axes(axes, in.size(), "sum");
  Shape kept = reduced_shape(in, ax, true);
  // float32 sums accumulate in double (PyTorch sums pairwise): 47M pixels summed in float32
  // drift by 5%.
  Tensor out = detail::sum_down(x, kept, reduced_shape(in, ax, keepdim));
  return record_op("sum", out, {x}, [in, kept](const BackwardContext& c) {
    return Grads{broadcast_to(reshape(c.grad, dims(kept)), in)};
  });
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }
// How many elements each result of a reduction over axes takes in.
static double count(const Shape& in, const Axes& axes, const char* op) {
  double n = 1;
  for (auto a : norm_axes(axes, in.size(), op)) n *= double(in[a]);
  return n;
}
Tensor mean(const Tensor& x, const Axes& axes, bool keepdim) {
  return sum(x, axes, keepdim) / count(x.shape(), axes, "mean");
}


static Tensor constant(const Tensor& like, double v) { return scalar(v, like.dtype()); }

static Tensor prod(const Tensor& x, const Axes& axes, bool keepdim) {
  Shape in = x.shape();
  auto ax = norm_axes(axes, in.size(), "prod");
  Shape kept = reduced_shape(in, ax, true);
  Tensor out = reduce(x, ax, reduced_shape(in, ax, keepdim), 1, [](const auto& a, const auto& ax) {
    return xt::prod(a, ax, xt::evaluation_strategy::immediate);
  });
  // d/dx_i = product of the others = out / x_i where x_i != 0. At a zero that is its slice's
  // only zero it is the product of the non-zeros; at any other zero it is 0 (as PyTorch).
  return record_op("prod", out, {x}, [axes, kept](const BackwardContext& c) {
    const Tensor& x = c.saved[0];
    Tensor g = reshape(c.grad, dims(kept)), p = reshape(c.out, dims(kept));
    Tensor is_zero = eq(x, constant(x, 0));
    if (sum(is_zero).item() == 0) return Grads{g * p / x};
    Tensor safe = where(is_zero, constant(x, 1), x);
    Tensor lone_zero = eq(sum(is_zero, axes, true), constant(x, 1));
    Tensor at_zero = where(lone_zero, g * prod(safe, axes, true), constant(x, 0));
    return Grads{where(is_zero, at_zero, g * p / safe)};
  }, {x}, SaveOutput::yes);
}
Tensor prod(const Tensor& x) { return prod(x, Axes{}, false); }
Tensor prod(const Tensor& x, std::ptrdiff_t axis, bool keepdim) {
  return prod(x, Axes{axis}, keepdim);
}

// ---------------------------------------------------------------- max, min, argmax, argmin
namespace {
// x viewed as [outer, n, inner] around one axis (the flattened tensor is [1, numel, 1]).
struct Reduced {  // where a single-axis (or flattened) reduction goes
  Layout layout;
  Shape out, kept;
  Axes axes;  // for sum(): {} = every axis
};
Reduced reduce_one(const Shape& in, std::optional<std::ptrdiff_t> axis, bool keepdim,
                   const char* op) {
  Reduced r;
  if (axis) r.axes = {*axis};
  const std::vector<std::size_t> ax = norm_axes(r.axes, in.size(), op);  // every axis if none
  r.kept = reduced_shape(in, ax, true);
  if (!axis)
    for (auto d : in) r.layout.n *= d;
  else if (!ax.empty())  // (a 0-d tensor keeps the default layout and shapes)
    r.layout = detail::layout(in, ax[0]), r.out = reduced_shape(in, ax, keepdim);
  return r;
}

// Position along the axis of the first largest (smallest) element of each line; NaN wins, as
// in PyTorch.
template <class T>
std::vector<std::size_t> extremal(const T* x, const Layout& l, bool largest) {
  std::vector<std::size_t> best(l.outer * l.inner, 0);
  l.each_line([&](std::size_t first, std::size_t index) {
    const T* line = x + first;
    std::size_t& b = best[index];
    for (std::size_t k = 1; k < l.n && !std::isnan(line[b * l.inner]); ++k) {
      T v = line[k * l.inner], cur = line[b * l.inner];
      if (std::isnan(v) || (largest ? v > cur : v < cur)) b = k;
    }
  });
  return best;
}

// The extremal values (or their indices, as floats) along the axis (or of all elements).
Tensor select_extreme(const Tensor& x, const Reduced& r, bool largest, bool index,
                      const char* op) {
  const Layout& l = r.layout;
  if (l.n == 0)
    throw ValueError(str(op, ": cannot reduce over an empty dimension (input of shape ",
                         to_string(x.shape()), ")"));
  return visit(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    std::vector<std::size_t> best = extremal(a.data(), l, largest);
    auto y = detail::empty_array<T>(r.out);
    for (std::size_t j = 0; j < best.size(); ++j) {
      std::size_t o = j / l.inner, i = j % l.inner;
      y.data()[j] = index ? T(best[j]) : a.data()[(o * l.n + best[j]) * l.inner + i];
    }
    return make(std::move(y));
  });
}

// Along an axis the gradient is split evenly between tied extremes, like the full reduction
// (PyTorch's amax); PyTorch's max(dim) would send it all to the returned index instead.
Tensor extreme(const Tensor& x, std::optional<std::ptrdiff_t> axis, bool keepdim, bool largest) {
  const char* op = largest ? "max" : "min";
  Reduced r = reduce_one(x.shape(), axis, keepdim, op);
  Tensor out = select_extreme(x, r, largest, false, op);
  return record_op(op, out, {x}, [r](const BackwardContext& c) {
    Tensor mask = eq(c.saved[0], reshape(c.out, dims(r.kept)));
    return Grads{reshape(c.grad, dims(r.kept)) * mask / sum(mask, r.axes, true)};
  }, {x}, SaveOutput::yes);
}

Tensor arg_extreme(const Tensor& x, std::optional<std::ptrdiff_t> axis, bool keepdim,
                   bool largest) {
  const char* op = largest ? "argmax" : "argmin";
  return select_extreme(x.detach(), reduce_one(x.shape(), axis, keepdim, op), largest, true, op)
      .to(Dtype::int64);
}
}  // namespace

#define TG_EXTREME(name, impl, largest)                                    \
  Tensor name(const Tensor& x) { return impl(x, std::nullopt, false, largest); } \
  Tensor name(const Tensor& x, std::ptrdiff_t axis, bool keepdim) {        \
    return impl(x, axis, keepdim, largest);                                \
  }
TG_EXTREME(max, extreme, true)
TG_EXTREME(min, extreme, false)
TG_EXTREME(argmax, arg_extreme, true)
TG_EXTREME(argmin, arg_extreme, false)
#undef TG_EXTREME

// ---------------------------------------------------------------- var, std, logsumexp
// var = sum((x - mean)²) / max(0, N - correction): N = correction gives 0/0 = NaN, as PyTorch.
Tensor var(const Tensor& x) { return var(x, {}, 1, false); }
Tensor var(const Tensor& x, const Axes& axes, double correction, bool keepdim) {
  const double n = count(x.shape(), axes, "var");  // first: a bad axis is var's error
  Tensor d = x - mean(x, axes, true);
  return sum(d * d, axes, keepdim) / std::max(0.0, n - correction);
}
Tensor std(const Tensor& x) { return sqrt(var(x)); }
Tensor std(const Tensor& x, const Axes& axes, double correction, bool keepdim) {
  return sqrt(var(x, axes, correction, keepdim));
}

// log Σ exp(x) = m + log Σ exp(x - m) with m the (constant) max, so exp cannot overflow; an
// infinite max shifts by 0 instead (else inf - inf = NaN).
Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdim) {
  Shape in = x.shape();
  auto ax = norm_axes(axes, in.size(), "logsumexp");
  Shape kept = reduced_shape(in, ax, true);
  Tensor m = reduce(x, ax, kept, 0, [](const auto& a, const auto& ax) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> shift = xt::amax(a, ax, xt::evaluation_strategy::immediate);
    for (auto& v : shift) v = std::isfinite(v) ? v : T(0);
    return shift;
  });
  Tensor s = sum(exp(x - m), axes, keepdim);
  return log(s) + reshape(m, dims(s.shape()));
}

Tensor norm(const Tensor& x, double p) { return norm(x, p, {}, false); }
Tensor norm(const Tensor& x, double p, const Axes& axes, bool keepdim) {
  const Tensor a = abs(x.to(detail::float_dtype(x.dtype())));
  if (p == 0) return sum((a != 0).to(a.dtype()), axes, keepdim);
  if (p == 1) return sum(a, axes, keepdim);
  if (std::isinf(p)) {  // the sum of the extremes over their count: amax's gradient
    Tensor m = a.detach();
    for (auto d : norm_axes(axes, a.ndim(), "norm")) m = p > 0 ? max(m, d, true) : min(m, d, true);
    Tensor at = eq(a, m);
    return sum(where(at, a, zeros_like(a)), axes, keepdim) / sum(at, axes, keepdim);
  }
  // s^(1/p) has an infinite slope at s = 0: the root is taken of 1 there and then replaced by
  // 0, so the gradient is 0 (where's) rather than 0 · ∞ = NaN.
  Tensor s = sum(pow(a, p), axes, keepdim), zero = s == 0, safe = where(zero, ones_like(s), s);
  return where(zero, zeros_like(s), p == 2 ? sqrt(safe) : pow(safe, 1 / p));
}

// ---------------------------------------------------------------- softmax, log_softmax
// Per line along the axis: y = exp(x - max) / Σ exp(x - max), or its log x - max - log Σ.
// dx = y (g - Σ g y) for softmax; dx = g - softmax Σ g, softmax = exp(out), for log_softmax.
static Tensor softmax(const Tensor& x, std::ptrdiff_t axis, bool take_log) {
  const char* op = take_log ? "log_softmax" : "softmax";
  Reduced r = reduce_one(x.shape(), axis, true, op);
  const Layout& l = r.layout;
  Tensor out = visit(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    auto result = detail::empty_array<T>(detail::to_shape(a.shape()));
    const T* in = a.data();
    T* y = result.data();
    l.each_line([&](std::size_t base, std::size_t) {
      T m = -std::numeric_limits<T>::infinity(), s = 0;
      for (std::size_t k = 0; k < l.n; ++k) m = std::max(m, in[base + k * l.inner]);
      for (std::size_t k = 0; k < l.n; ++k) {  // y holds exp(x - m) until it is normalised
        std::size_t j = base + k * l.inner;
        y[j] = std::exp(in[j] - m);
        s += y[j];
      }
      const T log_s = std::log(s);
      for (std::size_t k = 0; k < l.n; ++k) {
        std::size_t j = base + k * l.inner;
        y[j] = take_log ? in[j] - m - log_s : y[j] / s;
      }
    });
    return make(std::move(result));
  });
  return record_op(op, out, {x}, [r, take_log](const BackwardContext& c) {
    if (take_log) return Grads{c.grad - exp(c.out) * sum(c.grad, r.axes, true)};
    return Grads{c.out * (c.grad - sum(c.grad * c.out, r.axes, true))};
  }, {}, SaveOutput::yes);
}
Tensor softmax(const Tensor& x, std::ptrdiff_t axis) { return softmax(x, axis, false); }
Tensor log_softmax(const Tensor& x, std::ptrdiff_t axis) { return softmax(x, axis, true); }

}  // namespace tg
