// libtorch's Tensor methods: each gives what its free function gives; in-place methods write the
// tensor's own storage, bump its version and follow PyTorch's grad-mode rule.
#include <cmath>

#include "check.hpp"

using doctest::Contains;

TEST_CASE("methods forward to the free functions") {
  Tensor x = tensor({{1.0, -2.0, 3.0}, {4.0, 5.0, -6.0}}, f64);
  check_close(x.sum(), {5});
  check_close(x.sum(1), {2, 3});
  check_close(x.sum({0, 1}), {5});
  check_close(x.mean(0, true), {2.5, 1.5, -1.5});
  CHECK(x.mean(0, true).sizes() == Shape{1, 3});
  check_close(x.prod(1), {-6, -120});
  auto [values, indices] = x.max(1);
  check_close(values, {3, 5});
  check_close(indices, {2, 1});
  auto [low, where_low] = x.min(0);
  check_close(low, {1, -2, -6});
  check_close(where_low, {0, 0, 1});
  check_close(x.argmax(), {4});
  check_close(x.var(), {521.0 / 30});                // Σ(x - 5/6)² / 5
  check_close(x.var({1}, false), {38.0 / 9, 74.0 / 3});  // biased, per row
  check_close(x.std({1}), {std::sqrt(19.0 / 3), std::sqrt(37.0)});
  check_close(x.t(), {1, 4, -2, 5, 3, -6});
  CHECK(x.view({3, 2}).sizes() == Shape{3, 2});
  CHECK(x.reshape({-1}).dim() == 1);
  CHECK(x.unsqueeze(0).sizes() == Shape{1, 2, 3});
  CHECK(x.unsqueeze(0).squeeze().sizes() == Shape{2, 3});
  CHECK(x.permute({1, 0}).sizes() == Shape{3, 2});
  CHECK(x.transpose(0, 1).sizes() == Shape{3, 2});
  CHECK(x.flatten().numel() == 6);
  CHECK(x.sum(0).unsqueeze(0).expand({4, -1}).sizes() == Shape{4, 3});
  check_close(x.matmul(x.t()), {14, -24, -24, 77});
  check_close(x.mm(x.t()), {14, -24, -24, 77});
  check_close(x.abs().sqrt().pow(2.0), {1, 2, 3, 4, 5, 6});
  check_close(x.clamp(0.0), {1, 0, 3, 4, 5, 0});
  check_close(x.clamp(std::nullopt, 0.0), {0, -2, 0, 0, 0, -6});
  check_close(x.relu().neg(), {-1, 0, -3, -4, -5, 0});
  check_close(x.softmax(1).sum(1), {1, 1});
  check_close(x.log_softmax(1).exp().sum(1), {1, 1});
  check_close(x.gather(1, tensor({0.0, 2.0}, f64).reshape({2, 1})), {1, -6});
  check_close(x.index_select(0, tensor({1.0}, f64)), {4, 5, -6});
  CHECK(x.scalar_type() == Dtype::float64);
  CHECK(x.size(-1) == 3);
  CHECK(x.sum().item<float>() == 5.0f);
  CHECK(x.contiguous().data<double>() == x.data<double>());
}

TEST_CASE("comparisons with tensors and with scalars on either side") {
  Tensor x = tensor({-1.0, 0.0, 2.0});
  check_close(x == 0.0, {0, 1, 0});
  check_close(x != 0.0, {1, 0, 1});
  check_close(0.0 < x, {0, 0, 1});
  check_close(0.0 >= x, {1, 1, 0});
  check_close(x.eq(2.0), {0, 0, 1});
  check_close(x.le(x), {1, 1, 1});
  check_close(x.gt(tensor({0.0})), {0, 0, 1});
  CHECK((x.argmax() == 2.0).item() == 1);
}

TEST_CASE("in-place methods write the storage, bump the version and broadcast") {
  Tensor a = zeros({2, 3}, f64);
  Tensor alias = a.detach();
  a.fill_(2);
  CHECK(a._version() == 1);
  check_close(alias, {2, 2, 2, 2, 2, 2});  // the same storage
  a.add_(tensor({1.0, 2.0, 3.0}, f64), 2);  // broadcast over rows, times alpha
  check_close(a, {4, 6, 8, 4, 6, 8});
  a.sub_(1.0).mul_(2.0).div_(tensor({2.0}, f64));
  check_close(a, {3, 5, 7, 3, 5, 7});
  a.clamp_(4.0, 6.0);
  check_close(a, {4, 5, 6, 4, 5, 6});
  a.copy_(tensor({1.0, 2.0, 3.0}));  // float32 source, float64 target
  check_close(a, {1, 2, 3, 1, 2, 3});
  CHECK(a.dtype() == Dtype::float64);
  a.zero_();
  check_close(a, {0, 0, 0, 0, 0, 0});
  CHECK(a._version() == 8);
  CHECK_THROWS_WITH_AS(a.copy_(ones({4})), Contains("copy_"), ShapeError);
  a.data_ptr<double>()[0] = 9;  // a write handle: counted
  CHECK(a._version() == 9);
  CHECK(to_vector(a)[0] == 9);
}

TEST_CASE("normal_ and uniform_ draw in place, reproducibly from a generator") {
  Tensor a = zeros({1000}, f64), b = zeros({1000}, f64);
  Generator g1(7), g2(7);
  a.uniform_(-2, 2, &g1);
  b.uniform_(-2, 2, &g2);
  CHECK(to_vector(a) == to_vector(b));
  CHECK(min(a).item() >= -2);
  CHECK(max(a).item() < 2);
  a.normal_(3, 0.5, &g1);
  CHECK(mean(a).item() == doctest::Approx(3).epsilon(0.02));
  CHECK(tg::std(a).item() == doctest::Approx(0.5).epsilon(0.1));
}

TEST_CASE("in-place writes to a tensor in a graph need grad mode off, as in PyTorch") {
  Tensor w = ones({2}).set_requires_grad();
  CHECK_THROWS_WITH_AS(w.sub_(1.0), Contains("sub_: a leaf tensor that requires grad"),
                       AutogradError);
  CHECK_THROWS_WITH_AS((w * 2.0).zero_(), Contains("NoGradGuard"), AutogradError);
  // The seed article's gradient descent written by hand: fit y = 3x + 2.
  Tensor x = linspace(-1, 1, 20, f64).reshape({20, 1}), y = 3.0 * x + 2.0;
  Tensor weight = zeros({1}, f64).requires_grad_(), bias = zeros({1}, f64).requires_grad_();
  for (int step = 0; step < 500; ++step) {
    Tensor loss = ((x * weight + bias - y).pow(2.0)).mean();
    loss.backward();
    NoGradGuard no_grad;
    weight.sub_(0.1 * weight.grad());
    bias.sub_(0.1 * bias.grad());
    weight.grad().zero_();
    bias.grad().zero_();
  }
  CHECK(weight.item() == doctest::Approx(3).epsilon(1e-6));
  CHECK(bias.item() == doctest::Approx(2).epsilon(1e-6));
}

TEST_CASE("any, chunk and split methods") {
  Tensor x = tensor({{1.0, 0.0, 3.0}, {0.0, 0.0, 0.0}}, f64);
  CHECK(x.any().dtype() == Dtype::boolean);
  CHECK(x.any().item<bool>());
  CHECK_FALSE(zeros({2}).any().item<bool>());
  CHECK_FALSE(zeros({0}).any().item<bool>());  // PyTorch: any of nothing is false
  CHECK(zeros({0}).all().item<bool>());
  CHECK_FALSE(x.all().item<bool>());
  auto chunks = x.chunk(3, 1);
  REQUIRE(chunks.size() == 3);
  check_close(chunks[2], {3, 0});
  auto parts = arange(5).split(2);
  REQUIRE(parts.size() == 3);
  CHECK(to_vector(parts[2]) == Values{4});
  CHECK(x.split(1, 0)[1].sizes() == Shape{1, 3});
}
