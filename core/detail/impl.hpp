#pragma once
// Internal: the tensor's storage and the helpers op implementations use to reach it.
// Only .cpp files include this header (it brings in xtensor's expression templates).
#include <xtensor/xarray.hpp>

#include <new>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <tapegrad/autograd/node.hpp>
#include <tapegrad/core/tensor.hpp>

namespace tg {

// The alternatives in Dtype's order: dtype() is the index.
using Array = std::variant<xt::xarray<float>, xt::xarray<double>, xt::xarray<std::int64_t>,
                           xt::xarray<bool>>;

namespace detail {
template <class T>
constexpr Dtype dtype_of = std::is_same_v<T, float>    ? Dtype::float32
                           : std::is_same_v<T, double> ? Dtype::float64
                           : std::is_same_v<T, bool>   ? Dtype::boolean
                                                       : Dtype::int64;
}  // namespace detail

// A tensor's values and their version. Every in-place write goes through mutable_array (and so
// mutable_value, optimizer steps, init, nn::load), which bumps the version; a tensor saved for
// backward remembers the version it had, and backward refuses one written since (as PyTorch).
struct Storage {
  Array array;
  std::uint64_t version = 0;
};

struct TensorImpl {
  std::shared_ptr<Storage> data;  // shared by a tensor, its detach()es and nodes that saved it
  std::shared_ptr<Node> grad_fn;  // set for results of recorded ops
  Tensor grad;
  bool requires_grad = false;
  bool retains_grad = false;
  std::vector<Hook> hooks;  // leaf hooks (a non-leaf's hooks live on its grad_fn)
  std::string name;
};

namespace detail {

template <class T> Tensor make(xt::xarray<T>&& a) {
  auto impl = std::make_shared<TensorImpl>();
  impl->data = std::make_shared<Storage>(Storage{Array(std::move(a)), 0});
  return Tensor(std::move(impl));
}
template <class T> Tensor make(const xt::xarray<T>& a) { return make(xt::xarray<T>(a)); }

inline const Array& array(const Tensor& t) {
  if (!t.defined()) throw ValueError("tensor: use of an undefined tensor");
  return t.impl()->data->array;
}
// The array, for an in-place write: bumps the storage's version.
inline Array& mutable_array(const Tensor& t) {
  array(t);  // throws on an undefined tensor
  Storage& s = *t.impl()->data;
  ++s.version;
  return s.array;
}

template <class Shp> Shape to_shape(const Shp& s) { return Shape(s.begin(), s.end()); }

// Elements of `shape`, checked: a ShapeError naming `op` and the shape when the product of its
// nonzero dimensions times 8 bytes exceeds PTRDIFF_MAX (numpy's rule, zeros skipped because
// xtensor's strides still multiply the other dimensions), so no shape that passed here
// overflows an element count, a byte size or a stride.
std::size_t checked_numel(const Shape& shape, std::string_view op);
// Throws MemoryError naming op, the shape and the bytes of an allocation that failed.
[[noreturn]] void allocation_failed(std::string_view op, const Shape& shape, Dtype dtype,
                                    std::size_t item);

// An uninitialised array of `shape` (checked_numel on the way); a failed allocation is a
// MemoryError naming op, the shape and the bytes, not a bare std::bad_alloc.
template <class T> xt::xarray<T> empty_array(const Shape& shape, std::string_view op = "tensor") {
  checked_numel(shape, op);
  try {
    return xt::xarray<T>::from_shape(shape);
  } catch (const std::bad_alloc&) {
    allocation_failed(op, shape, dtype_of<T>, sizeof(T));
  }
}

// f(array) with the tensor's array of any dtype (float, double, std::int64_t or bool).
template <class F> decltype(auto) visit_all(const Tensor& t, F&& f) {
  return std::visit(std::forward<F>(f), array(t));
}
// The floating-point dtype an op computes in: float64 if either operand is, else float32
// (integer and bool tensors are promoted, as PyTorch does for math ops).
inline Dtype float_dtype(Dtype a, Dtype b = Dtype::float32) {
  return a == Dtype::float64 || b == Dtype::float64 ? Dtype::float64 : Dtype::float32;
}
// The dtype of an integral op (+ - * neg abs comparisons maximum minimum), PyTorch's promotion:
// float_dtype if either operand is floating point, else int64, or bool when both are bool.
inline Dtype integral_dtype(Dtype a, Dtype b) {
  if (is_floating_point(a) || is_floating_point(b)) return float_dtype(a, b);
  return a == b ? a : Dtype::int64;
}
// f(xt::xarray<T>&) with the tensor's float or double array; an int64 or bool tensor is
// promoted to float32 first, or, for an integral op, seen as int64. Returns f's result. Every
// math kernel goes through here.
template <bool integral = false, class F> decltype(auto) visit(const Tensor& t, F&& f) {
  const Array& a = array(t);
  if (a.index() == 1) return f(std::get<1>(a));
  if (a.index() == 0) return f(std::get<0>(a));
  const Tensor promoted = t.to(integral ? Dtype::int64 : Dtype::float32);
  if constexpr (integral) return f(promoted.value<std::int64_t>());
  else return f(promoted.value<float>());
}
// f(a, b) on two arrays of one dtype: float_dtype of the two, or integral_dtype for an integral
// op (bool computed as int64).
template <bool integral = false, class F>
decltype(auto) visit2(const Tensor& a, const Tensor& b, F&& f) {
  Dtype common =
      integral ? integral_dtype(a.dtype(), b.dtype()) : float_dtype(a.dtype(), b.dtype());
  if (common == Dtype::boolean) common = Dtype::int64;
  const Tensor x = a.to(common), y = b.to(common);
  if (common == Dtype::float32) return f(x.value<float>(), y.value<float>());
  if constexpr (integral)
    if (common == Dtype::int64) return f(x.value<std::int64_t>(), y.value<std::int64_t>());
  return f(x.value<double>(), y.value<double>());
}
// f(xt::xarray<T>&) with the float or double array of t for an in-place write (bumps the
// version); an integer or bool tensor is a ValueError naming op.
template <class F> void visit_mutable(const Tensor& t, const char* op, F&& f) {
  Array& a = mutable_array(t);
  if (a.index() == 0) return f(std::get<0>(a));
  if (a.index() == 1) return f(std::get<1>(a));
  throw ValueError(std::string(op) + ": expected a floating-point tensor, got " +
                   to_string(t.dtype()));
}
// A new tensor holding f(array of t), where f returns an expression or array.
template <bool integral = false, class F> Tensor map(const Tensor& t, F&& f) {
  return visit<integral>(t, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return make(xt::xarray<T>(f(a)));
  });
}
// Loops over at least this many elements are split among the OpenMP threads.
constexpr std::size_t parallel_grain = std::size_t(1) << 15;
// f(i) for i in [0, n): split among the threads when n is at least `grain`; smaller loops stay
// out of OpenMP altogether (entering a parallel region costs more than a small op).
template <class F> void parallel_for(std::size_t n, F&& f, std::size_t grain = parallel_grain) {
  if (n < grain) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for
  for (std::size_t i = 0; i < n; ++i) f(i);
}

// Normalises a possibly negative axis against ndim; throws naming the op on a bad axis.
std::size_t norm_axis(std::ptrdiff_t axis, std::size_t ndim, const char* op);
// numpy broadcasting of two shapes; throws ShapeError naming the op.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// out[i] = f(x[i'], y[i'']) over the broadcast shape, as plain loops: same-shape and scalar
// operands get a single tight (vectorisable) loop, other broadcasts a loop over the last axis
// with strides that are 0 along broadcast axes. The result has f's type (bool for comparisons).
template <class T, class F, class R = std::invoke_result_t<F, T, T>>
xt::xarray<R> broadcast_apply(const xt::xarray<T>& x, const xt::xarray<T>& y, const Shape& shape,
                              F f) {
  auto out = empty_array<R>(shape);
  const std::size_t n = out.size();
  R* o = out.data();
  const T *px = x.data(), *py = y.data();
  if (x.size() == n && y.size() == n) {
    parallel_for(n, [&](std::size_t i) { o[i] = f(px[i], py[i]); });
  } else if (y.size() == 1 && x.size() == n) {
    const T v = py[0];
    parallel_for(n, [&](std::size_t i) { o[i] = f(px[i], v); });
  } else if (x.size() == 1 && y.size() == n) {
    const T v = px[0];
    parallel_for(n, [&](std::size_t i) { o[i] = f(v, py[i]); });
  } else if (n > 0) {
    const std::size_t nd = shape.size();
    std::vector<std::size_t> sx(nd, 0), sy(nd, 0), index(nd, 0);
    auto strides = [&](const auto& in_shape, std::vector<std::size_t>& st) {
      std::size_t stride = 1, lead = nd - in_shape.size();
      for (std::size_t d = nd; d-- > lead;) {
        st[d] = in_shape[d - lead] == 1 ? 0 : stride;
        stride *= in_shape[d - lead];
      }
    };
    strides(x.shape(), sx);
    strides(y.shape(), sy);
    const std::size_t inner = shape[nd - 1], ix = sx[nd - 1], iy = sy[nd - 1];
    std::size_t offx = 0, offy = 0;
    for (std::size_t start = 0; start < n; start += inner) {
      for (std::size_t k = 0; k < inner; ++k) o[start + k] = f(px[offx + k * ix], py[offy + k * iy]);
      for (std::size_t d = nd - 1; d-- > 0;) {  // next row: odometer over the outer axes
        offx += sx[d], offy += sy[d];
        if (++index[d] < shape[d]) break;
        offx -= sx[d] * shape[d], offy -= sy[d] * shape[d];
        index[d] = 0;
      }
    }
  }
  return out;
}
// A new tensor f(a, b) elementwise with numpy broadcasting (f takes and returns scalars).
template <bool integral = false, class F>
Tensor zip(const Tensor& a, const Tensor& b, const char* op, F&& f) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = visit2<integral>(a, b, [&](const auto& x, const auto& y) {
    return make(broadcast_apply(x, y, shape, f));
  });
  const bool both_bool = a.dtype() == Dtype::boolean && b.dtype() == Dtype::boolean;
  return integral && both_bool ? out.to(Dtype::boolean) : out;  // True + True is True
}

template <class... Args> std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace detail
}  // namespace tg
