// Elementwise functions: the forward maps the array, the backward multiplies the incoming
// gradient by the local derivative, written with Tensor ops so it can be differentiated again.
// Masked gradients use where(mask, grad, 0), not grad * mask, so an infinite grad stays finite.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/core/detail/simd.hpp>

#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

namespace tg {

namespace {
constexpr double sqrt1_2 = 0.70710678118654752440;      // 1/√2
constexpr double inv_sqrt_2pi = 0.39894228040143267794;  // 1/√(2π)
constexpr double sqrt_2_pi = 0.79788456080286535588;     // √(2/π)
constexpr double two_sqrt_pi = 1.12837916709551257390;   // 2/√π
constexpr double gelu_kappa = 0.044715;

Tensor zero(const Tensor& like) { return zeros({}, like.dtype()); }

// Internal: the exact GELU's derivative Φ(x) must itself be differentiable (gradgrad).
Tensor erf(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::erf(a); });
  return record_op("erf", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * (two_sqrt_pi * exp(-square(c.saved[0])))};
  }, {x});
}

// gelu'(x): "none": Φ(x) + x φ(x); "tanh": with u = √(2/π)(x + κx³), t = tanh u,
// ½(1 + t) + ½x (1 - t²) √(2/π)(1 + 3κx²).
Tensor gelu_derivative(const Tensor& x, bool tanh_form) {
  if (!tanh_form)
    return 0.5 * (1.0 + erf(x * sqrt1_2)) + x * inv_sqrt_2pi * exp(-0.5 * square(x));
  Tensor t = tanh(sqrt_2_pi * (x + gelu_kappa * pow(x, 3.0)));
  return 0.5 * (1.0 + t) +
         0.5 * x * (1.0 - square(t)) * sqrt_2_pi * (1.0 + 3 * gelu_kappa * square(x));
}
}  // namespace

Tensor exp(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::exp(a); });
  return record_op("exp", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * c.out};
  }, {}, SaveOutput::yes);
}

Tensor log(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::log(a); });
  return record_op("log", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad / c.saved[0]};
  }, {x});
}

Tensor log1p(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::log1p(a); });
  return record_op("log1p", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad / (c.saved[0] + 1.0)};
  }, {x});
}

Tensor sqrt(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::sqrt(a); });
  return record_op("sqrt", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad / (2.0 * c.out)};
  }, {}, SaveOutput::yes);
}

Tensor rsqrt(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return T(1) / xt::sqrt(a);
  });
  return record_op("rsqrt", out, {x}, [](const BackwardContext& c) {  // -½ x^(-3/2) = -½ out³
    return Grads{c.grad * (-0.5 * pow(c.out, 3.0))};
  }, {}, SaveOutput::yes);
}

Tensor abs(const Tensor& x) {
  Tensor out = map<true>(x, [](const auto& a) { return xt::abs(a); });
  return record_op("abs", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * sign(c.saved[0])};
  }, {x});
}

// (x > 0) - (x < 0): sign(±0) = 0 and, as PyTorch, sign(NaN) = 0.
Tensor sign(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return xt::cast<T>(a > T(0)) - xt::cast<T>(a < T(0));
  });
  return record_op("sign", out, {x}, [](const BackwardContext& c) {
    return Grads{zeros_like(c.grad)};
  });
}

Tensor sin(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::sin(a); });
  return record_op("sin", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * cos(c.saved[0])};
  }, {x});
}

Tensor cos(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::cos(a); });
  return record_op("cos", out, {x}, [](const BackwardContext& c) {
    return Grads{-c.grad * sin(c.saved[0])};
  }, {x});
}

Tensor tanh(const Tensor& x) {
  Tensor out = detail::map_simd(x, [](auto a) {
    using std::tanh;
    return tanh(a);
  });
  return record_op("tanh", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * (1.0 - square(c.out))};
  }, {}, SaveOutput::yes);
}

// 1 / (1 + e^-x) is already stable: e^1000 = inf gives 0, e^-1000 = 0 gives 1, never NaN.
Tensor sigmoid(const Tensor& x) {
  Tensor out = detail::map_simd(x, [](auto a) { return detail::sigmoid_of(a); });
  return record_op("sigmoid", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * c.out * (1.0 - c.out)};
  }, {}, SaveOutput::yes);
}

namespace {
// relu's backward: the incoming gradient where out > 0 or NaN, 0 elsewhere (so relu'(0) = 0,
// relu'(NaN) = 1). It is linear in the gradient: its own derivative is the same mask.
Tensor relu_backward(const Tensor& grad, const Tensor& out) {
  Tensor masked = zip(grad, out, "relu_backward", [](auto g, auto o) {
    return o <= decltype(o)(0) ? decltype(g)(0) : g;
  });
  return record_op("relu_backward", masked, {grad}, [](const BackwardContext& c) {
    return Grads{relu_backward(c.grad, c.saved[0])};
  }, {out});
}
}  // namespace

// relu(NaN) = NaN.
Tensor relu(const Tensor& x) {
  Tensor out = detail::map_simd(x, [](auto v) {  // NaN stays NaN, as PyTorch's
    return detail::select_of(v < decltype(v)(0), decltype(v)(0), v);
  });
  return record_op("relu", out, {x}, [](const BackwardContext& c) {
    return Grads{relu_backward(c.grad, c.out)};
  }, {}, SaveOutput::yes);
}

// Slope 1 for x > 0, negative_slope otherwise (also at 0).
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return xt::where(a > T(0), a, a * T(negative_slope));
  });
  return record_op("leaky_relu", out, {x}, [negative_slope](const BackwardContext& c) {
    return Grads{where(c.saved[0] > 0.0, c.grad, c.grad * negative_slope)};
  }, {x});
}

// x for x > 0, α(eˣ - 1) otherwise; the derivative there is αeˣ = out + α (also at 0).
Tensor elu(const Tensor& x, double alpha) {
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return xt::where(a <= T(0), T(alpha) * xt::expm1(a), a);
  });
  return record_op("elu", out, {x}, [alpha](const BackwardContext& c) {
    return Grads{where(c.saved[0] <= 0.0, c.grad * (c.out + alpha), c.grad)};
  }, {x}, SaveOutput::yes);
}

// "none": x Φ(x) = ½x(1 + erf(x/√2)); "tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
Tensor gelu(const Tensor& x, const std::string& approximate) {
  if (approximate != "none" && approximate != "tanh")
    throw ValueError(str("gelu: approximate must be \"none\" or \"tanh\", got \"", approximate,
                         "\""));
  bool tanh_form = approximate == "tanh";
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> inner;
    if (tanh_form) inner = xt::tanh(T(sqrt_2_pi) * (a + T(gelu_kappa) * a * a * a));
    else inner = xt::erf(a * T(sqrt1_2));
    return xt::xarray<T>(T(0.5) * a * (T(1) + inner));
  });
  return record_op("gelu", out, {x}, [tanh_form](const BackwardContext& c) {
    return Grads{c.grad * gelu_derivative(c.saved[0], tanh_form)};
  }, {x});
}

// log(1 + e^(βx)) / β, computed as (max(βx, 0) + log1p(e^-|βx|)) / β so that no threshold is
// needed for stability; x itself where βx > threshold (as PyTorch). Derivative: sigmoid(βx).
Tensor softplus(const Tensor& x, double beta, double threshold) {
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> bx = a * T(beta);
    return xt::xarray<T>(xt::where(
        bx > T(threshold), a,
        (xt::maximum(bx, T(0)) + xt::log1p(xt::exp(-xt::abs(bx)))) / T(beta)));
  });
  return record_op("softplus", out, {x}, [beta, threshold](const BackwardContext& c) {
    Tensor bx = c.saved[0] * beta;
    return Grads{where(bx > threshold, c.grad, c.grad * sigmoid(bx))};
  }, {x});
}

// min(max(x, min), max): all max when min > max, NaN stays NaN. The gradient passes where
// min <= x <= max (boundaries included, NaN excluded), as PyTorch.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  if (!min && !max) throw ValueError("clamp: at least one of min and max must be given");
  Tensor out = map(x, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    xt::xarray<T> r = a;
    if (min) r = xt::where(r < T(*min), T(*min), r);
    if (max) r = xt::where(r > T(*max), T(*max), r);
    return r;
  });
  return record_op("clamp", out, {x}, [min, max](const BackwardContext& c) {
    const Tensor& x = c.saved[0];
    Tensor inside = min ? x >= *min : ones({}, x.dtype());
    if (max) inside = inside * (x <= *max);
    return Grads{where(inside, c.grad, zero(c.grad))};
  }, {x});
}

Tensor square(const Tensor& x) { return pow(x, 2.0); }

Tensor reciprocal(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    return T(1) / a;
  });
  return record_op("reciprocal", out, {x}, [](const BackwardContext& c) {
    return Grads{-c.grad * square(c.out)};
  }, {}, SaveOutput::yes);
}

}  // namespace tg
