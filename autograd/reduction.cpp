// Reductions: forward with xtensor reducers, backward broadcasts the gradient back.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>

#include <xtensor/xreducer.hpp>

#include <algorithm>

namespace tg {

// Sorted, unique, non-negative axes; an empty list means every axis.
static std::vector<std::size_t> norm_axes(const Axes& axes, std::size_t ndim, const char* op) {
  std::vector<std::size_t> out;
  for (auto a : axes) out.push_back(detail::norm_axis(a, ndim, op));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw ShapeError(str(op, ": an axis is repeated"));
  if (axes.empty())
    for (std::size_t i = 0; i < ndim; ++i) out.push_back(i);
  return out;
}
// The shape with the reduced axes kept as size 1.
static Shape kept_shape(const Shape& shape, const std::vector<std::size_t>& axes) {
  Shape kept = shape;
  for (auto a : axes) kept[a] = 1;
  return kept;
}
static Tensor reshaped(const Tensor& x, const Shape& shape) {
  return reshape(x, std::vector<std::ptrdiff_t>(shape.begin(), shape.end()));
}

Tensor sum(const Tensor& x) { return sum(x, {}, false); }
Tensor sum(const Tensor& x, const Axes& axes, bool keepdim) {
  Shape in = x.shape();
  auto ax = norm_axes(axes, in.size(), "sum");
  Shape kept = kept_shape(in, ax);
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> s = xt::sum(a, ax, xt::evaluation_strategy::immediate);
    if (keepdim) s.reshape(kept);
    return s;
  });
  return record_op("sum", out, {x}, [in, kept](const BackwardContext& c) {
    return Grads{broadcast_to(reshaped(c.grad, kept), in)};
  });
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }
Tensor mean(const Tensor& x, const Axes& axes, bool keepdim) {
  Shape in = x.shape();
  std::size_t count = 1;
  for (auto a : norm_axes(axes, in.size(), "mean")) count *= in[a];
  return sum(x, axes, keepdim) / double(count);
}

}  // namespace tg
