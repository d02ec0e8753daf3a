// Shape ops: each result is a new contiguous array; backward undoes the move of elements.
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/shape.hpp>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xreducer.hpp>

namespace tg {

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  Shape from = x.shape();
  if (from == shape) return x;
  if (detail::broadcast_shapes(from, shape, "broadcast_to") != shape)
    throw ShapeError(str("broadcast_to: shape ", to_string(from), " cannot be broadcast to ",
                         to_string(shape)));
  Tensor out = map(x, [&](const auto& a) { return xt::broadcast(a, shape); });
  return record_op("broadcast_to", out, {x}, [from](const BackwardContext& c) {
    return Grads{sum_to(c.grad, from)};
  });
}
Tensor expand(const Tensor& x, const Shape& shape) { return broadcast_to(x, shape); }

Tensor sum_to(const Tensor& x, const Shape& shape) {
  Shape from = x.shape();
  if (from == shape) return x;
  if (detail::broadcast_shapes(shape, from, "sum_to") != from)
    throw ShapeError(str("sum_to: shape ", to_string(from), " cannot be summed to ",
                         to_string(shape)));
  std::vector<std::size_t> axes;  // leading axes, and axes where the target has size 1
  std::size_t lead = from.size() - shape.size();
  for (std::size_t i = 0; i < from.size(); ++i)
    if (i < lead || (shape[i - lead] == 1 && from[i] != 1)) axes.push_back(i);
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> s = xt::sum(a, axes, xt::evaluation_strategy::immediate);
    s.reshape(shape);
    return s;
  });
  return record_op("sum_to", out, {x}, [from](const BackwardContext& c) {
    return Grads{broadcast_to(c.grad, from)};
  });
}

static Shape infer_shape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape,
                         const char* op) {
  Shape out(shape.size());
  std::size_t known = 1, n = x.numel();
  std::ptrdiff_t infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0) {
      infer = static_cast<std::ptrdiff_t>(i);
      continue;
    }
    if (shape[i] < 0)
      throw ShapeError(str(op, ": bad target dimension ", shape[i], " for a tensor of shape ",
                           to_string(x.shape())));
    out[i] = static_cast<std::size_t>(shape[i]);
    known *= out[i];
  }
  if (infer >= 0 && known != 0 && n % known == 0) out[infer] = n / known;
  std::size_t total = 1;
  for (auto d : out) total *= d;
  if (total != n || (infer >= 0 && known == 0)) {
    std::string target = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) target += (i ? "," : "") + std::to_string(shape[i]);
    throw ShapeError(str(op, ": cannot reshape a tensor of shape ", to_string(x.shape()), " (",
                         n, " elements) to ", target, "]"));
  }
  return out;
}

Tensor reshape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape) {
  Shape to = infer_shape(x, shape, "reshape"), from = x.shape();
  if (to == from) return x;
  Tensor out = map(x, [&](const auto& a) {
    auto copy = a;
    copy.reshape(to);
    return copy;
  });
  return record_op("reshape", out, {x}, [from](const BackwardContext& c) {
    return Grads{reshape(c.grad, std::vector<std::ptrdiff_t>(from.begin(), from.end()))};
  });
}
Tensor view(const Tensor& x, const std::vector<std::ptrdiff_t>& shape) { return reshape(x, shape); }

}  // namespace tg
