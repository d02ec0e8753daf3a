// Binary arithmetic: forward with xtensor broadcasting, backward right below. Gradients are
// returned in the output's shape; the engine sums broadcast axes back to each input's shape.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>

#include <xtensor/xmath.hpp>

#include <cmath>
#include <xtensor/xoperation.hpp>

namespace tg {

// A scalar operand, as PyTorch: t's dtype when t is floating point; with an integer or bool t,
// int64 for an integral scalar (exact), else float32 (int_tensor * 0.5 is 0.5 per element).
static Tensor like(const Tensor& t, Scalar v) {
  if (t.is_floating_point() || !v.integral)
    return scalar(v.value, t.is_floating_point() ? t.dtype() : Dtype::float32);
  return make(xt::xarray<std::int64_t>(v.integer));
}

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = zip<true>(a, b, "add", [](auto x, auto y) { return x + y; });
  return record_op("add", out, {a, b}, [](const BackwardContext& c) {
    return Grads{c.grad, c.grad};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = zip<true>(a, b, "sub", [](auto x, auto y) { return x - y; });
  return record_op("sub", out, {a, b}, [](const BackwardContext& c) {
    return Grads{c.grad, c.needs(1) ? -c.grad : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = zip<true>(a, b, "mul", [](auto x, auto y) { return x * y; });
  return record_op("mul", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    return Grads{c.needs(0) ? c.grad * b : Tensor(), c.needs(1) ? c.grad * a : Tensor()};
  }, {a, b});
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = zip(a, b, "div", [](auto x, auto y) { return x / y; });
  // d/db = -a/b² = -out/b: b² would overflow for |b| > 1e154 (1e19 in float32).
  return record_op("div", out, {a, b}, [](const BackwardContext& c) {
    const Tensor& b = c.saved[0];
    return Grads{c.needs(0) ? c.grad / b : Tensor(), c.needs(1) ? -c.grad * c.out / b : Tensor()};
  }, {b}, SaveOutput::yes);
}

Tensor neg(const Tensor& a) {
  Tensor out = map<true>(a, [](const auto& x) { return -x; });
  return record_op("neg", out, {a}, [](const BackwardContext& c) { return Grads{-c.grad}; });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor out = zip(a, b, "pow", [](auto x, auto y) { return std::pow(x, y); });
  // d/da = b a^(b-1), taken as 0 where b = 0 (else 0^-1 · 0 = NaN); d/db = a^b log a, taken
  // as 0 where a = 0 and b >= 0 (0 · -inf); both as PyTorch.
  return record_op("pow", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    Tensor da, db, zero = zeros({}, c.grad.dtype());
    if (c.needs(0)) da = where(b == like(b, 0), zero, c.grad * b * pow(a, b - 1.0));
    if (c.needs(1)) db = where((a == like(a, 0)) * (b >= 0.0), zero, c.grad * c.out * log(a));
    return Grads{da, db};
  }, {a, b}, SaveOutput::yes);
}

Tensor pow(const Tensor& a, double p) {
  Tensor out = visit(a, [&](const auto& x) {
    using T = typename std::decay_t<decltype(x)>::value_type;
    if (p == 2) return make(xt::xarray<T>(x * x));
    return make(xt::xarray<T>(xt::pow(x, static_cast<T>(p))));
  });
  return record_op("pow", out, {a}, [p](const BackwardContext& c) {
    const Tensor& a = c.saved[0];
    if (p == 0) return Grads{zeros_like(a)};
    return Grads{c.grad * (p == 2 ? a * 2.0 : p * pow(a, p - 1))};
  }, {a});
}

Tensor pow(double base, const Tensor& exponent) { return pow(like(exponent, base), exponent); }

// The gradient goes to the winning input; at ties each gets half. A NaN wins (xt::maximum
// would drop a NaN in a) and, as PyTorch, both inputs then get the full gradient.
static Tensor extremum(const Tensor& a, const Tensor& b, bool is_max) {
  const char* name = is_max ? "maximum" : "minimum";
  Tensor out = zip<true>(a, b, name, [is_max](auto x, auto y) {
    return (is_max ? x > y : y > x) || std::isnan(x) ? x : y;
  });
  return record_op(name, out, {a, b}, [is_max](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    Tensor a_loses = is_max ? lt(a, b) : gt(a, b), b_loses = is_max ? gt(a, b) : lt(a, b);
    Tensor tie = 0.5 * eq(a, b);
    return Grads{c.needs(0) ? c.grad * (1.0 - a_loses - tie) : Tensor(),
                 c.needs(1) ? c.grad * (1.0 - b_loses - tie) : Tensor()};
  }, {a, b});
}
Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(a, b, false); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Shape shape = detail::broadcast_shapes(
      detail::broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor mask = cond.detach().to(detail::float_dtype(a.dtype(), b.dtype()));
  Tensor out = detail::visit2(a, b, [&](const auto& x, const auto& y) {
    using T = typename std::decay_t<decltype(x)>::value_type;
    const auto& m = mask.value<T>();
    auto result = detail::empty_array<T>(shape);
    const std::size_t n = result.size();
    auto full_or_scalar = [n](const auto& v) { return v.size() == n || v.size() == 1; };
    if (!(full_or_scalar(m) && full_or_scalar(x) && full_or_scalar(y)))
      return make(xt::xarray<T>(xt::where(xt::not_equal(m, T(0)), x, y)));
    // One loop when every operand is full-size or a single value (masked gradients).
    const std::size_t sm = m.size() == n, sx = x.size() == n, sy = y.size() == n;
    for (std::size_t i = 0; i < n; ++i)
      result.data()[i] = m.data()[i * sm] != T(0) ? x.data()[i * sx] : y.data()[i * sy];
    return make(std::move(result));
  });
  return record_op("where", out, {a, b}, [](const BackwardContext& c) {
    const Tensor& m = c.saved[0];
    Tensor zero = zeros({}, c.grad.dtype());
    return Grads{c.needs(0) ? where(m, c.grad, zero) : Tensor(),
                 c.needs(1) ? where(m, zero, c.grad) : Tensor()};
  }, {mask});
}

// Each binary op as an operator, with a Tensor or a scalar on either side.
#define TG_OPERATORS(op, name)                                                   \
  Tensor operator op(const Tensor& a, const Tensor& b) { return name(a, b); }     \
  Tensor operator op(const Tensor& a, Scalar b) { return name(a, like(a, b)); }   \
  Tensor operator op(Scalar a, const Tensor& b) { return name(like(b, a), b); }
#define TG_COMPARISON(name, op)                                                  \
  Tensor name(const Tensor& a, const Tensor& b) {                                \
    return zip<true>(a, b, #name, [](auto x, auto y) { return bool(x op y); });  \
  }                                                                              \
  TG_OPERATORS(op, name)
TG_COMPARISON(eq, ==)
TG_COMPARISON(ne, !=)
TG_COMPARISON(lt, <)
TG_COMPARISON(le, <=)
TG_COMPARISON(gt, >)
TG_COMPARISON(ge, >=)
TG_OPERATORS(+, add)
TG_OPERATORS(-, sub)
TG_OPERATORS(*, mul)
TG_OPERATORS(/, div)
#undef TG_COMPARISON
#undef TG_OPERATORS

Tensor operator-(const Tensor& a) { return neg(a); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a = add(a, b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a = sub(a, b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a = mul(a, b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a = div(a, b); }

}  // namespace tg
