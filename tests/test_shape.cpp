// Shape ops: forward values against hand-computed and PyTorch numbers, gradients by
// finite differences (float64), second derivatives, and the scatter-add of repeated indices.
#include "check.hpp"

static Tensor iota(const Shape& shape) {  // 0, 1, 2, ... in float64
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return reshape(arange(0, double(n), 1, f64), std::vector<std::ptrdiff_t>(shape.begin(), shape.end()));
}

TEST_CASE("permute and transpose move elements as PyTorch does") {
  Tensor x = iota({2, 3, 4});
  Tensor p = permute(x, {2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  // p[k][i][j] = x[i][j][k] = 12 i + 4 j + k
  CHECK(to_vector(p) == Values{0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21,
                               2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
  CHECK(to_vector(transpose(iota({2, 3}), 0, -1)) == Values{0, 3, 1, 4, 2, 5});
  CHECK(to_vector(t(iota({2, 3}))) == Values{0, 3, 1, 4, 2, 5});
  CHECK(t(iota({3})).shape() == Shape{3});
  CHECK(permute(iota({2, 0, 3}), {2, 1, 0}).shape() == Shape{3, 0, 2});
  for (const Inputs& in : {Inputs{randn({2, 3, 4}, f64)}, Inputs{randn({1, 3, 1}, f64)}}) {
    CHECK(gradcheck([](const Inputs& v) { return permute(v[0], {1, 2, 0}); }, in));
    CHECK(gradgradcheck([](const Inputs& v) { return square(permute(v[0], {2, 0, 1})); }, in));
    CHECK(gradcheck([](const Inputs& v) { return transpose(v[0], 0, 2); }, in));
  }
}

TEST_CASE("flatten, squeeze, unsqueeze, reshape, expand") {
  Tensor x = iota({2, 1, 3});
  CHECK(flatten(x).shape() == Shape{6});
  CHECK(flatten(iota({2, 3, 4}), 1).shape() == Shape{2, 12});
  CHECK(flatten(iota({2, 3, 4}), 0, 1).shape() == Shape{6, 4});
  CHECK(flatten(scalar(2.0)).shape() == Shape{1});
  CHECK(squeeze(x).shape() == Shape{2, 3});
  CHECK(squeeze(x, 1).shape() == Shape{2, 3});
  CHECK(squeeze(x, 0).shape() == Shape{2, 1, 3});
  CHECK(unsqueeze(x, -1).shape() == Shape{2, 1, 3, 1});
  CHECK(unsqueeze(x, 0).shape() == Shape{1, 2, 1, 3});
  CHECK(view(x, {3, -1}).shape() == Shape{3, 2});
  CHECK(to_vector(expand(tensor({1.0, 2.0}, f64), {2, 2})) == Values{1, 2, 1, 2});
  Tensor r = randn({2, 1, 3}, f64);
  CHECK(gradcheck([](const Inputs& v) { return unsqueeze(squeeze(flatten(v[0], 1)), 0); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return expand(v[0], {4, 2, 5, 3}); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return square(expand(reshape(v[0], {3, 2}), {2, 3, 2})); },
                      {r}));
  CHECK(gradcheck([](const Inputs& v) { return flatten(v[0]); }, {randn({2, 0, 3}, f64)}));
}

TEST_CASE("slice follows Python semantics: negative and clipped bounds, steps") {
  Tensor x = iota({2, 5});
  CHECK(to_vector(slice(x, 1, 1, 4)) == Values{1, 2, 3, 6, 7, 8});
  CHECK(to_vector(slice(x, 1, -2, 100)) == Values{3, 4, 8, 9});
  CHECK(to_vector(slice(x, -1, 0, 5, 2)) == Values{0, 2, 4, 5, 7, 9});
  CHECK(to_vector(slice(x, 1, -100, 2)) == Values{0, 1, 5, 6});
  CHECK(slice(x, 1, 4, 2).shape() == Shape{2, 0});
  CHECK(to_vector(slice(x, 0, 1, 2)) == Values{5, 6, 7, 8, 9});
  CHECK(to_vector(narrow(x, 1, -3, 2)) == Values{2, 3, 7, 8});
  Tensor r = randn({3, 5, 2}, f64);
  CHECK(gradcheck([](const Inputs& v) { return slice(v[0], 1, -4, 5, 2); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return slice(permute(v[0], {2, 0, 1}), 2, 1, 3); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return narrow(v[0], 0, 1, 2); }, {r}));
  CHECK(gradcheck([](const Inputs& v) { return slice(v[0], 1, 3, 3); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) { return square(slice(v[0], 1, 0, 5, 3)); }, {r}));
}

TEST_CASE("index_select and gather: values as PyTorch, repeated indices accumulate") {
  Tensor x = iota({2, 3});
  CHECK(to_vector(index_select(x, 1, tensor({2.0, 0.0, 2.0}))) == Values{2, 0, 2, 5, 3, 5});
  CHECK(index_select(x, 1, scalar(2.0)).shape() == Shape{2, 1});
  CHECK(to_vector(gather(x, 1, from_vector({2, 0, 1, 1}, {2, 2}))) == Values{2, 0, 4, 4});
  CHECK(to_vector(gather(x, 0, from_vector({1, 0, 1}, {1, 3}))) == Values{3, 1, 5});

  Tensor w = x.detach().clone().set_requires_grad();
  sum(index_select(w, 1, tensor({2.0, 0.0, 2.0}))).backward();
  CHECK(to_vector(w.grad()) == Values{1, 0, 2, 1, 0, 2});
  w.zero_grad();
  sum(gather(w, 1, from_vector({2, 2, 1, 0}, {2, 2})) * from_vector({1, 10, 1, 1}, {2, 2}, f64))
      .backward();
  CHECK(to_vector(w.grad()) == Values{0, 0, 11, 1, 1, 0});

  Tensor r = randn({3, 4}, f64);
  Tensor idx = from_vector({3, 0, 3, 1, 1, 2}, {2, 3});
  CHECK(gradcheck([](const Inputs& v) { return index_select(v[0], 0, tensor({2.0, 0.0, 2.0})); },
                  {r}));
  CHECK(gradcheck([&](const Inputs& v) { return gather(v[0], 1, idx); }, {r}));
  CHECK(gradcheck([&](const Inputs& v) { return gather(t(v[0]), 0, t(idx)); }, {r}));
  CHECK(gradgradcheck([&](const Inputs& v) { return square(gather(v[0], 1, idx)); }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) {
    return square(index_select(v[0], 1, tensor({3.0, 3.0})));
  }, {r}));
  CHECK(index_select(r, 0, zeros({0})).shape() == Shape{0, 4});
}

TEST_CASE("cat and stack, with empty tensors and mixed dtypes") {
  Tensor a = iota({2, 2}), b = iota({2, 1}) + 10.0;
  CHECK(to_vector(cat({a, b}, 1)) == Values{0, 1, 10, 2, 3, 11});
  CHECK(to_vector(cat({a, iota({1, 2})})) == Values{0, 1, 2, 3, 0, 1});
  CHECK(cat({a, zeros({0, 2}, f64)}).shape() == Shape{2, 2});
  CHECK(cat({a, zeros({0})}).shape() == Shape{2, 2});  // legacy: 1-D empty tensors are skipped
  CHECK(cat({a, ones({2, 2})}).dtype() == f64);
  CHECK(to_vector(stack({tensor({1.0, 2.0}), tensor({3.0, 4.0})}, 1)) == Values{1, 3, 2, 4});
  CHECK(stack({a, a}, -1).shape() == Shape{2, 2, 2});
  CHECK(stack({scalar(1.0), scalar(2.0)}).shape() == Shape{2});

  Tensor x = randn({2, 3}, f64), y = randn({2, 1}, f64), e = randn({2, 0}, f64);
  CHECK(gradcheck([](const Inputs& v) { return cat({v[0], v[1], v[2], v[0]}, -1); }, {x, y, e}));
  CHECK(gradcheck([](const Inputs& v) { return cat({t(v[0]), t(v[1])}); }, {x, y}));
  CHECK(gradcheck([](const Inputs& v) { return stack({v[0], v[1] * v[0]}, 1); },
                  {x, randn({2, 3}, f64)}));
  CHECK(gradgradcheck([](const Inputs& v) { return square(cat({v[0], v[1]}, 1)); }, {x, y}));
  Tensor leaf = ones({2}).set_requires_grad();
  sum(cat({leaf, scalar(1.0).detach().to(Dtype::float32) * ones({3})}) * 2.0).backward();
  CHECK(to_vector(leaf.grad()) == Values{2, 2});
}

TEST_CASE("split and chunk give PyTorch's piece sizes") {
  auto sizes = [](const std::vector<Tensor>& pieces) {
    std::vector<std::size_t> s;
    for (const Tensor& p : pieces) s.push_back(p.shape()[0]);
    return s;
  };
  using Sizes = std::vector<std::size_t>;
  CHECK(sizes(split(iota({5}), 2)) == Sizes{2, 2, 1});
  CHECK(sizes(split(iota({4}), 2)) == Sizes{2, 2});
  CHECK(sizes(split(zeros({0}), 2)) == Sizes{0});
  CHECK(sizes(chunk(iota({5}), 3)) == Sizes{2, 2, 1});
  CHECK(sizes(chunk(iota({6}), 4)) == Sizes{2, 2, 2});
  CHECK(sizes(chunk(zeros({0}), 3)) == Sizes{0, 0, 0});
  CHECK(to_vector(chunk(iota({2, 4}), 2, 1)[1]) == Values{2, 3, 6, 7});
  Tensor r = randn({3, 5}, f64);
  CHECK(gradcheck([](const Inputs& v) {
    auto p = split(v[0], 2, 1);
    return p[0] * 2.0 + p[1] * p[1] + sum(p[2]);
  }, {r}));
  CHECK(gradgradcheck([](const Inputs& v) {
    auto p = chunk(v[0], 3, 0);
    return p[0] * p[2];
  }, {r}));
}

TEST_CASE("one_hot has no gradient and infers the class count") {
  Tensor h = one_hot(tensor({2.0, 0.0, 1.0}));
  CHECK(h.shape() == Shape{3, 3});
  CHECK(to_vector(h) == Values{0, 0, 1, 1, 0, 0, 0, 1, 0});
  CHECK(one_hot(reshape(tensor({1.0, 0.0}), {2, 1}), 4).shape() == Shape{2, 1, 4});
  CHECK_FALSE(one_hot(tensor({1.0}).set_requires_grad(), 2).requires_grad());
  CHECK(one_hot(zeros({0}), 3).shape() == Shape{0, 3});
}

TEST_CASE("a large transpose and slice copy quickly") {
  Tensor x = randn({512, 1024});
  Tensor y = transpose(x, 0, 1);
  CHECK(y.shape() == Shape{1024, 512});
  CHECK(to_vector(slice(y, 0, 7, 8))[3] == to_vector(slice(x, 0, 3, 4))[7]);
}
