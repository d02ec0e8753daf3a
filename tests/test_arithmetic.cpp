// Arithmetic and comparisons: broadcasting (values against an independent loop, gradients by
// gradcheck), scalar operands in both orders, PyTorch's conventions at pow/div/maximum edge
// cases, NaN/Inf, masks without gradient, dtype promotion, empty shapes and shape errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <functional>
#include <limits>

using namespace tg;

namespace {
using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

bool same(const std::vector<double>& a, const std::vector<double>& b, double rtol = 1e-12) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (!(std::isnan(a[i]) && std::isnan(b[i]))) return false;
    } else if (std::isinf(b[i])) {
      if (a[i] != b[i]) return false;
    } else if (!(std::abs(a[i] - b[i]) <= rtol * std::abs(b[i]))) {
      return false;
    }
  }
  return true;
}

// numpy broadcasting written out by hand: the element of `t` that output index `out` reads.
double at(const Tensor& t, const Shape& out_shape, std::size_t flat) {
  std::vector<double> v = to_vector(t);
  Shape s = t.shape();
  std::size_t offset = 0, stride = 1;
  for (std::size_t k = 0; k < out_shape.size(); ++k) {  // walk axes from the last
    std::size_t axis = out_shape.size() - 1 - k;
    std::size_t index = flat % out_shape[axis];
    flat /= out_shape[axis];
    if (k < s.size()) {
      std::size_t dim = s[s.size() - 1 - k];
      offset += (dim == 1 ? 0 : index) * stride;
      stride *= dim;
    }
  }
  return v[offset];
}

struct Op {
  std::string name;
  Binary f;
  std::function<double(double, double)> reference;
  bool piecewise_linear = false;  // no second derivative: gradgradcheck op(a, b) * a * b
};
const std::vector<Op> binary_ops = {
    {"add", [](const Tensor& a, const Tensor& b) { return a + b; },
     [](double a, double b) { return a + b; }, true},
    {"sub", [](const Tensor& a, const Tensor& b) { return a - b; },
     [](double a, double b) { return a - b; }, true},
    {"mul", [](const Tensor& a, const Tensor& b) { return a * b; },
     [](double a, double b) { return a * b; }},
    {"div", [](const Tensor& a, const Tensor& b) { return a / b; },
     [](double a, double b) { return a / b; }},
    {"pow", [](const Tensor& a, const Tensor& b) { return pow(a, b); },
     [](double a, double b) { return std::pow(a, b); }},
    {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); },
     [](double a, double b) { return std::fmax(a, b); }, true},
    {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); },
     [](double a, double b) { return std::fmin(a, b); }, true},
};

struct Broadcast {
  Shape a, b, out;
};
const std::vector<Broadcast> broadcasts = {
    {{2, 3}, {2, 3}, {2, 3}}, {{3, 1}, {1, 4}, {3, 4}},       {{2, 3}, {3}, {2, 3}},
    {{3}, {2, 3}, {2, 3}},    {{2, 3}, {}, {2, 3}},           {{}, {2, 3}, {2, 3}},
    {{1}, {2, 3}, {2, 3}},    {{2, 1, 3}, {4, 1}, {2, 4, 3}}, {{1, 1}, {1}, {1, 1}},
    {{}, {}, {}}};

// Positive, away from 0 and from each other (div, pow, maximum's ties).
Tensor positive(const Shape& shape) { return rand(shape, Dtype::float64) * 2.0 + 0.5; }
}  // namespace

TEST_CASE("binary ops broadcast like numpy: values, gradcheck, gradgradcheck") {
  manual_seed(11);
  for (const auto& op : binary_ops) {
    for (const auto& [sa, sb, out] : broadcasts) {
      INFO(op.name, " ", to_string(sa), " with ", to_string(sb));
      Tensor a = positive(sa), b = positive(sb) + 0.01;
      Tensor y = op.f(a, b);
      REQUIRE(y.shape() == out);
      std::vector<double> values = to_vector(y);
      for (std::size_t i = 0; i < values.size(); ++i) {
        double expected = op.reference(at(a, out, i), at(b, out, i));
        CHECK(values[i] == doctest::Approx(expected).epsilon(1e-14));
      }
      auto f = [&](const std::vector<Tensor>& in) { return op.f(in[0], in[1]); };
      CHECK(autograd::gradcheck(f, {a, b}));
      auto g = [&](const std::vector<Tensor>& in) {
        return op.piecewise_linear ? op.f(in[0], in[1]) * in[0] * in[1] : op.f(in[0], in[1]);
      };
      CHECK(autograd::gradgradcheck(g, {a, b}));
    }
  }
}

TEST_CASE("a broadcast gradient is summed back to each input's shape") {
  Tensor a = from_vector({1, 2, 3}, {3, 1}, Dtype::float64).set_requires_grad();
  Tensor b = from_vector({10, 20, 30, 40}, {1, 4}, Dtype::float64).set_requires_grad();
  sum(a * b).backward();
  CHECK(a.grad().shape() == Shape{3, 1});
  CHECK(to_vector(a.grad()) == std::vector<double>{100, 100, 100});
  CHECK(b.grad().shape() == Shape{1, 4});
  CHECK(to_vector(b.grad()) == std::vector<double>{6, 6, 6, 6});
}

TEST_CASE("scalar operands in both orders keep the tensor's dtype") {
  Tensor x = tensor({1.0, 2.0, 4.0}, Dtype::float64).set_requires_grad();
  auto grad = [&](const Tensor& y) {
    x.zero_grad();
    sum(y).backward();
    return to_vector(x.grad());
  };
  CHECK(to_vector(x + 2.0) == std::vector<double>{3, 4, 6});
  CHECK(to_vector(2.0 + x) == std::vector<double>{3, 4, 6});
  CHECK(to_vector(x - 2.0) == std::vector<double>{-1, 0, 2});
  CHECK(to_vector(2.0 - x) == std::vector<double>{1, 0, -2});
  CHECK(grad(2.0 - x) == std::vector<double>{-1, -1, -1});
  CHECK(to_vector(x * 3.0) == std::vector<double>{3, 6, 12});
  CHECK(grad(3.0 * x) == std::vector<double>{3, 3, 3});
  CHECK(to_vector(x / 2.0) == std::vector<double>{0.5, 1, 2});
  CHECK(to_vector(2.0 / x) == std::vector<double>{2, 1, 0.5});
  CHECK(grad(2.0 / x) == std::vector<double>{-2, -0.5, -0.125});  // -2/x²
  CHECK(grad(-x) == std::vector<double>{-1, -1, -1});
  CHECK(to_vector(x < 2.0) == std::vector<double>{1, 0, 0});
  CHECK(to_vector(x <= 2.0) == std::vector<double>{1, 1, 0});
  CHECK(to_vector(x > 2.0) == std::vector<double>{0, 0, 1});
  CHECK(to_vector(x >= 2.0) == std::vector<double>{0, 1, 1});
  Tensor f = tensor({1.0, 2.0});
  CHECK((f * 0.1).dtype() == Dtype::float32);
  CHECK((0.1 / f).dtype() == Dtype::float32);
}

TEST_CASE("compound assignment rebinds the handle and stays differentiable") {
  Tensor x = tensor({1.0, 2.0}, Dtype::float64).set_requires_grad();
  Tensor y = x;
  y += x;  // 2x
  y *= x;  // 2x²
  y -= x;  // 2x² - x
  y /= tensor({2.0}, Dtype::float64);
  CHECK(to_vector(x) == std::vector<double>{1, 2});
  CHECK(to_vector(y) == std::vector<double>{0.5, 3});
  sum(y).backward();
  CHECK(to_vector(x.grad()) == std::vector<double>{1.5, 3.5});  // (4x - 1) / 2
}

TEST_CASE("pow follows PyTorch at 0 and at negative bases") {
  // torch 1.13: x ** e, then .sum().backward()
  Tensor x = tensor({0.0, 0.0, 0.0, -1.0, 2.0, -2.0, 0.0}, Dtype::float64).set_requires_grad();
  Tensor e = tensor({0.0, -1.0, 2.0, 0.5, 3.0, 2.0, 0.5}, Dtype::float64).set_requires_grad();
  Tensor y = pow(x, e);
  CHECK(same(to_vector(y), {1, Inf, 0, NaN, 8, 4, 0}));
  sum(y).backward();
  CHECK(same(to_vector(x.grad()), {0, -Inf, 0, NaN, 12, -4, Inf}));
  CHECK(same(to_vector(e.grad()), {0, -Inf, 0, NaN, 5.545177444479562, NaN, 0}));

  Tensor z = tensor({0.0, -2.0, 3.0}, Dtype::float64).set_requires_grad();
  sum(pow(z, 0.0)).backward();
  CHECK(to_vector(z.grad()) == std::vector<double>{0, 0, 0});
  Tensor s = tensor({0.0, 4.0}, Dtype::float64).set_requires_grad();
  sum(pow(s, 0.5)).backward();
  CHECK(same(to_vector(s.grad()), {Inf, 0.25}));
  Tensor p = tensor({-1.0, 0.0, 1.5}, Dtype::float64).set_requires_grad();
  Tensor two = pow(2.0, p);
  CHECK(same(to_vector(two), {0.5, 1, 2.8284271247461903}));
  sum(two).backward();
  CHECK(same(to_vector(p.grad()), {0.34657359027997264, 0.6931471805599453, 1.9605162869370945}));

  manual_seed(2);
  for (double exponent : {2.0, 3.0, -1.5, 0.5, 1.0}) {
    INFO("exponent ", exponent);
    Tensor base = positive({2, 3});
    auto f = [&](const std::vector<Tensor>& in) { return pow(in[0], exponent); };
    CHECK(autograd::gradcheck(f, {base}));
    CHECK(autograd::gradgradcheck(f, {base}));
  }
  Tensor negative = positive({4}) * -1.0;  // integral exponents of negative bases
  auto cube = [](const std::vector<Tensor>& in) { return pow(in[0], 3.0); };
  auto two_to = [](const std::vector<Tensor>& in) { return pow(2.0, in[0]); };
  CHECK(autograd::gradcheck(cube, {negative}));
  CHECK(autograd::gradcheck(two_to, {negative}));
}

TEST_CASE("division by zero is IEEE, and d/db of a/b does not overflow to 0") {
  Tensor a = tensor({1.0, -1.0, 0.0, 1e300}, Dtype::float64).set_requires_grad();
  Tensor b = tensor({0.0, 0.0, 0.0, 1e200}, Dtype::float64).set_requires_grad();
  Tensor y = a / b;
  CHECK(same(to_vector(y), {Inf, -Inf, NaN, 1e100}));
  sum(y).backward();
  CHECK(same(to_vector(a.grad()), {Inf, Inf, Inf, 1e-200}));
  CHECK(same(to_vector(b.grad()), {-Inf, Inf, NaN, -1e-100}));  // -a/b², as torch 1.13
}

TEST_CASE("maximum and minimum: ties split the gradient, NaN propagates (as PyTorch)") {
  Tensor a = tensor({1.0, 5.0, 3.0, NaN, 1.0}, Dtype::float64).set_requires_grad();
  Tensor b = tensor({2.0, 4.0, 3.0, 1.0, NaN}, Dtype::float64).set_requires_grad();
  Tensor hi = maximum(a, b);
  CHECK(same(to_vector(hi), {2, 5, 3, NaN, NaN}));
  sum(hi).backward();
  CHECK(to_vector(a.grad()) == std::vector<double>{0, 1, 0.5, 1, 1});
  CHECK(to_vector(b.grad()) == std::vector<double>{1, 0, 0.5, 1, 1});
  a.zero_grad();
  b.zero_grad();
  Tensor lo = minimum(a, b);
  CHECK(same(to_vector(lo), {1, 4, 3, NaN, NaN}));
  sum(lo).backward();
  CHECK(to_vector(a.grad()) == std::vector<double>{1, 0, 0.5, 1, 1});
  CHECK(to_vector(b.grad()) == std::vector<double>{0, 1, 0.5, 1, 1});
  // The DESIGN.md pinball loss: maximum of two branches, broadcast against a scalar.
  Tensor d = tensor({-1.0, 2.0}, Dtype::float64).set_requires_grad();
  sum(maximum(0.3 * d, (0.3 - 1) * d)).backward();
  CHECK(to_vector(d.grad()) == std::vector<double>{-0.7, 0.3});
}

TEST_CASE("where picks by mask, broadcasts all three, and sends no gradient to the mask") {
  Tensor cond = from_vector({1, 0}, {2, 1}, Dtype::float64).set_requires_grad();
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, Dtype::float64).set_requires_grad();
  Tensor b = tensor({-1.0, -2.0, -3.0}, Dtype::float64).set_requires_grad();  // [3]
  Tensor y = where(cond, a, b);
  CHECK(y.shape() == Shape{2, 3});
  CHECK(to_vector(y) == std::vector<double>{1, 2, 3, -1, -2, -3});
  sum(y * 2.0).backward();
  CHECK(to_vector(a.grad()) == std::vector<double>{2, 2, 2, 0, 0, 0});
  CHECK(to_vector(b.grad()) == std::vector<double>{2, 2, 2});
  CHECK_FALSE(cond.grad().defined());
  CHECK(to_vector(where(tensor({NaN, 0.0, -2.0}), ones({3}), zeros({3}))) ==
        std::vector<double>{1, 0, 1});  // nonzero (NaN included) is true
  // [3,1] and [1,3] have as many elements each, but broadcast to [3,3]
  Tensor picked = where(from_vector({1, 0, 1}, {3, 1}), from_vector({1, 2, 3}, {1, 3}), zeros({}));
  CHECK(to_vector(picked) == std::vector<double>{1, 2, 3, 0, 0, 0, 1, 2, 3});
  manual_seed(4);
  Tensor m = rand({3, 1}, Dtype::float64) > 0.5;
  auto f = [&](const std::vector<Tensor>& in) { return where(m, in[0], in[1]); };
  CHECK(autograd::gradcheck(f, {randn({3, 4}, Dtype::float64), randn({4}, Dtype::float64)}));
  auto g = [&](const std::vector<Tensor>& in) { return f(in) * in[0] * in[1]; };
  CHECK(autograd::gradgradcheck(g, {randn({3, 4}, Dtype::float64), randn({4}, Dtype::float64)}));
}

TEST_CASE("comparisons return 0/1 masks of the broadcast shape and carry no gradient") {
  Tensor a = from_vector({1, 2, NaN}, {3, 1}, Dtype::float64).set_requires_grad();
  Tensor b = tensor({1.0, 3.0}, Dtype::float64).set_requires_grad();           // [2]
  const std::vector<std::pair<Tensor, std::vector<double>>> cases = {
      {a == b, {1, 0, 0, 0, 0, 0}}, {a != b, {0, 1, 1, 1, 1, 1}}, {a < b, {0, 1, 0, 1, 0, 0}},
      {a <= b, {1, 1, 0, 1, 0, 0}}, {a > b, {0, 0, 1, 0, 0, 0}}, {a >= b, {1, 0, 1, 0, 0, 0}},
      {eq(a, b), {1, 0, 0, 0, 0, 0}}, {ge(a, b), {1, 0, 1, 0, 0, 0}}};
  for (const auto& [mask, expected] : cases) {
    CHECK(mask.shape() == Shape{3, 2});
    CHECK(to_vector(mask) == expected);
    CHECK_FALSE(mask.requires_grad());
    CHECK_FALSE(mask.grad_fn());
  }
}

TEST_CASE("float32 with float64 promotes to float64; gradients keep each input's dtype") {
  Tensor a = tensor({1.5, 2.0}, Dtype::float32).set_requires_grad();
  Tensor b = tensor({0.1, 3.0}, Dtype::float64).set_requires_grad();
  for (const auto& op : binary_ops) {
    INFO(op.name);
    a.zero_grad();
    b.zero_grad();
    Tensor y = op.f(a, b);
    CHECK(y.dtype() == Dtype::float64);
    CHECK(to_vector(y)[0] == doctest::Approx(op.reference(1.5, 0.1)).epsilon(1e-15));
    sum(op.f(b, a)).backward();
    CHECK(a.grad().dtype() == Dtype::float32);
    CHECK(b.grad().dtype() == Dtype::float64);
  }
  CHECK((a < b).dtype() == Dtype::boolean);  // comparisons give bool masks, as PyTorch
  CHECK(where(a > 1.8, a, b).dtype() == Dtype::float64);
  CHECK(where(b > 1.0, a, a).dtype() == Dtype::float32);
}

TEST_CASE("inputs that went through transpose or permute") {
  manual_seed(8);
  Tensor a = positive({3, 2}), b = positive({2, 3}), c = positive({2, 3, 4});
  for (const auto& op : binary_ops) {
    INFO(op.name);
    auto f = [&](const std::vector<Tensor>& in) { return op.f(transpose(in[0], 0, 1), in[1]); };
    CHECK(autograd::gradcheck(f, {a, b}));
    auto g = [&](const std::vector<Tensor>& in) { return op.f(permute(in[0], {2, 0, 1}), in[1]); };
    CHECK(autograd::gradcheck(g, {c, b}));
    std::vector<double> y = to_vector(op.f(transpose(a, 0, 1), b)), av = to_vector(a),
                        bv = to_vector(b);
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j)
        CHECK(y[i * 3 + j] == doctest::Approx(op.reference(av[j * 2 + i], bv[i * 3 + j])));
  }
}

TEST_CASE("shapes that do not broadcast throw ShapeError naming the op and both shapes") {
  Tensor a = ones({2, 3}), b = ones({4});
  const std::vector<std::pair<std::string, Binary>> ops = {
      {"add", [](const Tensor& x, const Tensor& y) { return x + y; }},
      {"sub", [](const Tensor& x, const Tensor& y) { return x - y; }},
      {"mul", [](const Tensor& x, const Tensor& y) { return x * y; }},
      {"div", [](const Tensor& x, const Tensor& y) { return x / y; }},
      {"pow", [](const Tensor& x, const Tensor& y) { return pow(x, y); }},
      {"maximum", [](const Tensor& x, const Tensor& y) { return maximum(x, y); }},
      {"minimum", [](const Tensor& x, const Tensor& y) { return minimum(x, y); }},
      {"eq", [](const Tensor& x, const Tensor& y) { return x == y; }},
      {"ne", [](const Tensor& x, const Tensor& y) { return x != y; }},
      {"lt", [](const Tensor& x, const Tensor& y) { return x < y; }},
      {"le", [](const Tensor& x, const Tensor& y) { return x <= y; }},
      {"gt", [](const Tensor& x, const Tensor& y) { return x > y; }},
      {"ge", [](const Tensor& x, const Tensor& y) { return x >= y; }},
      {"where", [](const Tensor& x, const Tensor& y) { return where(x, x, y); }},
      {"where", [](const Tensor& x, const Tensor& y) { return where(y, x, x); }},
  };
  for (const auto& [name, f] : ops) {
    INFO(name);
    try {
      f(a, b);
      FAIL("no exception");
    } catch (const ShapeError& e) {
      std::string what = e.what();
      CHECK(what.find(name) != std::string::npos);
      CHECK(what.find("[2,3]") != std::string::npos);
      CHECK(what.find("[4]") != std::string::npos);
    }
  }
  Tensor g = ones({2, 3}).set_requires_grad();
  CHECK_THROWS_AS(g + ones({3, 2}), ShapeError);
  CHECK_THROWS_AS(g += ones({3}).set_requires_grad() * ones({2, 1, 2}), ShapeError);
}

TEST_CASE("empty and size-1 shapes") {
  Tensor e = zeros({0, 3}, Dtype::float64).set_requires_grad();
  Tensor row = ones({3}, Dtype::float64).set_requires_grad();
  for (const auto& op : binary_ops) {
    INFO(op.name);
    e.zero_grad();
    row.zero_grad();
    Tensor y = op.f(e, row);
    CHECK(y.shape() == Shape{0, 3});
    sum(y).backward();
    CHECK(e.grad().shape() == Shape{0, 3});
    CHECK(to_vector(row.grad()) == std::vector<double>{0, 0, 0});
    CHECK(op.f(zeros({1, 0}), zeros({4, 1})).shape() == Shape{4, 0});
    CHECK(op.f(ones({1}), ones({})).shape() == Shape{1});
  }
  CHECK((zeros({0}) < zeros({0})).shape() == Shape{0});
}
