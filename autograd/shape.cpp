// Shape ops: each result is a new contiguous array; backward undoes the move of elements.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/shape.hpp>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>

#include <algorithm>
#include <cmath>

namespace tg {

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  Shape from = x.shape();
  if (from == shape) return x;
  if (detail::broadcast_shapes(from, shape, "broadcast_to") != shape)
    throw ShapeError(str("broadcast_to: shape ", to_string(from), " cannot be broadcast to ",
                         to_string(shape)));
  Tensor out = detail::visit_all(x, [&](const auto& a) {  // shape ops keep any dtype
    using T = typename std::decay_t<decltype(a)>::value_type;
    return make(xt::xarray<T>(xt::broadcast(a, shape)));
  });
  return record_op("broadcast_to", out, {x}, [from](const BackwardContext& c) {
    return Grads{sum_to(c.grad, from)};
  });
}
Tensor expand(const Tensor& x, const Shape& shape) { return broadcast_to(x, shape); }

// One step of an odometer over the first nd dims of `extent` (the last of them fastest): bumps
// pos and moves offset by step[d] along every dim it advances or wraps.
static void advance(std::vector<std::size_t>& pos, const std::vector<std::size_t>& extent,
                    const std::vector<std::size_t>& step, std::size_t& offset, std::size_t nd) {
  for (std::size_t d = nd; d-- > 0;) {
    offset += step[d];
    if (++pos[d] < extent[d]) return;
    offset -= step[d] * extent[d];
    pos[d] = 0;
  }
}

// Each input element adds into the output element whose index drops the summed axes: an
// odometer over the input with output strides that are 0 along those axes. Adjacent axes that
// are both summed or both kept are merged first (size-1 axes dropped), so the last axis is one
// long tight loop: a running sum in four lanes when it is summed away, a vector add otherwise.
Tensor detail::sum_down(const Tensor& x, const Shape& kept, const Shape& out_shape) {
  const Shape from = x.shape();
  const std::size_t lead = from.size() - kept.size();
  std::vector<std::size_t> size;  // the merged axes
  std::vector<bool> summed;
  for (std::size_t d = 0; d < from.size(); ++d) {
    if (from[d] == 1) continue;
    const bool s = d < lead || kept[d - lead] == 1;
    if (!size.empty() && summed.back() == s) size.back() *= from[d];
    else size.push_back(from[d]), summed.push_back(s);
  }
  if (size.empty()) size.push_back(1), summed.push_back(false);
  const std::size_t nd = size.size();
  std::vector<std::size_t> stride(nd, 0), index(nd, 0);
  std::size_t total = 1;
  for (std::size_t d = nd; d-- > 0;)
    if (!summed[d]) stride[d] = total, total *= size[d];
  return visit(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    std::vector<double> acc(total, 0.0);
    const std::size_t inner = size[nd - 1];
    std::size_t off = 0;
    for (std::size_t start = 0; start < a.size(); start += inner) {
      const T* in = a.data() + start;
      if (summed[nd - 1]) {
        double lane[4] = {0, 0, 0, 0};
        std::size_t k = 0;
        for (; k + 4 <= inner; k += 4)
          for (std::size_t l = 0; l < 4; ++l) lane[l] += in[k + l];
        for (; k < inner; ++k) lane[0] += in[k];
        acc[off] += (lane[0] + lane[1]) + (lane[2] + lane[3]);
      } else {
        for (std::size_t k = 0; k < inner; ++k) acc[off + k] += in[k];
      }
      advance(index, size, stride, off, nd - 1);
    }
    auto r = detail::empty_array<T>(out_shape);
    std::copy(acc.begin(), acc.end(), r.data());
    return make(std::move(r));
  });
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  Shape from = x.shape();
  if (from == shape) return x;
  if (detail::broadcast_shapes(shape, from, "sum_to") != from)
    throw ShapeError(str("sum_to: shape ", to_string(from), " cannot be summed to ",
                         to_string(shape)));
  Tensor out = detail::sum_down(x, shape, shape);
  return record_op("sum_to", out, {x}, [from](const BackwardContext& c) {
    return Grads{broadcast_to(c.grad, from)};
  });
}

static Shape infer_shape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape,
                         const char* op) {
  Shape out(shape.size());
  const std::size_t n = x.numel();
  std::ptrdiff_t infer = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0) infer = static_cast<std::ptrdiff_t>(i);
    else if (shape[i] < 0)
      throw ShapeError(str(op, ": bad target dimension ", shape[i], " for a tensor of shape ",
                           to_string(x.shape())));
    out[i] = shape[i] < 0 ? 1 : static_cast<std::size_t>(shape[i]);  // 1 for now where inferred
  }
  const std::size_t known = detail::checked_numel(out, op);
  if (infer >= 0 && known != 0 && n % known == 0) out[infer] = n / known;
  if (detail::checked_numel(out, op) != n || (infer >= 0 && known == 0)) {
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
  Tensor out = detail::visit_all(x, [&](const auto& a) {
    auto copy = a;
    copy.reshape(to);
    return make(std::move(copy));
  });
  return record_op("reshape", out, {x}, [from](const BackwardContext& c) {
    return Grads{reshape(c.grad, dims(from))};
  });
}
Tensor view(const Tensor& x, const std::vector<std::ptrdiff_t>& shape) { return reshape(x, shape); }

Tensor flatten(const Tensor& x, std::ptrdiff_t start_dim, std::ptrdiff_t end_dim) {
  Shape in = x.shape();
  if (in.empty()) return reshape(x, {1});
  std::size_t s = detail::norm_axis(start_dim, in.size(), "flatten");
  std::size_t e = detail::norm_axis(end_dim, in.size(), "flatten");
  if (s > e)
    throw ShapeError(str("flatten: start_dim ", start_dim, " comes after end_dim ", end_dim,
                         " for a tensor of shape ", to_string(in)));
  Shape out(in.begin(), in.begin() + s);
  std::size_t merged = 1;
  for (std::size_t i = s; i <= e; ++i) merged *= in[i];
  out.push_back(merged);
  out.insert(out.end(), in.begin() + e + 1, in.end());
  return reshape(x, dims(out));
}

Tensor squeeze(const Tensor& x) {
  Shape out;
  for (auto d : x.shape())
    if (d != 1) out.push_back(d);
  return reshape(x, dims(out));
}
Tensor squeeze(const Tensor& x, std::ptrdiff_t axis) {
  Shape s = x.shape();
  std::size_t a = detail::norm_axis(axis, s.size(), "squeeze");
  if (s.empty() || s[a] != 1) return x;
  s.erase(s.begin() + a);
  return reshape(x, dims(s));
}
Tensor unsqueeze(const Tensor& x, std::ptrdiff_t axis) {
  Shape s = x.shape();
  s.insert(s.begin() + detail::norm_axis(axis, s.size() + 1, "unsqueeze"), 1);
  return reshape(x, dims(s));
}

// out[i0..ik] = x[i_perm⁻¹...]: one pass over the output, reading x with permuted strides.
Tensor permute(const Tensor& x, const std::vector<std::ptrdiff_t>& dims) {
  Shape in = x.shape();
  const std::size_t nd = in.size();
  if (dims.size() != nd)
    throw ShapeError(str("permute: ", dims.size(), " dims given for a tensor of shape ",
                         to_string(in)));
  std::vector<std::size_t> perm(nd), inverse(nd, nd);
  for (std::size_t k = 0; k < nd; ++k) {
    perm[k] = detail::norm_axis(dims[k], nd, "permute");
    if (inverse[perm[k]] != nd)
      throw ShapeError(str("permute: dim ", dims[k], " is repeated (tensor of shape ",
                           to_string(in), ")"));
    inverse[perm[k]] = k;
  }
  if (std::is_sorted(perm.begin(), perm.end())) return x;
  Shape out(nd), step(nd);  // output extents and the input stride along each output dim
  std::vector<std::size_t> in_stride(nd, 1);
  for (std::size_t d = nd - 1; d > 0; --d) in_stride[d - 1] = in_stride[d] * in[d];
  for (std::size_t k = 0; k < nd; ++k) out[k] = in[perm[k]], step[k] = in_stride[perm[k]];
  Tensor y = detail::visit_all(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    auto r = detail::empty_array<T>(out);
    const std::size_t last = out.back(), stride = step.back(), rows = last ? r.size() / last : 0;
    std::vector<std::size_t> pos(nd, 0);
    const T* src = a.data();
    T* dst = r.data();
    std::size_t offset = 0;
    for (std::size_t row = 0; row < rows; ++row) {
      for (std::size_t j = 0; j < last; ++j) *dst++ = src[offset + j * stride];
      advance(pos, out, step, offset, nd - 1);  // the next row
    }
    return make(std::move(r));
  });
  std::vector<std::ptrdiff_t> back(inverse.begin(), inverse.end());
  return record_op("permute", y, {x}, [back](const BackwardContext& c) {
    return Grads{permute(c.grad, back)};
  });
}

Tensor transpose(const Tensor& x, std::ptrdiff_t dim0, std::ptrdiff_t dim1) {
  const std::size_t nd = x.ndim(), a = detail::norm_axis(dim0, nd, "transpose"),
                    b = detail::norm_axis(dim1, nd, "transpose");
  if (nd == 0) return x;  // whose dims 0 and -1 are both valid
  std::vector<std::ptrdiff_t> perm(nd);
  for (std::size_t i = 0; i < nd; ++i) perm[i] = std::ptrdiff_t(i);
  std::swap(perm[a], perm[b]);
  return permute(x, perm);
}

Tensor t(const Tensor& x) {
  if (x.ndim() > 2)
    throw ShapeError(str("t: expects a tensor with at most 2 dimensions, got shape ",
                         to_string(x.shape())));
  return x.ndim() < 2 ? x : transpose(x, 0, 1);
}

// ---------------------------------------------------------------- moving blocks of elements
// A selection of x: blocks of `len` consecutive elements starting at flat offsets `start`.
// take() copies them out in order; put() adds them back into zeros of x's shape (repeated
// blocks accumulate). Each is the other's backward, so every selection op below is one take().
namespace {
struct Blocks {
  std::vector<std::size_t> start;
  std::size_t len = 0;
};
using BlocksPtr = std::shared_ptr<const Blocks>;


// The rows idx (along `axis`) of a tensor of shape s; consecutive rows make one block per outer.
BlocksPtr rows(const Shape& s, std::size_t axis, const std::vector<std::size_t>& idx) {
  Layout l = detail::layout(s, axis);
  bool run = std::adjacent_find(idx.begin(), idx.end(), [](auto a, auto b) {
               return b != a + 1;
             }) == idx.end();
  auto b = std::make_shared<Blocks>();
  b->len = run ? idx.size() * l.inner : l.inner;
  for (std::size_t o = 0; o < l.outer && !idx.empty(); ++o)
    for (std::size_t i = 0; i < (run ? 1 : idx.size()); ++i)
      b->start.push_back((o * l.n + idx[i]) * l.inner);
  return b;
}
std::vector<std::size_t> range(std::size_t first, std::size_t count, std::size_t step = 1) {
  std::vector<std::size_t> r(count);
  for (std::size_t i = 0; i < count; ++i) r[i] = first + i * step;
  return r;
}

template <class T> void add_blocks(const T* src, T* dst, const Blocks& b) {
  for (auto s : b.start)
    for (std::size_t k = 0; k < b.len; ++k) dst[s + k] += *src++;
}

Tensor put(const Tensor& g, BlocksPtr b, const Shape& shape);

Tensor take(const char* op, const Tensor& x, BlocksPtr b, const Shape& out_shape) {
  Tensor out = detail::visit_all(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    auto r = detail::empty_array<T>(out_shape);
    detail::parallel_for(b->start.size(), [&](std::size_t m) {
      std::copy_n(a.data() + b->start[m], b->len, r.data() + m * b->len);
    });
    return make(std::move(r));
  });
  return record_op(op, out, {x}, [b, in = x.shape()](const BackwardContext& c) {
    return Grads{put(c.grad, b, in)};
  });
}

Tensor put(const Tensor& g, BlocksPtr b, const Shape& shape) {
  Tensor out = visit(g, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> r = xt::zeros<T>(shape);
    add_blocks(a.data(), r.data(), *b);
    return make(std::move(r));
  });
  return record_op("scatter_add", out, {g}, [b, from = g.shape()](const BackwardContext& c) {
    return Grads{take("take", c.grad, b, from)};
  });
}

// The axis of a selection op, which needs at least one dimension.
std::size_t select_axis(const Tensor& x, std::ptrdiff_t axis, const char* op) {
  if (x.ndim() == 0) throw ShapeError(str(op, ": cannot index a 0-d tensor"));
  return detail::norm_axis(axis, x.ndim(), op);
}

// Index values as positions into a dimension of size n (integral, in [0, n)).
std::vector<std::size_t> positions(const Tensor& index, std::size_t n, const char* op) {
  std::vector<double> v = to_vector(index);
  std::vector<std::size_t> p(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!(v[i] >= 0 && v[i] < double(n)) || v[i] != std::floor(v[i]))
      throw ValueError(str(op, ": index ", v[i], " is out of range for a dimension of size ", n));
    p[i] = static_cast<std::size_t>(v[i]);
  }
  return p;
}

Tensor select_rows(const char* op, const Tensor& x, std::size_t axis,
                   const std::vector<std::size_t>& idx) {
  Shape s = x.shape(), out = s;
  out[axis] = idx.size();
  if (out == s && idx == range(0, s[axis])) return x;
  return take(op, x, rows(s, axis, idx), out);
}
}  // namespace

Tensor detail::take_blocks(const char* op, const Tensor& x, std::vector<std::size_t> start,
                           std::size_t len, const Shape& out_shape) {
  return take(op, x, std::make_shared<Blocks>(Blocks{std::move(start), len}), out_shape);
}

Tensor slice(const Tensor& x, std::ptrdiff_t axis, std::ptrdiff_t start, std::ptrdiff_t stop,
             std::ptrdiff_t step) {
  std::size_t a = select_axis(x, axis, "slice");
  if (step <= 0) throw ValueError(str("slice: step must be positive, got ", step));
  const auto n = static_cast<std::ptrdiff_t>(x.shape()[a]);
  auto clip = [n](std::ptrdiff_t i) { return std::clamp<std::ptrdiff_t>(i < 0 ? i + n : i, 0, n); };
  start = clip(start);
  stop = clip(stop);
  std::size_t count = stop > start ? std::size_t((stop - start + step - 1) / step) : 0;
  return select_rows("slice", x, a, range(std::size_t(start), count, std::size_t(step)));
}

Tensor narrow(const Tensor& x, std::ptrdiff_t axis, std::ptrdiff_t start, std::size_t length) {
  std::size_t a = select_axis(x, axis, "narrow");
  const std::size_t n = x.shape()[a];
  std::ptrdiff_t first = start < 0 ? start + std::ptrdiff_t(n) : start;
  if (first < 0 || std::size_t(first) + length > n)
    throw ValueError(str("narrow: start ", start, " and length ", length,
                         " do not fit a dimension of size ", n, " (tensor of shape ",
                         to_string(x.shape()), ")"));
  return select_rows("narrow", x, a, range(std::size_t(first), length));
}

Tensor index_select(const Tensor& x, std::ptrdiff_t axis, const Tensor& index) {
  std::size_t a = select_axis(x, axis, "index_select");
  if (index.ndim() > 1)
    throw ShapeError(str("index_select: index must be 0-d or 1-D, got shape ",
                         to_string(index.shape())));
  return select_rows("index_select", x, a, positions(index, x.shape()[a], "index_select"));
}

// out[i][j][k] = x[i][index[i][j][k]][k] (axis 1): one element block per output element.
Tensor gather(const Tensor& x, std::ptrdiff_t axis, const Tensor& index) {
  std::size_t a = select_axis(x, axis, "gather");
  Shape xs = x.shape(), is = index.shape();
  const std::size_t nd = xs.size();
  bool fits = is.size() == nd;
  for (std::size_t d = 0; fits && d < nd; ++d) fits = d == a || is[d] <= xs[d];
  if (!fits)
    throw ShapeError(str("gather: index of shape ", to_string(is), " does not fit input of shape ",
                         to_string(xs), " along axis ", a));
  std::vector<std::size_t> idx = positions(index, xs[a], "gather"), stride(nd, 1), pos(nd, 0);
  for (std::size_t d = nd - 1; d > 0; --d) stride[d - 1] = stride[d] * xs[d];
  std::vector<std::size_t> step = stride, start(idx.size());
  step[a] = 0;  // the position along the axis comes from the index
  for (std::size_t j = 0, offset = 0; j < idx.size(); advance(pos, is, step, offset, nd), ++j)
    start[j] = offset + idx[j] * stride[a];
  return detail::take_blocks("gather", x, std::move(start), 1, is);
}

Tensor cat(const std::vector<Tensor>& tensors, std::ptrdiff_t axis) {
  if (tensors.empty()) throw ValueError("cat: expected a non-empty list of tensors");
  std::vector<Tensor> parts;  // 1-D empty tensors are skipped, as PyTorch does
  bool f64 = false;
  for (const Tensor& t : tensors) {
    f64 = f64 || t.dtype() == Dtype::float64;
    if (t.shape() != Shape{0}) parts.push_back(t);
  }
  if (parts.empty()) return tensors[0];
  Shape out = parts[0].shape();
  if (out.empty()) throw ShapeError("cat: zero-dimensional tensors cannot be concatenated");
  std::size_t a = detail::norm_axis(axis, out.size(), "cat");
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Shape s = parts[i].shape();
    Shape expect = out;
    expect[a] = s.size() == out.size() ? s[a] : 0;
    if (s != expect)
      throw ShapeError(str("cat: tensor ", i, " has shape ", to_string(s), " but tensor 0 has ",
                           to_string(parts[0].shape()), "; sizes must match except in dimension ",
                           a));
    if (i > 0) out[a] += s[a];
    if (f64) parts[i] = parts[i].to(Dtype::float64);
    shapes.push_back(s);
  }
  std::vector<BlocksPtr> blocks;
  for (std::size_t i = 0, first = 0; i < parts.size(); first += shapes[i][a], ++i)
    blocks.push_back(rows(out, a, range(first, shapes[i][a])));
  Tensor y = detail::visit_all(parts[0], [&](const auto& a0) {
    using T = typename std::decay_t<decltype(a0)>::value_type;
    xt::xarray<T> r = xt::zeros<T>(out);
    for (std::size_t i = 0; i < parts.size(); ++i) add_blocks(parts[i].data<T>(), r.data(), *blocks[i]);
    return make(std::move(r));
  });
  return record_op("cat", y, parts, [blocks, shapes](const BackwardContext& c) {
    Grads g(blocks.size());
    for (std::size_t i = 0; i < g.size(); ++i)
      if (c.needs(i)) g[i] = take("cat", c.grad, blocks[i], shapes[i]);
    return g;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, std::ptrdiff_t axis) {
  if (tensors.empty()) throw ValueError("stack: expected a non-empty list of tensors");
  Shape s = tensors[0].shape();
  std::vector<Tensor> parts;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].shape() != s)
      throw ShapeError(str("stack: tensor ", i, " has shape ", to_string(tensors[i].shape()),
                           " but tensor 0 has ", to_string(s), "; all shapes must be equal"));
    parts.push_back(unsqueeze(tensors[i], axis));
  }
  return cat(parts, axis);
}

std::vector<Tensor> split(const Tensor& x, std::size_t split_size, std::ptrdiff_t axis) {
  std::size_t a = select_axis(x, axis, "split");
  const std::size_t n = x.shape()[a];
  if (split_size == 0 && n != 0)
    throw ValueError(str("split: split_size 0 for a dimension of size ", n));
  if (n == 0) return {x};
  std::vector<Tensor> pieces;
  for (std::size_t first = 0; first < n; first += split_size)
    pieces.push_back(narrow(x, std::ptrdiff_t(a), std::ptrdiff_t(first),
                            std::min(split_size, n - first)));
  return pieces;
}

// PyTorch's chunk: pieces of ceil(n / chunks) elements, so there may be fewer than `chunks`.
std::vector<Tensor> chunk(const Tensor& x, std::size_t chunks, std::ptrdiff_t axis) {
  std::size_t a = select_axis(x, axis, "chunk");
  if (chunks == 0) throw ValueError("chunk: the number of chunks must be positive");
  const std::size_t n = x.shape()[a];
  if (n == 0) return std::vector<Tensor>(chunks, x);
  return split(x, (n + chunks - 1) / chunks, std::ptrdiff_t(a));
}

Tensor one_hot(const Tensor& index, std::ptrdiff_t num_classes) {
  std::vector<double> v = to_vector(index);
  if (num_classes < 0 && v.empty())
    throw ValueError("one_hot: cannot infer the number of classes from an empty index");
  double largest = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
  std::size_t classes = num_classes >= 0                         ? std::size_t(num_classes)
                        : largest >= 0 && largest < 1e15 ? std::size_t(largest) + 1
                                                          : 0;  // positions() reports it
  std::vector<std::size_t> p = positions(index, classes, "one_hot");
  Shape shape = index.shape();
  shape.push_back(classes);
  std::vector<double> out(v.size() * classes, 0.0);
  for (std::size_t i = 0; i < p.size(); ++i) out[i * classes + p[i]] = 1;
  return from_vector(out, shape, index.dtype());
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  detail::broadcast_shapes(x.shape(), mask.shape(), "masked_fill");
  return where(mask, full({}, value, x.dtype()), x);
}

static Tensor triangle(const Tensor& x, std::ptrdiff_t diagonal, bool upper) {
  if (x.ndim() < 2)
    throw ShapeError(str(upper ? "triu" : "tril", ": input of shape ", to_string(x.shape()),
                         " has fewer than 2 dimensions"));
  const auto rows = std::ptrdiff_t(x.size(-2));
  Tensor offset = arange(0, double(x.size(-1))) - reshape(arange(0, double(rows)), {rows, 1});
  return masked_fill(x, upper ? offset < double(diagonal) : offset > double(diagonal), 0);
}
Tensor triu(const Tensor& x, std::ptrdiff_t diagonal) { return triangle(x, diagonal, true); }
Tensor tril(const Tensor& x, std::ptrdiff_t diagonal) { return triangle(x, diagonal, false); }

}  // namespace tg
