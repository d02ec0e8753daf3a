// nn functional ops: gradients (float64 gradcheck), forward values against PyTorch 1.13
// reference numbers (computed once with torch.nn.functional and pasted here), running
// statistics, dropout statistics and error messages.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>

using namespace tg;
using Inputs = std::vector<Tensor>;

namespace {

// Values ((i·a) mod m - off) / div in row-major order: the same inputs the PyTorch script used.
Tensor pattern(const Shape& shape, int a, int m, int off, double div) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (double(int(i) * a % m) - off) / div;
  return from_vector(v, shape, Dtype::float64);
}

void check_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-8) {
  std::vector<double> got = to_vector(t);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element ", i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1));
  }
}

// Direct six-loop convolution, independent of im2col and GEMM.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, std::array<std::size_t, 2> s,
                    std::array<std::size_t, 2> p, std::array<std::size_t, 2> d) {
  Shape xs = x.shape(), ws = w.shape();
  std::size_t oh = (xs[2] + 2 * p[0] - d[0] * (ws[2] - 1) - 1) / s[0] + 1;
  std::size_t ow = (xs[3] + 2 * p[1] - d[1] * (ws[3] - 1) - 1) / s[1] + 1;
  std::vector<double> xv = to_vector(x), wv = to_vector(w), out;
  std::vector<double> bv = b.defined() ? to_vector(b) : std::vector<double>(ws[0], 0.0);
  for (std::size_t n = 0; n < xs[0]; ++n)
    for (std::size_t o = 0; o < ws[0]; ++o)
      for (std::size_t i = 0; i < oh; ++i)
        for (std::size_t j = 0; j < ow; ++j) {
          double acc = bv[o];
          for (std::size_t c = 0; c < xs[1]; ++c)
            for (std::size_t u = 0; u < ws[2]; ++u)
              for (std::size_t v = 0; v < ws[3]; ++v) {
                long y = long(i * s[0] + u * d[0]) - long(p[0]);
                long z = long(j * s[1] + v * d[1]) - long(p[1]);
                if (y < 0 || z < 0 || y >= long(xs[2]) || z >= long(xs[3])) continue;
                acc += wv[((o * xs[1] + c) * ws[2] + u) * ws[3] + v] *
                       xv[((n * xs[1] + c) * xs[2] + std::size_t(y)) * xs[3] + std::size_t(z)];
              }
          out.push_back(acc);
        }
  return from_vector(out, {xs[0], ws[0], oh, ow}, Dtype::float64);
}

}  // namespace

TEST_CASE("conv2d forward matches PyTorch (stride, padding, dilation, bias)") {
  Tensor x = pattern({2, 3, 5, 6}, 7, 11, 5, 4.0);
  Tensor w = pattern({4, 3, 3, 2}, 5, 7, 3, 2.0);
  Tensor b = tensor({0.5, -1.0, 0.25, 2.0}, Dtype::float64);
  Tensor y = conv2d(x, w, b, {2, 1}, {1, 2}, {1, 2});
  CHECK(y.shape() == Shape{2, 4, 3, 8});
  CHECK(sum(y).item() == doctest::Approx(25.375));
  CHECK(sum(y * y).item() == doctest::Approx(1465.078125));
  check_values(slice(slice(slice(y, 0, 0, 1), 1, 0, 1), 2, 0, 1),
               {4.625, 0.875, 0.25, -2.125, -0.375, 0, -0.5, -0.5});
  check_values(slice(slice(slice(y, 0, 1, 2), 1, 3, 4), 2, 2, 3),
               {3.125, 2.625, 1.125, 3.875, -1.625, -1.625, 3, 0.75});
  // float32 agrees with float64
  Tensor y32 = conv2d(x.to(Dtype::float32), w.to(Dtype::float32), b.to(Dtype::float32), {2, 1},
                      {1, 2}, {1, 2});
  CHECK(y32.dtype() == Dtype::float32);
  check_values(y32, to_vector(y), 1e-5);
}

TEST_CASE("conv2d matches a direct loop over many geometries") {
  manual_seed(7);
  using P = std::array<std::size_t, 2>;
  struct Case { Shape x, w; P s, p, d; };
  for (const Case& c : {Case{{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {1, 1}},
                        Case{{1, 2, 8, 9}, {3, 2, 2, 4}, {3, 2}, {1, 3}, {2, 1}},
                        Case{{3, 1, 5, 5}, {2, 1, 5, 1}, {1, 3}, {2, 0}, {1, 1}},
                        Case{{1, 4, 6, 7}, {5, 4, 1, 1}, {2, 2}, {0, 1}, {1, 1}},
                        Case{{2, 2, 4, 4}, {2, 2, 3, 3}, {1, 1}, {4, 4}, {3, 2}},
                        // output as wide as the input at stride 1 (im2col's block-copy path)
                        Case{{2, 3, 6, 5}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}},
                        Case{{1, 2, 7, 6}, {3, 2, 3, 5}, {1, 1}, {2, 4}, {2, 2}},
                        Case{{1, 1, 5, 4}, {2, 1, 2, 3}, {1, 1}, {0, 1}, {1, 1}}}) {
    Tensor x = randn(c.x, Dtype::float64), w = randn(c.w, Dtype::float64);
    Tensor b = randn({c.w[0]}, Dtype::float64);
    check_values(conv2d(x, w, b, c.s, c.p, c.d), to_vector(naive_conv2d(x, w, b, c.s, c.p, c.d)),
                 1e-10);
    check_values(conv2d(x, w, {}, c.s, c.p, c.d), to_vector(naive_conv2d(x, w, {}, c.s, c.p, c.d)),
                 1e-10);
  }
}

TEST_CASE("conv2d gradcheck: stride/padding/dilation combos, bias, non-square kernels") {
  manual_seed(1);
  using P = std::array<std::size_t, 2>;
  struct Case { Shape x, w; P s, p, d; };
  for (const Case& c : {Case{{2, 2, 5, 6}, {3, 2, 3, 2}, {1, 1}, {0, 0}, {1, 1}},
                        Case{{1, 2, 6, 5}, {2, 2, 2, 3}, {2, 1}, {1, 2}, {1, 2}},
                        Case{{2, 1, 7, 7}, {2, 1, 3, 3}, {3, 2}, {2, 1}, {2, 2}}}) {
    Tensor x = randn(c.x, Dtype::float64), w = randn(c.w, Dtype::float64);
    Tensor b = randn({c.w[0]}, Dtype::float64);
    auto f = [c](const Inputs& in) { return conv2d(in[0], in[1], in[2], c.s, c.p, c.d); };
    CHECK(autograd::gradcheck(f, {x, w, b}));
    CHECK(autograd::gradgradcheck(f, {x, w, b}));
  }
}

TEST_CASE("conv2d of a permuted input, unbatched input, empty batch") {
  manual_seed(2);
  Tensor nhwc = randn({2, 5, 4, 3}, Dtype::float64), w = randn({2, 3, 2, 2}, Dtype::float64);
  CHECK(autograd::gradcheck([](const Inputs& in) {
    return conv2d(permute(in[0], {0, 3, 1, 2}), in[1], {}, {1, 2}, {1, 0});
  }, {nhwc, w}));
  Tensor x = randn({3, 6, 5}, Dtype::float64);
  Tensor y = conv2d(x, w, {}, {1, 1}, {1, 1});
  CHECK(y.shape() == Shape{2, 7, 6});
  check_values(y, to_vector(naive_conv2d(reshape(x, {1, 3, 6, 5}), w, {}, {1, 1}, {1, 1}, {1, 1})));
  Tensor empty = conv2d(zeros({0, 3, 6, 5}, Dtype::float64), w);
  CHECK(empty.shape() == Shape{0, 2, 5, 4});
  // No input channels: the output is the bias; no output channels: nothing reaches the input.
  Tensor xc = zeros({2, 0, 5, 5}, Dtype::float64).set_requires_grad();
  Tensor wc = zeros({3, 0, 3, 3}, Dtype::float64).set_requires_grad();
  Tensor bc = tensor({1.0, 2.0, 3.0}, Dtype::float64).set_requires_grad();
  Tensor yc = conv2d(xc, wc, bc, {1, 1}, {1, 1});
  CHECK(to_vector(sum(yc, {0, 2, 3})) == std::vector<double>{50, 100, 150});
  sum(yc).backward();
  CHECK(to_vector(bc.grad()) == std::vector<double>{50, 50, 50});
  CHECK(wc.grad().numel() == 0);
  Tensor xo = randn({2, 2, 5, 5}, Dtype::float64).set_requires_grad();
  sum(conv2d(xo, zeros({0, 2, 3, 3}, Dtype::float64).set_requires_grad())).backward();
  CHECK(to_vector(xo.grad()) == std::vector<double>(100, 0.0));
}

TEST_CASE("conv2d errors name the op and the shapes") {
  Tensor x = zeros({2, 3, 8, 8}), w = zeros({4, 2, 3, 3});
  CHECK_THROWS_WITH_AS(conv2d(x, w),
                       "conv2d: input [2,3,8,8] has 3 channels, weight [4,2,3,3] expects 2",
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(zeros({2, 3, 8}), zeros({4, 3, 3})), doctest::Contains("conv2d"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(x, zeros({4, 3, 9, 3})), doctest::Contains("does not fit"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(x, zeros({4, 3, 3, 3}), zeros({3})), doctest::Contains("bias"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(x, zeros({4, 3, 3, 3}), {}, {0, 1}), doctest::Contains("stride"),
                       ValueError);
  CHECK_THROWS_WITH_AS(conv2d(x, zeros({4, 3, 3, 3}, Dtype::float64)),
                       doctest::Contains("dtype"), ValueError);
}

TEST_CASE("max_pool2d and avg_pool2d match PyTorch with stride != kernel and padding") {
  Tensor x = pattern({1, 2, 5, 5}, 3, 13, 6, 2.0);
  check_values(max_pool2d(x, {3, 2}, {2, 1}, {1, 1}),
               {-2, -0.5, 1, 2.5, 3, 3, 0, 1.5, 3, 3, 2.5, -0.5, 1, 2.5, 3, 3, 0.5, 0.5,
                3, 3, -0.5, 1, 2.5, 2.5, 3, 3, 1.5, 3, 3, 2.5, -0.5, 1, 2.5, 3, 3, -1});
  check_values(avg_pool2d(x, {3, 2}, {2, 1}, {1, 1}),
               {-0.8333333333, -1.166666667, -0.1666666667, 0.8333333333, 0.75, 0.08333333333,
                -0.5, -0.25, 1.25, 0.5833333333, -1.166666667, -0.75, 0.1666666667,
                0.8333333333, 0.75, -0.4166666667, -0.5, 0, 0.8333333333, 0, -1.166666667,
                -0.1666666667, 0.8333333333, 0.6666666667, -0.1666666667, -0.6666666667, -0.25,
                1.25, 0.5833333333, -0.4166666667, -0.3333333333, -0.1666666667, 0.8333333333,
                0.75, -0.4166666667, -0.5}, 1e-9);
  // Ties go to the first maximum of each window, and overlapping windows accumulate.
  Tensor xr = x.detach().set_requires_grad();
  sum(max_pool2d(xr, {3, 2}, {2, 1}, {1, 1})).backward();
  check_values(xr.grad(), {0, 0, 0, 0, 2, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 1, 1, 4, 0, 1, 1, 1, 0,
                           0, 2, 0, 0, 0, 0, 0, 4, 0, 1, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 4, 0, 1,
                           1, 1, 0, 1});
  CHECK(max_pool2d(x, {2, 2}).shape() == Shape{1, 2, 2, 2});  // stride defaults to the kernel
  CHECK(avg_pool2d(zeros({2, 6, 6}), {3, 3}).shape() == Shape{2, 2, 2});  // unbatched
}

TEST_CASE("max_pool2d: a NaN is the maximum and takes the gradient (the last NaN, as PyTorch)") {
  const double nan = std::nan("");
  Tensor x = from_vector({nan, 5, 1, 2, nan, 7, 2, 2}, {1, 1, 2, 4}, Dtype::float64)
                 .set_requires_grad();
  Tensor y = max_pool2d(x, {2, 2});
  std::vector<double> v = to_vector(y);
  REQUIRE(v.size() == 2);
  CHECK(std::isnan(v[0]));
  CHECK(v[1] == 2.0);
  sum(y).backward();
  check_values(x.grad(), {0, 0, 0, 1, 1, 0, 0, 0});  // tie in the second window: the first 2
}

TEST_CASE("pool gradcheck") {
  manual_seed(3);
  Tensor x = randn({2, 2, 6, 7}, Dtype::float64);
  for (auto [k, s, p] : {std::array<std::array<std::size_t, 2>, 3>{{{2, 2}, {0, 0}, {0, 0}}},
                         {{{3, 2}, {2, 1}, {1, 1}}},
                         {{{3, 3}, {1, 2}, {1, 0}}}}) {
    auto maxf = [k = k, s = s, p = p](const Inputs& in) { return max_pool2d(in[0], k, s, p); };
    auto avgf = [k = k, s = s, p = p](const Inputs& in) { return avg_pool2d(in[0], k, s, p); };
    CHECK(autograd::gradcheck(maxf, {x}));
    CHECK(autograd::gradcheck(avgf, {x}));
    // The pools are (piecewise) linear: square the input so the second derivative runs through
    // the recorded backward primitives.
    auto square_first = [](auto f) { return [f](const Inputs& in) { return f({in[0] * in[0]}); }; };
    CHECK(autograd::gradgradcheck(square_first(maxf), {x}));
    CHECK(autograd::gradgradcheck(square_first(avgf), {x}));
  }
  Tensor nhwc = randn({1, 5, 6, 2}, Dtype::float64);
  CHECK(autograd::gradcheck([](const Inputs& in) {
    return max_pool2d(permute(in[0], {0, 3, 1, 2}), {2, 3}, {1, 2}, {1, 1});
  }, {nhwc}));
}

TEST_CASE("pool errors") {
  Tensor x = zeros({1, 1, 4, 4});
  CHECK_THROWS_WITH_AS(max_pool2d(x, {2, 2}, {1, 1}, {2, 0}),
                       doctest::Contains("max_pool2d: padding 2x0 should be at most half"),
                       ValueError);
  CHECK_THROWS_WITH_AS(avg_pool2d(x, {5, 5}), doctest::Contains("avg_pool2d"), ShapeError);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({4, 4}), {2, 2}), doctest::Contains("[4,4]"), ShapeError);
  CHECK_THROWS_WITH_AS(avg_pool2d(x, {0, 2}), doctest::Contains("kernel"), ValueError);
}

TEST_CASE("batch_norm training step matches PyTorch, running stats updated in place") {
  Tensor x = pattern({3, 2, 2, 3}, 5, 9, 4, 3.0);
  Tensor rm = tensor({0.5, -0.5}, Dtype::float64), rv = tensor({2.0, 0.5}, Dtype::float64);
  Tensor w = tensor({1.5, -0.5}, Dtype::float64), b = tensor({0.1, 0.2}, Dtype::float64);
  Tensor held = rm;  // a module's buffer shares the storage
  Tensor y = batch_norm(x, rm, rv, w, b, true, 0.2, 1e-3);
  check_values(slice(y, 0, 0, 1), {-2.222223036, 0.680555759, -1.641667277, 1.261111518,
                                   -1.061111518, 1.841667277, 0.3935185863, -0.5740743453, 0.2,
                                   0.9740743453, 0.006481413679, 0.780555759});
  check_values(held, {0.4, -0.4});
  check_values(rv, {1.756862745, 0.5568627451});  // unbiased batch variance
  Tensor ye = batch_norm(x, rm, rv, w, b, false, 0.2, 1e-3);
  check_values(slice(ye, 0, 2, 3), {-0.7296600992, 1.155931035, -0.3525418723, -1.86101478,
                                    0.02457635462, -1.483896553, -0.5140605633, 0.3785151408,
                                    -0.7372044893, 0.1553712148, -0.9603484153, -0.06777271123});
  check_values(rv, {1.756862745, 0.5568627451});  // eval leaves the statistics alone

  Tensor x2 = pattern({4, 3}, 5, 9, 4, 3.0);
  Tensor rm2 = zeros({3}, Dtype::float64), rv2 = ones({3}, Dtype::float64);
  {
    NoGradGuard no_grad;  // running stats update regardless of grad mode
    check_values(batch_norm(x2, rm2, rv2, {}, {}, true),
                 {-0.9045274554, 0, -0.9045274554, 1.507545759, -1.41419942, 1.507545759,
                  0.3015091518, 1.41419942, 0.3015091518, -0.9045274554, 0, -0.9045274554});
  }
  check_values(rm2, {-0.05833333333, 0.03333333333, -0.025});
  check_values(rv2, {0.9916666667, 0.9666666667, 0.9916666667});
  CHECK_FALSE(rm2.requires_grad());
}

TEST_CASE("batch_norm gradcheck: train and eval, 2-D and 4-D") {
  manual_seed(4);
  Tensor x4 = randn({3, 2, 2, 3}, Dtype::float64), x2 = randn({5, 3}, Dtype::float64);
  Tensor rm = rand({3}, Dtype::float64), rv = rand({3}, Dtype::float64) + 0.5;
  for (const Tensor& x : {x4, x2}) {
    std::size_t c = x.shape()[1];
    Tensor w = randn({c}, Dtype::float64), b = randn({c}, Dtype::float64);
    auto train = [](const Inputs& in) { return batch_norm(in[0], {}, {}, in[1], in[2], true); };
    CHECK(autograd::gradcheck(train, {x, w, b}));
    CHECK(autograd::gradgradcheck(train, {x, w, b}));
    Tensor m = slice(rm, 0, 0, std::ptrdiff_t(c)), v = slice(rv, 0, 0, std::ptrdiff_t(c));
    auto eval = [m, v](const Inputs& in) { return batch_norm(in[0], m, v, in[1], in[2], false); };
    CHECK(autograd::gradcheck(eval, {x, w, b}));
  }
  Tensor nhwc = randn({2, 3, 2, 2}, Dtype::float64);
  CHECK(autograd::gradcheck([](const Inputs& in) {
    return batch_norm(permute(in[0], {0, 3, 1, 2}), {}, {}, {}, {}, true);
  }, {nhwc}));
}

TEST_CASE("batch_norm errors") {
  CHECK_THROWS_WITH_AS(batch_norm(zeros({4, 3}), zeros({2}), ones({2}), {}, {}, true),
                       doctest::Contains("batch_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(batch_norm(zeros({1, 3}), {}, {}, {}, {}, true),
                       doctest::Contains("more than 1 value per channel"), ValueError);
  CHECK_THROWS_WITH_AS(batch_norm(zeros({4}), {}, {}, {}, {}, true), doctest::Contains("[4]"),
                       ShapeError);
  CHECK_THROWS_AS(batch_norm(zeros({4, 3}), {}, {}, {}, {}, false), ValueError);
}

TEST_CASE("layer_norm matches PyTorch, with and without affine") {
  Tensor x = pattern({2, 3, 4}, 5, 9, 4, 3.0);
  Tensor w = pattern({3, 4}, 3, 5, 2, 2.0), b = pattern({3, 4}, 2, 7, 3, 4.0);
  check_values(slice(layer_norm(x, {3, 4}, w, b), 0, 1, 2),
               {-1.444233669, -0.6962930727, -0.2954693111, 0.2541188081, -0.5, 0.09917623838,
                -0.3429980262, -0.8987643576, -1.539291099, 0.25, 1.642586145, 0.04546931107});
  check_values(slice(layer_norm(x, {4}), 0, 0, 1),
               {-1.176688665, 0.7844591097, -0.7844591097, 1.176688665, -1.176688665,
                0.7844591097, -0.7844591097, 1.176688665, 0.7275991712, -1.212665285,
                1.212665285, -0.7275991712});
}

TEST_CASE("layer_norm gradcheck and gradgradcheck") {
  manual_seed(5);
  Tensor x = randn({2, 3, 4}, Dtype::float64);
  Tensor w = randn({3, 4}, Dtype::float64), b = randn({3, 4}, Dtype::float64);
  auto affine = [](const Inputs& in) { return layer_norm(in[0], {3, 4}, in[1], in[2]); };
  auto plain = [](const Inputs& in) { return layer_norm(in[0], {4}); };
  CHECK(autograd::gradcheck(affine, {x, w, b}));
  CHECK(autograd::gradgradcheck(affine, {x, w, b}));
  CHECK(autograd::gradcheck(plain, {x}));
  CHECK(autograd::gradgradcheck(plain, {x}));
  CHECK(autograd::gradcheck([](const Inputs& in) {
    return layer_norm(permute(in[0], {2, 0, 1}), {2, 3});
  }, {x}));
  CHECK_THROWS_WITH_AS(layer_norm(x, {3}), doctest::Contains("layer_norm: normalized_shape [3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(layer_norm(x, {4}, ones({3})), doctest::Contains("layer_norm"), ShapeError);
}

TEST_CASE("embedding picks rows; repeated indices accumulate gradients") {
  Tensor w = pattern({5, 3}, 1, 100, 0, 1.0).set_requires_grad();  // row r = {3r, 3r+1, 3r+2}
  Tensor idx = from_vector({4, 1, 4, 0, 4, 2}, {2, 3});
  Tensor y = embedding(idx, w);
  CHECK(y.shape() == Shape{2, 3, 3});
  check_values(slice(y, 0, 0, 1), {12, 13, 14, 3, 4, 5, 12, 13, 14});
  sum(y).backward();
  check_values(w.grad(), {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 3, 3, 3});
  manual_seed(6);
  Tensor wr = randn({5, 3}, Dtype::float64).set_requires_grad();
  CHECK(autograd::gradcheck([idx](const Inputs& in) { return embedding(idx, in[0]); }, {wr}));
  CHECK(autograd::gradgradcheck([idx](const Inputs& in) {  // squared: embedding is linear
    return embedding(idx, in[0] * in[0]);
  }, {wr}));
  CHECK_THROWS_WITH_AS(embedding(tensor({1.0, 7.0}), w),
                       "embedding: index 7 is out of range for 5 embeddings", ValueError);
  CHECK_THROWS_WITH_AS(embedding(tensor({-1.0}), w), doctest::Contains("embedding: index -1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(embedding(tensor({1.5}), w), doctest::Contains("not an integer"),
                       ValueError);
  CHECK_THROWS_AS(embedding(idx, ones({5})), ShapeError);
}

TEST_CASE("dropout: inverted scaling keeps the mean; eval and p = 0 are the identity") {
  manual_seed(8);
  Tensor x = ones({200000});
  Tensor y = dropout(x, 0.3, true);
  std::vector<double> v = to_vector(y);
  std::size_t zeros_seen = 0;
  for (double e : v) {
    if (e == 0) ++zeros_seen;
    else CHECK(e == doctest::Approx(1 / 0.7).epsilon(1e-6));
  }
  CHECK(double(zeros_seen) / double(v.size()) == doctest::Approx(0.3).epsilon(0.02));
  CHECK(mean(y).item() == doctest::Approx(1.0).epsilon(0.01));
  Tensor small = randn({4, 5});
  CHECK(to_vector(dropout(small, 0.5, false)) == to_vector(small));
  CHECK(to_vector(dropout(small, 0.0, true)) == to_vector(small));
  CHECK(sum(abs(dropout(small, 1.0, true))).item() == 0);
  CHECK_THROWS_WITH_AS(dropout(small, 1.5, true), doctest::Contains("dropout"), ValueError);
  // The gradient is the same mask: checked with a fixed seed so every evaluation draws it again.
  Tensor xd = randn({3, 4}, Dtype::float64);
  CHECK(autograd::gradcheck([](const Inputs& in) {
    manual_seed(9);
    return dropout(in[0], 0.4, true);
  }, {xd}));
}
