// Matrix products. The forward calls GEMM with transpose flags; the backward of each product is
// two more products whose flags undo the forward's (no transposed copies anywhere).
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/core/detail/blas.hpp>

#include <xtensor/xbroadcast.hpp>

namespace tg {

// C[batch] = op(A[batch]) · op(B[batch]); A is [..., M, K] ([..., K, M] when transposed).
Tensor mm(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  Shape sa = a.shape(), sb = b.shape();
  if (sa.size() < 2 || sb.size() < 2)
    throw ShapeError(str("mm: operands need at least 2 dimensions, got ", to_string(sa),
                         " and ", to_string(sb)));
  std::size_t m = sa[sa.size() - (ta ? 1 : 2)], k = sa[sa.size() - (ta ? 2 : 1)];
  std::size_t kb = sb[sb.size() - (tb ? 1 : 2)], n = sb[sb.size() - (tb ? 2 : 1)];
  if (k != kb) {
    auto operand = [](Shape s, bool t) {
      const std::string plain = to_string(s);
      std::swap(s[s.size() - 2], s.back());  // "[..., 4, 3]" for a [..., 3, 4] operand
      return t ? str(plain, " (transposed: ", to_string(s), ")") : plain;
    };
    throw ShapeError(str(ta || tb ? "mm" : "matmul", ": shapes ", operand(sa, ta), " and ",
                         operand(sb, tb), " are not aligned (", k, " != ", kb, ")"));
  }
  Shape batch = detail::broadcast_shapes(Shape(sa.begin(), sa.end() - 2),
                                         Shape(sb.begin(), sb.end() - 2), "matmul");
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {m, n});
  Tensor out = detail::visit2(a, b, [&](const auto& x, const auto& y) {
    using T = typename std::decay_t<decltype(x)>::value_type;
    // Operands whose batch dims are broadcast are expanded once; the others are used in place.
    xt::xarray<T> expanded_a, expanded_b;
    auto batched = [&](const xt::xarray<T>& v, xt::xarray<T>& expanded) {
      Shape s = batch;
      s.insert(s.end(), v.shape().end() - 2, v.shape().end());
      if (detail::to_shape(v.shape()) == s) return v.data();
      expanded = xt::broadcast(v, s);
      return static_cast<const T*>(expanded.data());
    };
    const T* pa = batched(x, expanded_a);
    const T* pb = batched(y, expanded_b);
    auto c = detail::empty_array<T>(out_shape);
    std::size_t count = 1;
    for (auto d : batch) count *= d;
    if (k == 0) c.fill(T(0));  // (BLAS rejects a leading dimension of 0)
    else
      for (std::size_t i = 0; i < count; ++i)
        blas::gemm(ta, tb, m, n, k, T(1), pa + i * m * k, ta ? m : k, pb + i * k * n,
                   tb ? k : n, T(0), c.data() + i * m * n, n);
    return make(std::move(c));
  });
  return record_op("mm", out, {a, b}, [ta, tb](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1], &g = c.grad;
    Tensor da, db;
    if (c.needs(0)) da = ta ? mm(b, g, tb, true) : mm(g, b, false, !tb);
    if (c.needs(1)) db = tb ? mm(g, a, true, ta) : mm(a, g, !ta, false);
    return Grads{da, db};
  }, {a, b});
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  Shape sa = a.shape(), sb = b.shape();
  if (sa.empty() || sb.empty())
    throw ShapeError(str("matmul: both operands need at least 1 dimension, got ", to_string(sa),
                         " and ", to_string(sb)));
  std::size_t ka = sa.back(), kb = sb.size() == 1 ? sb[0] : sb[sb.size() - 2];
  if (ka != kb)
    throw ShapeError(str("matmul: shapes ", to_string(sa), " and ", to_string(sb),
                         " are not aligned (", ka, " != ", kb, ")"));
  if (sa.size() >= 2 && sb.size() >= 2) return mm(a, b);
  // Promote 1-D operands to a row (left) or column (right), then drop the added dimension.
  Tensor a2 = sa.size() == 1 ? reshape(a, {1, std::ptrdiff_t(sa[0])}) : a;
  Tensor b2 = sb.size() == 1 ? reshape(b, {std::ptrdiff_t(sb[0]), 1}) : b;
  Tensor c = mm(a2, b2);
  Shape out = c.shape();
  if (sb.size() == 1) out.erase(out.end() - 1);
  if (sa.size() == 1) out.erase(out.end() - (sb.size() == 1 ? 1 : 2));
  return reshape(c, dims(out));
}

Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.ndim() != 1 || b.ndim() != 1 || a.numel() != b.numel())
    throw ShapeError(str("dot: expected two 1-D tensors of the same size, got ",
                         to_string(a.shape()), " and ", to_string(b.shape())));
  return matmul(a, b);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  if (a.ndim() != 1 || b.ndim() != 1)
    throw ShapeError(str("outer: expected two 1-D tensors, got ", to_string(a.shape()), " and ",
                         to_string(b.shape())));
  return mm(reshape(a, {-1, 1}), reshape(b, {1, -1}));
}

Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, double beta, double alpha) {
  if (a.ndim() != 2 || b.ndim() != 2)
    throw ShapeError(str("addmm: expected 2-D matrices, got ", to_string(a.shape()), " and ",
                         to_string(b.shape())));
  Tensor product = alpha == 1 ? mm(a, b) : alpha * mm(a, b);
  Shape out = product.shape();
  if (detail::broadcast_shapes(input.shape(), out, "addmm") != out)
    throw ShapeError(str("addmm: input of shape ", to_string(input.shape()),
                         " does not broadcast to the product's shape ", to_string(out)));
  if (beta == 0) return product;  // input is ignored, NaN and all (as PyTorch)
  return (beta == 1 ? input : beta * input) + product;
}

// y = x·Wᵀ + b over the last axis of x, as one GEMM into rows pre-filled with the bias.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  Shape sx = x.shape(), sw = w.shape();
  if (sx.empty() || sw.size() != 2 || sx.back() != sw[1])
    throw ShapeError(str("linear: input of shape ", to_string(sx), " does not fit weight ",
                         to_string(sw), " (expected [..., ", sw.size() == 2 ? sw[1] : 0,
                         "] input and a 2-D [out, in] weight)"));
  if (bias.defined() && bias.shape() != Shape{sw[0]})
    throw ShapeError(str("linear: bias of shape ", to_string(bias.shape()),
                         " for weight of shape ", to_string(sw), " (expected [", sw[0], "])"));
  if (x.dtype() != w.dtype() || (bias.defined() && bias.dtype() != w.dtype()))
    throw ValueError(str("linear: input (", to_string(x.dtype()), "), weight (",
                         to_string(w.dtype()), ")", bias.defined() ? " and bias (" : "",
                         bias.defined() ? to_string(bias.dtype()) : "",
                         bias.defined() ? ")" : "", " must share a dtype; convert with .to() "
                         "or module.to()"));
  std::size_t in = sw[1], outf = sw[0], rows = 1;
  for (std::size_t i = 0; i + 1 < sx.size(); ++i) rows *= sx[i];
  Shape out_shape = sx;
  out_shape.back() = outf;
  Tensor out = visit(x, [&](const auto& xa) {
    using T = typename std::decay_t<decltype(xa)>::value_type;
    auto y = detail::empty_array<T>(out_shape);
    T beta = 0;
    if (bias.defined()) {
      const T* bp = bias.data<T>();
      for (std::size_t r = 0; r < rows; ++r) std::copy(bp, bp + outf, y.data() + r * outf);
      beta = 1;
    }
    if (in == 0) {
      if (!bias.defined()) y.fill(T(0));
    } else {
      blas::gemm(false, true, rows, outf, in, T(1), xa.data(), in, w.data<T>(), in, beta,
                 y.data(), outf);
    }
    return make(std::move(y));
  });
  return record_op("linear", out, {x, w, bias}, [sx, rows, in, outf](const BackwardContext& c) {
    auto matrix = [](const Tensor& t, std::size_t r, std::size_t cols) {  // [..., cols] as 2-D
      return t.ndim() == 2 ? t : reshape(t, {std::ptrdiff_t(r), std::ptrdiff_t(cols)});
    };
    Tensor g2 = matrix(c.grad, rows, outf), dx, dw;
    if (c.needs(0)) dx = reshape(mm(g2, c.saved[1]), dims(sx));
    if (c.needs(1)) dw = mm(g2, matrix(c.saved[0], rows, in), true);
    return Grads{dx, dw, c.needs(2) ? c.grad : Tensor()};
  }, {x, w});
}

}  // namespace tg
