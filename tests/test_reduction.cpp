// Reductions: values against hand-computed and PyTorch 1.13 numbers (float64), gradients by
// finite differences, second derivatives for the smooth ones, edge values (ties, zeros, empty
// dims, ±1000, NaN) as PyTorch gives them.
#include "check.hpp"

#include <cmath>

// [[0.5, -1.2, 3.0], [2.0, 0.1, -0.7]], the input of the PyTorch reference numbers below.
static Tensor sample() { return from_vector({0.5, -1.2, 3.0, 2.0, 0.1, -0.7}, {2, 3}, f64); }

TEST_CASE("sum and mean over axes, keepdim, empty dims and 0-d tensors") {
  Tensor x = sample();
  check_close(sum(x), {3.7});
  check_close(sum(x, {0}), {2.5, -1.1, 2.3});
  CHECK(sum(x, {-1}, true).shape() == Shape{2, 1});
  check_close(mean(x, {1}), {2.3 / 3, 1.4 / 3});
  CHECK(sum(scalar(2.0), {0}).item() == 2);
  CHECK(to_vector(sum(zeros({2, 0}), {1})) == Values{0, 0});
  CHECK(std::isnan(mean(zeros({0})).item()));
  Tensor r = randn({3, 4, 2}, f64);
  CHECK(gradcheck([](const Inputs& v) { return sum(v[0], {0, 2}); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return mean(permute(v[0], {2, 0, 1}), {-1}, true); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return sum(v[0], {1}); }, {randn({2, 0, 3}, f64)}));
  CHECK(gradgradcheck([](const Inputs& v) { return square(mean(v[0], {1})); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return square(sum(v[0])); }, {r}));
}

TEST_CASE("prod: values, and gradients with zeros as PyTorch") {
  check_close(prod(sample()), {0.252});
  check_close(prod(sample(), 0), {1.0, -0.12, -2.1});
  CHECK(prod(zeros({0})).item() == 1);
  // Rows with no zero, one zero, two zeros: d/dx_i = product of the others.
  Tensor x = from_vector({2, 0, 3, 0, 0, 4, 1, 2, 3}, {3, 3}, f64).set_requires_grad();
  sum(prod(x, 1)).backward();
  CHECK(to_vector(x.grad()) == Values{0, 6, 0, 0, 0, 0, 6, 3, 2});
  Tensor y = from_vector({2, 0, 3}, {3}, f64).set_requires_grad();
  prod(y).backward();
  CHECK(to_vector(y.grad()) == Values{0, 6, 0});
  Tensor r = randn({3, 4}, f64);
  CHECK(gradcheck([](const Inputs& v) { return prod(v[0], 1, true); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return prod(t(v[0]), 0); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return prod(v[0], 0); }, {x.detach()}));
  CHECK(gradgradcheck([](const Inputs& v) { return prod(v[0], 1); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return prod(v[0]); }, {y.detach()}));
}

TEST_CASE("max and min: values, ties share the gradient, NaN propagates") {
  Tensor x = from_vector({1, 3, 3, 2}, {4}, f64).set_requires_grad();
  max(x).backward();
  CHECK(to_vector(x.grad()) == Values{0, 0.5, 0.5, 0});
  Tensor m = from_vector({1, 3, 3, 5, 5, 0}, {2, 3}, f64).set_requires_grad();
  Tensor mx = max(m, 1);
  CHECK(to_vector(mx) == Values{3, 5});
  CHECK(max(m, 0, true).shape() == Shape{1, 3});
  CHECK(to_vector(min(m, 0)) == Values{1, 3, 0});
  CHECK(min(m).item() == 0);
  sum(mx).backward();  // along an axis the gradient is also split evenly between ties
  CHECK(to_vector(m.grad()) == Values{0, 0.5, 0.5, 0.5, 0.5, 0});
  CHECK(std::isnan(max(tensor({1.0, NAN, 2.0})).item()));
  CHECK(std::isnan(to_vector(min(from_vector({1, NAN, 2, 0}, {2, 2}), 1))[0]));
  CHECK(max(scalar(4.0), 0).item() == 4);
  CHECK(max(zeros({0, 3}), 1).shape() == Shape{0});
  Tensor r = randn({3, 4, 2}, f64);
  CHECK(gradcheck([](const Inputs& v) { return max(v[0], 1); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return min(permute(v[0], {2, 1, 0}), -1, true); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return max(v[0]) + min(v[0]); }, {r}));
}

TEST_CASE("argmax and argmin: first occurrence, float indices, no gradient") {
  Tensor x = from_vector({1, 3, 3, 5, 5, 0}, {2, 3}, f64);
  CHECK(to_vector(argmax(x, 1)) == Values{1, 0});
  CHECK(to_vector(argmin(x, 0)) == Values{0, 0, 1});
  CHECK(argmax(x).item() == 3);
  CHECK(argmin(x).item() == 5);
  CHECK(argmax(x, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(tensor({1.0, NAN, 2.0})).item() == 1);
  CHECK(argmax(x, 1).dtype() == Dtype::int64);  // indices, as PyTorch
  CHECK_FALSE(argmax(x.detach().set_requires_grad()).requires_grad());
}

TEST_CASE("var and std with Bessel's correction as PyTorch") {
  Tensor x = sample();
  check_close(var(x), {2.5816666666666666});
  check_close(var(x, Axes{1}), {4.463333333333334, 1.9233333333333331});
  check_close(var(x, Axes{0}, 0), {0.5625, 0.42249999999999993, 3.4225});
  check_close(tg::std(x, Axes{1}), {2.11266025033211, 1.3868429375143145});
  CHECK(var(x, Axes{1}, 1, true).shape() == Shape{2, 1});
  CHECK(std::isnan(var(tensor({3.0})).item()));            // one element, correction 1: 0/0
  CHECK(std::isinf(var(tensor({1.0, 2.0}), {}, 2).item()));  // N - correction = 0: 0.5/0
  CHECK(std::isnan(tg::std(zeros({0})).item()));
  Tensor r = randn({3, 4}, f64);
  CHECK(gradcheck([](const Inputs& v) { return var(v[0], Axes{1}); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return tg::std(t(v[0]), Axes{0}, 0, true); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return tg::std(v[0]); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return var(v[0], Axes{0}); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return tg::std(v[0], Axes{1}); }, {r}));
}

TEST_CASE("logsumexp is stable for ±1000 and infinities") {
  check_close(logsumexp(sample(), {1}), {3.092652629319856, 2.1962032026659504});
  check_close(logsumexp(sample(), {0, 1}), {3.4348340950171905});
  check_close(logsumexp(tensor({1000.0, 1000.0, -1000.0}, f64), {0}), {1000.6931471805599});
  check_close(logsumexp(tensor({-1000.0, -1000.0}, f64), {0}), {-999.3068528194401});
  CHECK(logsumexp(tensor({-INFINITY, -INFINITY}), {0}).item() == -INFINITY);
  CHECK(logsumexp(tensor({INFINITY, 1.0}), {0}).item() == INFINITY);
  CHECK(to_vector(logsumexp(zeros({2, 0}), {1})) == Values{-INFINITY, -INFINITY});
  Tensor r = randn({3, 4}, f64) * 10.0;
  CHECK(gradcheck([](const Inputs& v) { return logsumexp(v[0], {1}, true); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return logsumexp(t(v[0]), {0}); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return logsumexp(v[0], {0, 1}); }, {r}));
  Tensor big = tensor({1000.0, 1000.0}, f64).set_requires_grad();
  logsumexp(big, {0}).backward();
  CHECK(to_vector(big.grad()) == Values{0.5, 0.5});
}

TEST_CASE("softmax and log_softmax: PyTorch values, stable, gradients") {
  Tensor x = sample();
  check_close(softmax(x, 1), {0.07482130343129079, 0.013668619385047164, 0.9115100771836621,
                              0.8218452165704931, 0.12292225425717614, 0.05523252917233067});
  check_close(softmax(x, 0), {0.18242552380635632, 0.2141650169574414, 0.9758729785823308,
                              0.8175744761936437, 0.7858349830425586, 0.0241270214176692});
  check_close(log_softmax(x, -1), {-2.592652629319856, -4.292652629319856, -0.09265262931985614,
                                   -0.1962032026659504, -2.0962032026659503, -2.8962032026659505});
  Tensor big = tensor({1000.0, -1000.0, 0.0}, f64);
  CHECK(to_vector(softmax(big, 0)) == Values{1, 0, 0});
  CHECK(to_vector(log_softmax(big, 0)) == Values{0, -2000, -1000});
  CHECK(to_vector(log_softmax(tensor({1000.0, 1000.0}), 0))[0] == doctest::Approx(-std::log(2.0)));
  CHECK(softmax(zeros({0, 3}), 1).shape() == Shape{0, 3});
  Tensor r = randn({3, 4, 2}, f64) * 3.0;
  for (std::ptrdiff_t axis : {0, 1, -1}) {
    CHECK(gradcheck([axis](const Inputs& v) { return softmax(v[0], axis); }, {r}));
    CHECK(gradcheck([axis](const Inputs& v) { return log_softmax(v[0], axis); }, {r}));
  }
  CHECK(gradcheck([](const Inputs& v) { return log_softmax(permute(v[0], {2, 0, 1}), 1); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return softmax(v[0], 1); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return log_softmax(v[0], 0); }, {r}));
  Tensor single = randn({4, 1}, f64);
  CHECK(gradcheck([](const Inputs& v) { return log_softmax(v[0], 1); }, {single}));
}

TEST_CASE("float32 reductions agree with float64") {
  Tensor r = randn({5, 7}, f64), r32 = r.to(Dtype::float32);
  for (auto f : {+[](const Tensor& v) { return softmax(v, 1); },
                 +[](const Tensor& v) { return logsumexp(v, {0}); },
                 +[](const Tensor& v) { return tg::std(v, Axes{1}); },
                 +[](const Tensor& v) { return max(v, 0); }}) {
    Values a = to_vector(f(r)), b = to_vector(f(r32));
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-5));
  }
}

TEST_CASE("var(x, {1}) reduces axis 1, as in PyTorch") {
  Tensor x = tensor({{1.0, 2.0, 4.0}, {0.0, 0.0, 3.0}}, Dtype::float64);
  // rows: mean 7/3, unbiased variance ((4/3)² + (1/3)² + (5/3)²)/2 = 7/3; mean 1, variance 3
  std::vector<double> v = to_vector(var(x, {1}));
  REQUIRE(v.size() == 2);
  CHECK(v[0] == doctest::Approx(7.0 / 3));
  CHECK(v[1] == doctest::Approx(3.0));
}

TEST_CASE("float32 sums of many elements stay accurate") {
  // 2^24 + 8 ones: a float32 accumulator stops growing at 2^24 = 16777216.
  Tensor x = ones({(1u << 24) + 8});
  CHECK(sum(x).item() == doctest::Approx(16777224.0).epsilon(1e-7));
  CHECK(mean(x).item() == doctest::Approx(1.0).epsilon(1e-7));
}

TEST_CASE("norm: PyTorch's values for p = 2, 1, 0, 3, 0.5, ±inf, -1, over all or some dims") {
  Tensor x = sample();
  // torch.norm(x, p), torch.norm(x, p, dim=[1]), linalg.vector_norm(x, p, dim=(0,), keepdim=True)
  struct Case { double p, all; Values dim1, dim0; };
  const double inf = INFINITY;
  for (const Case& c : std::vector<Case>{
           {2, 3.8974350539810154, {3.269556544854363, 2.1213203435596424},
            {2.0615528128088303, 1.2041594578792296, 3.0805843601498726}},
           {1, 7.5, {4.7, 2.8}, {2.5, 1.3, 3.7}},
           {0, 6, {3, 3}, {2, 2, 2}},
           {3, 3.3381253299515534, {3.0671168736219525, 2.0282653206601515},
            {2.010362879294529, 1.2002314368427685, 3.0126502854841792}},
           {0.5, 37.23079241983116, {12.493416273468199, 6.59000936645268},
            {4.500000000000001, 1.992820323027551, 6.598275349237888}},
           {inf, 3, {3, 2}, {2, 1.2, 3}},
           {-inf, 0.1, {0.5, 0.1}, {0.5, 0.1, 0.7}},
           {-1, 0.06624605678233438, {0.3157894736842105, 0.08383233532934131},
            {0.4, 0.0923076923076923, 0.5675675675675675}}}) {
    INFO("p = ", c.p);
    check_close(norm(x, c.p), {c.all});
    check_close(norm(x, c.p, {1}), c.dim1);
    Tensor kept = x.norm(c.p, {0}, true);
    CHECK(kept.shape() == Shape{1, 3});
    check_close(kept, c.dim0);
  }
  check_close(x.norm(), {3.8974350539810154});
  CHECK(norm(tensor({3.0, 4.0})).dtype() == Dtype::float32);
  check_close(norm(tensor({3.0, 4.0}).to(kInt64)), {5});  // promoted to float32
  check_close(norm(zeros({0, 2}, f64), 2, {0}), {0, 0});
}

TEST_CASE("norm: gradients (float64), 0 at a zero norm as PyTorch, ties split for inf") {
  Tensor r = randn({2, 3, 2}, f64);
  for (double p : {2.0, 1.0, 3.0, 0.5, -1.0, double(INFINITY), -double(INFINITY)}) {
    INFO("p = ", p);
    CHECK(gradcheck([p](const Inputs& v) { return norm(v[0], p); }, {r}));
    CHECK(gradcheck([p](const Inputs& v) { return norm(v[0], p, {0, 2}, true); }, {r}));
    CHECK(gradcheck([p](const Inputs& v) { return norm(transpose(v[0], 0, 2), p, {-1}); }, {r}));
  }
  // broadcast input; empty input; second derivatives of the 2-norm
  CHECK(gradcheck([](const Inputs& v) { return norm(v[0] + v[1], 2, {1}); },
                  {randn({3, 1}, f64), randn({4}, f64)}));
  CHECK(gradcheck([](const Inputs& v) { return norm(v[0], 2, {0}); }, {randn({0, 2}, f64)}));
  CHECK(gradgradcheck([](const Inputs& v) { return norm(v[0], 2, {1}); }, {r}));
  // PyTorch: the gradient of norm(zeros(3), p) is [0, 0, 0] for p = 2, 3 and inf
  for (double p : {2.0, 3.0, double(INFINITY)}) {
    Tensor z = zeros({3}, f64).requires_grad_();
    norm(z, p).backward();
    check_close(z.grad(), {0, 0, 0});
  }
  Tensor z = zeros({2, 2}, f64).requires_grad_();  // one zero row, one nonzero row, keepdim
  (norm(z + tensor({{0.0, 0.0}, {3.0, 4.0}}, f64), 2, {1}, true) * 1.0).sum().backward();
  check_close(z.grad(), {0, 0, 0.6, 0.8});
  // PyTorch: linalg.vector_norm([[1, 1], [1, 0]], inf) sends 1/3 to each of the three ones
  Tensor t = tensor({{1.0, 1.0}, {1.0, 0.0}}, f64).requires_grad_();
  norm(t, INFINITY).backward();
  check_close(t.grad(), {1.0 / 3, 1.0 / 3, 1.0 / 3, 0});
}
