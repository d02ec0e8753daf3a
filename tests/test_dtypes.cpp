// int64 and bool tensors with PyTorch's rules: indices and counts are int64, comparisons give
// bool masks, math promotes to float, integers never require grad.
#include <cstdint>
#include <cstdio>
#include <sstream>

#include "check.hpp"

using doctest::Contains;

TEST_CASE("factories, conversion and item for int64 and bool") {
  Tensor i = arange(0, 5, 1, kLong);
  CHECK(i.dtype() == Dtype::int64);
  CHECK(kInt64 == kLong);
  CHECK(i.data<std::int64_t>()[4] == 4);
  CHECK(to_vector(full({2}, 7.9, kInt64)) == Values{7, 7});  // truncated, as PyTorch's cast
  CHECK(zeros({2}, kBool).dtype() == Dtype::boolean);
  CHECK(to_vector(tensor({0.0, 0.5, -2.0}).to(kBool)) == Values{0, 1, 1});
  CHECK(to_vector(tensor({-1.7, 2.9}).to(kInt64)) == Values{-1, 2});
  CHECK(i.to(kFloat64).dtype() == Dtype::float64);
  const std::int64_t big = (std::int64_t(1) << 62) + 1;  // beyond float64's exact integers
  CHECK(full({}, 0, kInt64).clone().dtype() == Dtype::int64);
  CHECK(from_vector({3}, {}, kInt64).item<std::int64_t>() == 3);
  Tensor b = zeros({1}, kInt64);
  b.data_ptr<std::int64_t>()[0] = big;
  CHECK(b.item<std::int64_t>() == big);
  CHECK(b.reshape({1, 1}).item<std::int64_t>() == big);  // shape ops keep the dtype
  CHECK(i.is_floating_point() == false);
  CHECK(std::string(to_string(Dtype::boolean)) == "bool");
  std::ostringstream os;
  os << tensor({1.0, 2.0}).to(kInt64);
  CHECK(os.str().find("dtype=int64") != std::string::npos);
}

TEST_CASE("integers never require grad") {
  CHECK_THROWS_WITH_AS(zeros({2}, kInt64).set_requires_grad(),
                       Contains("only floating-point tensors can require gradients"),
                       AutogradError);
  CHECK_THROWS_AS(zeros({2}, kBool).requires_grad_(), AutogradError);
  Tensor x = tensor({1.5, -0.5}).requires_grad_();
  CHECK_FALSE(x.to(kInt64).requires_grad());
  CHECK_FALSE((x > 0.0).requires_grad());
  CHECK_FALSE(x.argmax().requires_grad());
}

TEST_CASE("comparisons give bool, indices and counts are int64") {
  Tensor x = tensor({{1.0, 5.0, 3.0}, {7.0, 2.0, 2.0}});
  Tensor mask = x > 2.0;
  CHECK(mask.dtype() == Dtype::boolean);
  CHECK(to_vector(mask) == Values{0, 1, 1, 1, 0, 0});
  Tensor count = mask.sum();
  CHECK(count.dtype() == Dtype::int64);
  CHECK(count.item<std::int64_t>() == 3);
  CHECK(to_vector(mask.sum(1)) == Values{2, 1});
  Tensor pred = x.argmax(1);
  CHECK(pred.dtype() == Dtype::int64);
  CHECK(to_vector(pred) == Values{1, 0});
  auto [values, where] = x.max(1);
  CHECK(where.dtype() == Dtype::int64);
  Tensor target = tensor({1.0, 2.0}).to(kInt64);
  CHECK(pred.eq(target).sum().item<std::int64_t>() == 1);  // libtorch's accuracy line
  CHECK(randint(0, 10, {3}).dtype() == Dtype::int64);
  CHECK(tensor({1.0, 2.0}).to(kInt64).sum().dtype() == Dtype::int64);
}

TEST_CASE("math on integers and bools promotes to float, as PyTorch") {
  Tensor i = arange(1, 4, 1, kInt64);
  Tensor f = i * 0.5;
  CHECK(f.dtype() == Dtype::float32);
  CHECK(to_vector(f) == Values{0.5, 1, 1.5});
  CHECK((i + tensor({1.0}, f64)).dtype() == Dtype::float64);
  check_close(exp(arange(0, 2, 1, kInt64)), {1, std::exp(1.0)}, 1e-7);
  check_close(mean(i), {2});
  Tensor m = tensor({1.0, -1.0, 2.0}) > 0.0;
  check_close(where(m, tensor({1.0, 2.0, 3.0}), tensor({0.0})), {1, 0, 3});
  check_close(m * tensor({4.0, 5.0, 6.0}), {4, 0, 6});
}

TEST_CASE("int64 class targets and indices train like whole-number float ones") {
  Tensor logits = randn({4, 3}, f64).requires_grad_();
  Tensor targets = tensor({0.0, 2.0, 1.0, 2.0});
  Tensor as_float = losses::cross_entropy(logits, targets);
  Tensor as_long = losses::cross_entropy(logits, targets.to(kInt64));
  CHECK(as_long.item() == doctest::Approx(as_float.item()).epsilon(1e-15));
  as_long.backward();
  CHECK(logits.grad().defined());
  check_close(losses::nll_loss(log_softmax(logits, 1), targets.to(kInt64)),
              {losses::nll_loss(log_softmax(logits, 1), targets).item()});
  Tensor table = randn({5, 2}, f64);
  Tensor idx = tensor({4.0, 0.0}).to(kInt64);
  check_close(index_select(table, 0, idx), to_vector(index_select(table, 0, tensor({4.0, 0.0}))));
  check_close(embedding(idx, table), to_vector(index_select(table, 0, idx)));
  check_close(gather(table, 1, zeros({5, 1}, kInt64)), to_vector(narrow(table, 1, 0, 1)));
}

TEST_CASE("BatchNorm counts batches in int64 and keeps it through to(float64) and save/load") {
  nn::BatchNorm1d bn(3);
  bn(randn({4, 3}));
  bn(randn({4, 3}));
  Tensor counter = bn->named_buffers().back().second;
  CHECK(counter.dtype() == Dtype::int64);
  CHECK(counter.item<std::int64_t>() == 2);
  bn->to(Dtype::float64);
  CHECK(counter.dtype() == Dtype::int64);
  const std::string path = "dtypes_bn_test.npz";
  nn::save(bn, path);
  nn::BatchNorm1d other(3);
  other->to(Dtype::float64);
  nn::load(other, path);
  CHECK(other->named_buffers().back().second.item<std::int64_t>() == 2);
  auto entries = load_npz(path);
  std::remove(path.c_str());
  CHECK(entries.back().second.dtype() == Dtype::int64);  // saved as '<i8', as PyTorch's
}

TEST_CASE("+ - * neg abs and comparisons of integers stay exact int64, as PyTorch") {
  const std::int64_t big = (std::int64_t(1) << 40) + 1;  // float32 would round it to 2^40
  Tensor a = zeros({2}, kInt64), b = zeros({2}, kInt64);
  a.data_ptr<std::int64_t>()[0] = big, a.data_ptr<std::int64_t>()[1] = -3;
  b.data_ptr<std::int64_t>()[0] = big - 1, b.data_ptr<std::int64_t>()[1] = 5;
  // PyTorch: a + b = [2199023255553, 2], a - b = [1, -8], -a, a.abs(), all int64
  for (const Tensor& r : {a + b, a - b, a * 2, -a, a.abs(), a + 1, 1 - a, maximum(a, b)})
    CHECK(r.dtype() == Dtype::int64);
  CHECK((a + b).data<std::int64_t>()[0] == 2 * big - 1);
  CHECK(to_vector(a - b) == Values{1, -8});
  CHECK((a * 3).data<std::int64_t>()[0] == 3 * big);
  CHECK(to_vector(a * tensor({2.0, 1.0}).to(kInt64)) == Values{2.0 * double(big), -3});
  CHECK((-a).data<std::int64_t>()[0] == -big);
  CHECK(abs(a).data<std::int64_t>()[1] == 3);
  CHECK((a + 1).data<std::int64_t>()[0] == big + 1);
  CHECK(to_vector(a == big) == Values{1, 0});  // compared in int64: 2^40 + 1 != 2^40
  CHECK(to_vector(a > b) == Values{1, 0});
  CHECK(to_vector(maximum(a, b)) == Values{double(big), 5});
  CHECK((a / b).dtype() == Dtype::float32);  // true division: the default float dtype
  CHECK((a / 2).dtype() == Dtype::float32);
  CHECK((a + 1.5).dtype() == Dtype::float32);  // a floating scalar does not give float64
  CHECK((a * tensor({0.5}, f64)).dtype() == Dtype::float64);
  Tensor x = tensor({1.5, 2.0}).requires_grad_();
  CHECK((x + a).dtype() == Dtype::float32);
  CHECK((x + a).requires_grad());
  CHECK_FALSE((a + b).requires_grad());
  Tensor i = a.clone();
  i.add_(1);  // in place, exact
  CHECK(i.data<std::int64_t>()[0] == big + 1);
}

TEST_CASE("bool arithmetic as PyTorch: bool with bool stays bool, with an integer is int64") {
  Tensor t = tensor({1.0, 0.0}).to(kBool);
  CHECK((t + t).dtype() == Dtype::boolean);  // True + True is True
  CHECK(to_vector(t + t) == Values{1, 0});
  CHECK(to_vector(t * t) == Values{1, 0});
  CHECK((t + 1).dtype() == Dtype::int64);
  CHECK(to_vector(t + 1) == Values{2, 1});
  CHECK((t + arange(2)).dtype() == Dtype::int64);
  CHECK((t * 0.5).dtype() == Dtype::float32);
}
