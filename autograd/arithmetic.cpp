// Binary arithmetic: forward with xtensor broadcasting, backward right below. Gradients are
// returned in the output's shape; the engine sums broadcast axes back to each input's shape.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

namespace tg {

static void check_broadcast(const Tensor& a, const Tensor& b, const char* op) {
  auto sa = a.shape(), sb = b.shape();
  if (sa != sb) detail::broadcast_shapes(sa, sb, op);
}
static Tensor like(const Tensor& t, double v) { return scalar(v, t.dtype()); }

Tensor add(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "add");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return x + y; });
  return record_op("add", out, {a, b}, [](const BackwardContext& c) {
    return Grads{c.grad, c.grad};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "sub");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return x - y; });
  return record_op("sub", out, {a, b}, [](const BackwardContext& c) {
    return Grads{c.grad, c.needs(1) ? -c.grad : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "mul");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return x * y; });
  return record_op("mul", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    return Grads{c.needs(0) ? c.grad * b : Tensor(), c.needs(1) ? c.grad * a : Tensor()};
  }, {a, b});
}

Tensor div(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "div");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return x / y; });
  return record_op("div", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    return Grads{c.needs(0) ? c.grad / b : Tensor(), c.needs(1) ? -c.grad * a / (b * b) : Tensor()};
  }, {a, b});
}

Tensor neg(const Tensor& a) {
  Tensor out = map(a, [](const auto& x) { return -x; });
  return record_op("neg", out, {a}, [](const BackwardContext& c) { return Grads{-c.grad}; });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "pow");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return xt::pow(x, y); });
  // d/da = b a^(b-1); d/db = a^b log a, taken as 0 where a = 0 (PyTorch's convention).
  return record_op("pow", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    Tensor da, db;
    if (c.needs(0)) da = c.grad * b * pow(a, b - 1.0);
    if (c.needs(1)) db = c.grad * where(a == like(a, 0), zeros_like(c.out), c.out * log(a));
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
    return Grads{c.grad * p * pow(a, p - 1)};
  }, {a});
}

Tensor pow(double base, const Tensor& exponent) { return pow(like(exponent, base), exponent); }

// The gradient goes to the larger input; at ties each gets half (as PyTorch).
Tensor maximum(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "maximum");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return xt::maximum(x, y); });
  return record_op("maximum", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    Tensor share = gt(a, b) + 0.5 * eq(a, b);
    return Grads{c.needs(0) ? c.grad * share : Tensor(),
                 c.needs(1) ? c.grad * (1.0 - share) : Tensor()};
  }, {a, b});
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  check_broadcast(a, b, "minimum");
  Tensor out = zip(a, b, [](const auto& x, const auto& y) { return xt::minimum(x, y); });
  return record_op("minimum", out, {a, b}, [](const BackwardContext& c) {
    const Tensor &a = c.saved[0], &b = c.saved[1];
    Tensor share = lt(a, b) + 0.5 * eq(a, b);
    return Grads{c.needs(0) ? c.grad * share : Tensor(),
                 c.needs(1) ? c.grad * (1.0 - share) : Tensor()};
  }, {a, b});
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  detail::broadcast_shapes(detail::broadcast_shapes(cond.shape(), a.shape(), "where"),
                           b.shape(), "where");
  bool f64 = a.dtype() == Dtype::float64 || b.dtype() == Dtype::float64;
  Tensor mask = cond.detach().to(f64 ? Dtype::float64 : Dtype::float32);
  Tensor out = detail::visit2(a, b, [&](const auto& x, const auto& y) {
    using T = typename std::decay_t<decltype(x)>::value_type;
    return make(xt::xarray<T>(xt::where(xt::not_equal(mask.value<T>(), T(0)), x, y)));
  });
  return record_op("where", out, {a, b}, [](const BackwardContext& c) {
    const Tensor& m = c.saved[0];
    Tensor zero = zeros({}, c.grad.dtype());
    return Grads{c.needs(0) ? where(m, c.grad, zero) : Tensor(),
                 c.needs(1) ? where(m, zero, c.grad) : Tensor()};
  }, {mask});
}

#define TG_COMPARISON(name, expr)                                                  \
  Tensor name(const Tensor& a, const Tensor& b) {                                  \
    check_broadcast(a, b, #name);                                                  \
    return zip(a, b, [](const auto& x, const auto& y) {                            \
      using T = typename std::decay_t<decltype(x)>::value_type;                    \
      return xt::cast<T>(expr);                                                    \
    });                                                                            \
  }
TG_COMPARISON(eq, xt::equal(x, y))
TG_COMPARISON(ne, xt::not_equal(x, y))
TG_COMPARISON(lt, x < y)
TG_COMPARISON(le, x <= y)
TG_COMPARISON(gt, x > y)
TG_COMPARISON(ge, x >= y)
#undef TG_COMPARISON

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double b) { return add(a, like(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, like(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, like(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, like(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(like(b, a), b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, like(a, b)); }
Tensor operator<=(const Tensor& a, double b) { return le(a, like(a, b)); }
Tensor operator>(const Tensor& a, double b) { return gt(a, like(a, b)); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, like(a, b)); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a = add(a, b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a = sub(a, b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a = mul(a, b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a = div(a, b); }

}  // namespace tg
