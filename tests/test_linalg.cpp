// Matrix products: every matmul case of numpy/PyTorch against PyTorch 1.13 numbers, gradients
// by finite differences (float64) including broadcast batches, transposed operands and k = 0.
#include "check.hpp"

static Tensor ramp(const Shape& shape, double scale, double shift) {  // arange(n) * scale + shift
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return reshape(arange(0, double(n), 1, f64) * scale + shift,
                 std::vector<std::ptrdiff_t>(shape.begin(), shape.end()));
}

TEST_CASE("matmul covers 1-D, 2-D and batched operands as PyTorch") {
  Tensor A = ramp({2, 3, 4}, 0.1, 0), B = ramp({4, 2}, 1, -3), v = tensor({1.0, -2.0, 0.5, 3.0}, f64);
  check_close(matmul(A, B), {1.0, 1.6, 1.0, 3.2, 1.0, 4.8, 1.0, 6.4, 1.0, 8.0, 1.0, 9.6});
  CHECK(matmul(A, B).shape() == Shape{2, 3, 2});
  check_close(matmul(A, v), {0.8, 1.8, 2.8, 3.8, 4.8, 5.8});
  CHECK(matmul(A, v).shape() == Shape{2, 3});
  check_close(matmul(v, B), {8.5, 11.0});
  CHECK(matmul(v, v).shape() == Shape{});
  CHECK(matmul(v, v).item() == doctest::Approx(14.25));
  CHECK(dot(v, v).item() == doctest::Approx(14.25));
  Tensor C = ramp({3, 1, 2, 4}, 0.25, 0), D = ramp({2, 4, 2}, 0.125, -1);
  Tensor CD = matmul(C, D);
  CHECK(CD.shape() == Shape{3, 2, 2, 2});
  check_close(CD, {-0.625, -0.4375, -3.125, -2.4375, 0.875, 1.0625, 2.375, 3.0625,
                   -5.625, -4.4375, -8.125, -6.4375, 3.875, 5.0625, 5.375, 7.0625,
                   -10.625, -8.4375, -13.125, -10.4375, 6.875, 9.0625, 8.375, 11.0625});
  check_close(matmul(v, D), {-0.5, -0.1875, 2.0, 2.3125});
  check_close(outer(tensor({1.0, 2.0}), tensor({3.0, 4.0, 5.0})), {3, 4, 5, 6, 8, 10});
  CHECK(to_vector(matmul(zeros({2, 0}), zeros({0, 3}))) == Values(6, 0.0));
  CHECK(matmul(zeros({0, 3}), zeros({3, 2})).shape() == Shape{0, 2});
  CHECK(matmul(A.to(Dtype::float32), B).dtype() == f64);
}

TEST_CASE("mm with transpose flags equals matmul of transposed copies") {
  Tensor a = randn({4, 3}, f64), b = randn({5, 4}, f64);
  Values expect = to_vector(matmul(t(a), t(b)));
  Values got = to_vector(mm(a, b, true, true));
  REQUIRE(got.size() == expect.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expect[i]));
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Tensor x = randn(ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, f64);
      Tensor y = randn(tb ? Shape{5, 4} : Shape{4, 5}, f64);
      CHECK(gradcheck([ta, tb](const Inputs& in) { return mm(in[0], in[1], ta, tb); }, {x, y}));
    }
}

TEST_CASE("matmul gradients: every operand rank, broadcast batches, transposed inputs, k = 0") {
  auto mmf = [](const Inputs& in) { return matmul(in[0], in[1]); };
  std::vector<std::pair<Shape, Shape>> cases = {
      {{4}, {4}},       {{3, 4}, {4}},          {{4}, {4, 2}},      {{2, 3, 4}, {4}},
      {{4}, {2, 4, 3}}, {{2, 1, 3, 4}, {3, 4, 2}}, {{1, 3, 4}, {2, 4, 5}}, {{3, 0}, {0, 2}},
      {{0, 3}, {3, 2}}, {{2, 3, 4}, {4, 5}}};
  for (auto& [sa, sb] : cases) {
    CAPTURE(to_string(sa));
    CAPTURE(to_string(sb));
    CHECK(gradcheck(mmf, {randn(sa, f64), randn(sb, f64)}));
  }
  Tensor a = randn({4, 3}, f64), b = randn({2, 5, 4}, f64);
  CHECK(gradcheck([](const Inputs& in) { return matmul(t(in[0]), transpose(in[1], 1, 2)); },
                  {a, b}));
  CHECK(gradcheck([](const Inputs& in) { return matmul(permute(in[1], {1, 0, 2}), in[0]); },
                  {a, b}));
  CHECK(gradgradcheck(mmf, {randn({2, 3, 4}, f64), randn({4, 2}, f64)}));
  CHECK(gradgradcheck(mmf, {randn({4}, f64), randn({3, 4, 2}, f64)}));
  CHECK(gradcheck([](const Inputs& in) { return outer(in[0], in[1]) + dot(in[0], in[0]); },
                  {randn({3}, f64), randn({2}, f64)}));
}

TEST_CASE("linear and addmm") {
  Tensor x = from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, f64);
  Tensor w = from_vector({0.1, 0.2, 0.3, -1, 0, 1}, {2, 3}, f64), b = tensor({0.5, -0.5}, f64);
  check_close(linear(x, w, b), {1.9, 1.5, 3.7, 1.5});
  check_close(linear(x, w), {1.4, 2.0, 3.2, 2.0});
  check_close(linear(tensor({1.0, 2.0, 3.0}, f64), w, b), {1.9, 1.5});
  check_close(linear(zeros({3, 0}, f64), zeros({2, 0}, f64), tensor({1.0, 2.0}, f64)),
              {1, 2, 1, 2, 1, 2});
  Tensor a = from_vector({1, 2, 3, 4}, {2, 2}, f64), m = from_vector({0.5, -1, 2, 1.5}, {2, 2}, f64);
  check_close(addmm(tensor({1.0, 2.0}, f64), a, m, 0.5, 2), {9.5, 5.0, 19.5, 7.0});
  CHECK(to_vector(addmm(full({2}, NAN, f64), a, m, 0, 1)) == Values{4.5, 2, 9.5, 3});

  for (Shape sx : {Shape{5, 3}, Shape{2, 4, 3}, Shape{3}, Shape{0, 3}}) {
    CAPTURE(to_string(sx));
    CHECK(gradcheck([](const Inputs& in) { return linear(in[0], in[1], in[2]); },
                    {randn(sx, f64), randn({4, 3}, f64), randn({4}, f64)}));
  }
  CHECK(gradcheck([](const Inputs& in) { return linear(in[0], in[1]); },
                  {randn({2, 0}, f64), randn({3, 0}, f64)}));
  CHECK(gradcheck([](const Inputs& in) { return linear(t(in[0]), in[1], in[2]); },
                  {randn({3, 5}, f64), randn({4, 3}, f64), randn({4}, f64)}));
  CHECK(gradgradcheck([](const Inputs& in) { return square(linear(in[0], in[1], in[2])); },
                      {randn({2, 3}, f64), randn({4, 3}, f64), randn({4}, f64)}));
  CHECK(gradcheck([](const Inputs& in) { return addmm(in[0], in[1], in[2], 0.5, 2); },
                  {randn({2}, f64), randn({3, 4}, f64), randn({4, 2}, f64)}));
}
