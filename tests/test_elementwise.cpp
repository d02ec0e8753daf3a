// Elementwise functions: values and gradients against PyTorch, gradcheck/gradgradcheck,
// kinks, stability at ±1000, NaN/Inf, shapes (0-d, size 1, empty, transposed), dtypes, errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <functional>
#include <limits>

using namespace tg;

namespace {
using Unary = std::function<Tensor(const Tensor&)>;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// NaN matches NaN, ±inf matches itself, else |a - b| <= atol + rtol |b|.
bool close(const std::vector<double>& a, const std::vector<double>& b, double rtol = 1e-12,
           double atol = 1e-14) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i]) || std::isinf(b[i])) {
      if (!(std::isnan(a[i]) && std::isnan(b[i])) && a[i] != b[i]) return false;
    } else if (!(std::abs(a[i] - b[i]) <= atol + rtol * std::abs(b[i]))) {
      return false;
    }
  }
  return true;
}

struct Reference {
  const char* name;
  Unary f;
  std::vector<double> x, y, dy;  // input, f(x), d sum(f(x)) / dx
};

// torch 1.13, float64: y = f(x); y.sum().backward(). Includes the kinks (0 for abs, relu,
// leaky_relu, elu; the clamp bounds; βx = threshold for softplus) and NaN/±inf inputs.
const std::vector<Reference> references = {
    {"exp", [](const Tensor& x) { return exp(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {0.0820849986238988, 0.4965853037914095, 1.0, 1.3498588075760032, 6.6858944422792685}, {0.0820849986238988, 0.4965853037914095, 1.0, 1.3498588075760032, 6.6858944422792685}},
    {"exp", [](const Tensor& x) { return exp(x); }, {nan, inf, -inf}, {nan, inf, 0.0}, {nan, inf, 0.0}},
    {"log", [](const Tensor& x) { return log(x); }, {0.2, 1.0, 3.7, 0.0}, {-1.6094379124341003, 0.0, 1.308332819650179, -inf}, {5.0, 1.0, 0.27027027027027023, inf}},
    {"log", [](const Tensor& x) { return log(x); }, {nan, inf, -inf}, {nan, inf, nan}, {nan, 0.0, -0.0}},
    {"log1p", [](const Tensor& x) { return log1p(x); }, {-0.5, 0.2, 1.0, 3.7}, {-0.6931471805599453, 0.18232155679395465, 0.6931471805599453, 1.547562508716013}, {2.0, 0.8333333333333334, 0.5, 0.2127659574468085}},
    {"log1p", [](const Tensor& x) { return log1p(x); }, {nan, inf, -inf}, {nan, inf, nan}, {nan, 0.0, -0.0}},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, {0.2, 1.0, 3.7}, {0.4472135954999579, 1.0, 1.9235384061671346}, {1.118033988749895, 0.5, 0.25993762245501817}},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, {nan, inf, -inf}, {nan, inf, nan}, {nan, 0.0, nan}},
    {"rsqrt", [](const Tensor& x) { return rsqrt(x); }, {0.2, 1.0, 3.7}, {2.23606797749979, 1.0, 0.5198752449100363}, {-5.590169943749475, -0.5, -0.07025341147432924}},
    {"rsqrt", [](const Tensor& x) { return rsqrt(x); }, {nan, inf, -inf}, {nan, 0.0, nan}, {nan, -0.0, nan}},
    {"abs", [](const Tensor& x) { return abs(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {2.5, 0.7, 0.0, 0.3, 1.9}, {-1.0, -1.0, 0.0, 1.0, 1.0}},
    {"abs", [](const Tensor& x) { return abs(x); }, {nan, inf, -inf}, {nan, inf, inf}, {0.0, 1.0, -1.0}},
    {"sign", [](const Tensor& x) { return sign(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-1.0, -1.0, 0.0, 1.0, 1.0}, {0.0, 0.0, 0.0, 0.0, 0.0}},
    {"sign", [](const Tensor& x) { return sign(x); }, {nan, inf, -inf}, {0.0, 1.0, -1.0}, {0.0, 0.0, 0.0}},
    {"sin", [](const Tensor& x) { return sin(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.5984721441039564, -0.644217687237691, 0.0, 0.29552020666133955, 0.9463000876874145}, {-0.8011436155469337, 0.7648421872844885, 1.0, 0.955336489125606, -0.32328956686350335}},
    {"sin", [](const Tensor& x) { return sin(x); }, {nan, inf, -inf}, {nan, nan, nan}, {nan, nan, nan}},
    {"cos", [](const Tensor& x) { return cos(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.8011436155469337, 0.7648421872844885, 1.0, 0.955336489125606, -0.32328956686350335}, {0.5984721441039564, 0.644217687237691, -0.0, -0.29552020666133955, -0.9463000876874145}},
    {"cos", [](const Tensor& x) { return cos(x); }, {nan, inf, -inf}, {nan, nan, nan}, {nan, nan, nan}},
    {"tanh", [](const Tensor& x) { return tanh(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.9866142981514303, -0.6043677771171635, 0.0, 0.2913126124515909, 0.9562374581277391}, {0.02659222668316057, 0.6347395899824586, 1.0, 0.9151369618266292, 0.08560992367340045}},
    {"tanh", [](const Tensor& x) { return tanh(x); }, {nan, inf, -inf}, {nan, 1.0, -1.0}, {nan, 0.0, 0.0}},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {0.07585818002124355, 0.3318122278318339, 0.5, 0.574442516811659, 0.8698915256370021}, {0.07010371654510815, 0.22171287329310907, 0.25, 0.24445831169074586, 0.11318025926193101}},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, {nan, inf, -inf}, {nan, 1.0, 0.0}, {nan, 0.0, 0.0}},
    {"relu", [](const Tensor& x) { return relu(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {0.0, 0.0, 0.0, 0.3, 1.9}, {0.0, 0.0, 0.0, 1.0, 1.0}},
    {"relu", [](const Tensor& x) { return relu(x); }, {nan, inf, -inf}, {nan, inf, 0.0}, {1.0, 1.0, 0.0}},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.025, -0.006999999999999999, 0.0, 0.3, 1.9}, {0.01, 0.01, 0.01, 1.0, 1.0}},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x); }, {nan, inf, -inf}, {nan, inf, -inf}, {0.01, 1.0, 0.01}},
    {"leaky_relu 0.2", [](const Tensor& x) { return leaky_relu(x, 0.2); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.5, -0.13999999999999999, 0.0, 0.3, 1.9}, {0.2, 0.2, 0.2, 1.0, 1.0}},
    {"leaky_relu 0.2", [](const Tensor& x) { return leaky_relu(x, 0.2); }, {nan, inf, -inf}, {nan, inf, -inf}, {0.2, 1.0, 0.2}},
    {"elu", [](const Tensor& x) { return elu(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.9179150013761012, -0.5034146962085905, 0.0, 0.3, 1.9}, {0.0820849986238988, 0.4965853037914095, 1.0, 1.0, 1.0}},
    {"elu", [](const Tensor& x) { return elu(x); }, {nan, inf, -inf}, {nan, inf, -1.0}, {1.0, 1.0, 0.0}},
    {"elu 1.5", [](const Tensor& x) { return elu(x, 1.5); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-1.3768725020641517, -0.7551220443128857, 0.0, 0.3, 1.9}, {0.1231274979358482, 0.7448779556871143, 1.5, 1.0, 1.0}},
    {"elu 1.5", [](const Tensor& x) { return elu(x, 1.5); }, {nan, inf, -inf}, {nan, inf, -1.5}, {1.0, 1.0, 0.0}},
    {"gelu", [](const Tensor& x) { return gelu(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.015524163314440398, -0.1693745565561511, 0.0, 0.1853734266566858, 1.8454385363495966}, {-0.03761108590814519, 0.023385898866340155, 0.5, 0.7323277668271099, 1.095953488255884}},
    {"gelu", [](const Tensor& x) { return gelu(x); }, {nan, inf, -inf}, {nan, inf, nan}, {nan, nan, nan}},
    {"gelu tanh", [](const Tensor& x) { return gelu(x, "tanh"); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.015084266089998577, -0.16942986529488321, 0.0, 0.18537092354275922, 1.8454512344553327}, {-0.03795157621266618, 0.023642781343896052, 0.5, 0.7322954516388018, 1.0967818080997944}},
    {"gelu tanh", [](const Tensor& x) { return gelu(x, "tanh"); }, {nan, inf, -inf}, {nan, inf, nan}, {nan, nan, nan}},
    {"softplus", [](const Tensor& x) { return softplus(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {0.07888973429254963, 0.4031860488854579, 0.6931471805599453, 0.8543552444685272, 2.0393867582829603}, {0.07585818002124356, 0.33181222783183395, 0.5, 0.574442516811659, 0.8698915256370021}},
    {"softplus", [](const Tensor& x) { return softplus(x); }, {nan, inf, -inf}, {nan, inf, 0.0}, {nan, 1.0, 0.0}},
    {"softplus beta=2 threshold=1", [](const Tensor& x) { return softplus(x, 2.0, 1.0); }, {-2.5, -0.7, 0.0, 0.3, 1.9, 0.5, 0.6}, {0.003357674244559034, 0.11020870495922547, 0.34657359027997264, 0.5187439752429428, 1.9, 0.6566308437591114, 0.6}, {0.006692850924284856, 0.19781611144141825, 0.5, 0.6456563062257954, 1.0, 0.7310585786300049, 1.0}},
    {"softplus beta=2 threshold=1", [](const Tensor& x) { return softplus(x, 2.0, 1.0); }, {nan, inf, -inf}, {nan, inf, 0.0}, {nan, 1.0, 0.0}},
    {"clamp -0.7..0.3", [](const Tensor& x) { return clamp(x, -0.7, 0.3); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-0.7, -0.7, 0.0, 0.3, 0.3}, {0.0, 1.0, 1.0, 1.0, 0.0}},
    {"clamp -0.7..0.3", [](const Tensor& x) { return clamp(x, -0.7, 0.3); }, {nan, inf, -inf}, {nan, 0.3, -0.7}, {0.0, 0.0, 0.0}},
    {"clamp min 0", [](const Tensor& x) { return clamp(x, 0.0, std::nullopt); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {0.0, 0.0, 0.0, 0.3, 1.9}, {0.0, 0.0, 1.0, 1.0, 1.0}},
    {"clamp min 0", [](const Tensor& x) { return clamp(x, 0.0, std::nullopt); }, {nan, inf, -inf}, {nan, inf, 0.0}, {0.0, 1.0, 0.0}},
    {"clamp max 0.3", [](const Tensor& x) { return clamp(x, std::nullopt, 0.3); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {-2.5, -0.7, 0.0, 0.3, 0.3}, {1.0, 1.0, 1.0, 1.0, 0.0}},
    {"clamp max 0.3", [](const Tensor& x) { return clamp(x, std::nullopt, 0.3); }, {nan, inf, -inf}, {nan, 0.3, -inf}, {0.0, 0.0, 1.0}},
    {"square", [](const Tensor& x) { return square(x); }, {-2.5, -0.7, 0.0, 0.3, 1.9}, {6.25, 0.48999999999999994, 0.0, 0.09, 3.61}, {-5.0, -1.4, 0.0, 0.6, 3.8}},
    {"square", [](const Tensor& x) { return square(x); }, {nan, inf, -inf}, {nan, inf, inf}, {nan, inf, -inf}},
    {"reciprocal", [](const Tensor& x) { return reciprocal(x); }, {-2.5, -0.7, 0.3, 1.9}, {-0.4, -1.4285714285714286, 3.3333333333333335, 0.5263157894736842}, {-0.16000000000000003, -2.0408163265306123, -11.111111111111112, -0.27700831024930744}},
    {"reciprocal", [](const Tensor& x) { return reciprocal(x); }, {nan, inf, -inf}, {nan, 0.0, -0.0}, {nan, -0.0, -0.0}},
};

std::vector<double> grad_of(const Unary& f, const Tensor& x) {
  Tensor leaf = x.detach().set_requires_grad();
  sum(f(leaf)).backward();
  return to_vector(leaf.grad());
}

// Inputs away from every kink (0, ±1, 0.5) for gradient checks.
Tensor away_from_kinks(Dtype dtype = Dtype::float64) {
  return from_vector({-2.3, -1.6, -0.9, -0.45, -0.2, 0.12, 0.35, 0.7, 1.15, 1.55, 2.1, 2.8},
                     {3, 4}, dtype);
}
Tensor positive() { return rand({3, 4}, Dtype::float64) * 2.0 + 0.3; }

struct Checked {
  std::string name;
  Unary f;
  bool positive_only;
  bool piecewise_linear = false;  // the derivative is a mask: no second derivative to check
};
const std::vector<Checked> checked = {
    {"exp", [](const Tensor& x) { return exp(x); }, false},
    {"log", [](const Tensor& x) { return log(x); }, true},
    {"log1p", [](const Tensor& x) { return log1p(x); }, true},
    {"sqrt", [](const Tensor& x) { return sqrt(x); }, true},
    {"rsqrt", [](const Tensor& x) { return rsqrt(x); }, true},
    {"abs", [](const Tensor& x) { return abs(x); }, false, true},
    {"sin", [](const Tensor& x) { return sin(x); }, false},
    {"cos", [](const Tensor& x) { return cos(x); }, false},
    {"tanh", [](const Tensor& x) { return tanh(x); }, false},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, false},
    {"relu", [](const Tensor& x) { return relu(x); }, false, true},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, false, true},
    {"elu", [](const Tensor& x) { return elu(x, 1.5); }, false},
    {"gelu", [](const Tensor& x) { return gelu(x); }, false},
    {"gelu tanh", [](const Tensor& x) { return gelu(x, "tanh"); }, false},
    {"softplus", [](const Tensor& x) { return softplus(x); }, false},
    {"softplus beta=2 threshold=1", [](const Tensor& x) { return softplus(x, 2.0, 1.0); }, false},
    {"clamp", [](const Tensor& x) { return clamp(x, -1.0, 1.0); }, false, true},
    {"clamp min", [](const Tensor& x) { return clamp(x, -1.0, std::nullopt); }, false, true},
    {"clamp max", [](const Tensor& x) { return clamp(x, std::nullopt, 1.0); }, false, true},
    {"square", [](const Tensor& x) { return square(x); }, false},
    {"reciprocal", [](const Tensor& x) { return reciprocal(x); }, false},
};
}  // namespace

TEST_CASE("values and gradients match PyTorch, kinks and NaN/inf included (float64)") {
  for (const auto& r : references) {
    INFO(r.name, " at ", r.x.size(), " inputs starting with ", r.x[0]);
    Tensor x = from_vector(r.x, {r.x.size()}, Dtype::float64);
    CHECK(close(to_vector(r.f(x)), r.y));
    CHECK(close(grad_of(r.f, x), r.dy));
  }
}

TEST_CASE("float32 in, float32 out, same values to float precision") {
  for (const auto& r : references) {
    INFO(r.name);
    Tensor x = from_vector(r.x, {r.x.size()}, Dtype::float32);
    Tensor y = r.f(x);
    CHECK(y.dtype() == Dtype::float32);
    CHECK(close(to_vector(y), r.y, 1e-6, 1e-7));
    Tensor leaf = x.detach().set_requires_grad();
    sum(r.f(leaf)).backward();
    CHECK(leaf.grad().dtype() == Dtype::float32);
    CHECK(close(to_vector(leaf.grad()), r.dy, 1e-5, 1e-6));
  }
}

TEST_CASE("gradcheck and gradgradcheck of every op, away from kinks") {
  manual_seed(3);
  for (const auto& op : checked) {
    INFO(op.name);
    Tensor x = op.positive_only ? positive() : away_from_kinks();
    auto f = [&](const std::vector<Tensor>& in) { return op.f(in[0]); };
    CHECK(autograd::gradcheck(f, {x}));
    if (!op.piecewise_linear) CHECK(autograd::gradgradcheck(f, {x}));
    // The backward itself is differentiable in the incoming gradient (here x op'(x) + op(x)).
    auto times_x = [&](const std::vector<Tensor>& in) { return op.f(in[0]) * in[0]; };
    CHECK(autograd::gradgradcheck(times_x, {x}));
    if (!op.positive_only) CHECK(autograd::gradcheck(f, {randn({2, 5}, Dtype::float64) * 0.1}));
  }
}

TEST_CASE("sign carries a zero gradient, and abs'(0) = relu'(0) = 0, leaky_relu'(0) = slope") {
  Tensor x = tensor({-3.0, 0.0, 2.0}, Dtype::float64).set_requires_grad();
  Tensor y = sign(x);
  CHECK(y.requires_grad());
  sum(y).backward();
  CHECK(to_vector(x.grad()) == std::vector<double>{0, 0, 0});
  Tensor zero = tensor({0.0}, Dtype::float64);
  CHECK(grad_of([](const Tensor& t) { return abs(t); }, zero)[0] == 0);
  CHECK(grad_of([](const Tensor& t) { return relu(t); }, zero)[0] == 0);
  CHECK(grad_of([](const Tensor& t) { return leaky_relu(t, 0.3); }, zero)[0] == 0.3);
  CHECK(grad_of([](const Tensor& t) { return elu(t, 2.0); }, zero)[0] == 2.0);
  // clamp passes the gradient at both bounds, and nowhere when min > max (all become max).
  Tensor b = tensor({1.0, 2.0, 0.5, 3.0}, Dtype::float64);
  CHECK(grad_of([](const Tensor& t) { return clamp(t, 1.0, 2.0); }, b) ==
        std::vector<double>{1, 1, 0, 0});
  CHECK(to_vector(clamp(b, 3.0, 2.0)) == std::vector<double>{2, 2, 2, 2});
  CHECK(grad_of([](const Tensor& t) { return clamp(t, 3.0, 2.0); }, b) ==
        std::vector<double>{0, 0, 0, 0});
}

TEST_CASE("sigmoid, softplus, tanh, elu, gelu are stable at ±1000 in both dtypes") {
  for (Dtype dt : {Dtype::float32, Dtype::float64}) {
    Tensor x = tensor({-1000.0, 1000.0}, dt);
    CHECK(to_vector(sigmoid(x)) == std::vector<double>{0, 1});
    CHECK(grad_of([](const Tensor& t) { return sigmoid(t); }, x) == std::vector<double>{0, 0});
    CHECK(to_vector(softplus(x)) == std::vector<double>{0, 1000});
    CHECK(grad_of([](const Tensor& t) { return softplus(t); }, x) == std::vector<double>{0, 1});
    // Without the threshold shortcut the stable formula must still hold (no inf / inf).
    auto no_threshold = [](const Tensor& t) { return softplus(t, 1.0, 1e30); };
    CHECK(to_vector(no_threshold(x)) == std::vector<double>{0, 1000});
    CHECK(grad_of(no_threshold, x) == std::vector<double>{0, 1});
    CHECK(to_vector(tanh(x)) == std::vector<double>{-1, 1});
    CHECK(to_vector(elu(x)) == std::vector<double>{-1, 1000});
    CHECK(grad_of([](const Tensor& t) { return elu(t); }, x) == std::vector<double>{0, 1});
    CHECK(to_vector(gelu(x)) == std::vector<double>{0, 1000});
    CHECK(to_vector(gelu(x, "tanh")) == std::vector<double>{0, 1000});
  }
  // softplus(30) = 30 + log1p(e^-30) with the default threshold 20 is just 30 (as PyTorch).
  CHECK(softplus(scalar(30.0, Dtype::float64)).item() == 30.0);
  CHECK(softplus(scalar(30.0, Dtype::float64), 1.0, 100.0).item() ==
        doctest::Approx(30.0 + std::exp(-30.0)).epsilon(1e-15));
}

TEST_CASE("known values: sigmoid(0) = 1/2, gelu(1) = Φ(1), softplus(0) = log 2") {
  Tensor z = scalar(0.0, Dtype::float64), one = scalar(1.0, Dtype::float64);
  CHECK(sigmoid(z).item() == 0.5);
  CHECK(gelu(one).item() == doctest::Approx(0.8413447460685429).epsilon(1e-14));
  CHECK(softplus(z).item() == doctest::Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(softplus(z, 2.0).item() == doctest::Approx(std::log(2.0) / 2).epsilon(1e-15));
  CHECK(rsqrt(scalar(4.0, Dtype::float64)).item() == 0.5);
  CHECK(reciprocal(scalar(0.0, Dtype::float64)).item() == inf);
}

TEST_CASE("0-d, size-1 and empty shapes keep their shape through forward and backward") {
  for (const Shape& shape : {Shape{}, Shape{1}, Shape{1, 1}, Shape{0}, Shape{2, 0, 3}}) {
    for (const auto& op : checked) {
      INFO(op.name, " on ", to_string(shape));
      Tensor x = full(shape, 0.7, Dtype::float64).set_requires_grad();
      Tensor y = op.f(x);
      CHECK(y.shape() == shape);
      sum(y).backward();
      REQUIRE(x.grad().defined());
      CHECK(x.grad().shape() == shape);
    }
  }
  Tensor s = scalar(0.7, Dtype::float64);
  CHECK(autograd::gradcheck([](const std::vector<Tensor>& in) { return gelu(in[0]); }, {s}));
}

TEST_CASE("inputs that went through transpose or permute") {
  manual_seed(5);
  for (const auto& op : checked) {
    INFO(op.name);
    Tensor x = op.positive_only ? positive() : away_from_kinks();
    Tensor p = reshape(x, {3, 2, 2});
    auto f = [&](const std::vector<Tensor>& in) { return op.f(transpose(in[0], 0, 1)); };
    CHECK(autograd::gradcheck(f, {x}));
    auto g = [&](const std::vector<Tensor>& in) { return op.f(permute(in[0], {2, 0, 1})); };
    CHECK(autograd::gradcheck(g, {p}));
    CHECK(close(to_vector(op.f(transpose(x, 0, 1))), to_vector(transpose(op.f(x), 0, 1))));
  }
}

TEST_CASE("bad arguments are errors that name the op") {
  Tensor x = ones({2});
  CHECK_THROWS_WITH_AS(gelu(x, "exact"), doctest::Contains("gelu"), ValueError);
  CHECK_THROWS_WITH_AS(clamp(x, std::nullopt, std::nullopt), doctest::Contains("clamp"),
                       ValueError);
}
