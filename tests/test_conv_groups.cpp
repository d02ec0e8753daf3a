// Grouped and depthwise conv2d against PyTorch (tests/make_conv_groups_reference.py writes
// tests/data/conv_groups), float64 finite-difference checks, errors; embedding's padding_idx.
#include <cmath>
#include <map>

#include "check.hpp"

namespace {

using Named = std::map<std::string, Tensor>;

Size2 size2(const Tensor& t) {
  Values v = to_vector(t);
  return {std::size_t(v[0]), std::size_t(v[1])};
}

}  // namespace

TEST_CASE("conv2d with groups matches PyTorch: values and gradients") {
  for (const char* name : {"groups2", "depthwise", "groups4_unbatched", "groups3_1x1"}) {
    INFO("case ", name);
    Named d;
    for (auto& [key, t] : load_npz(std::string("data/conv_groups/") + name + ".npz")) d[key] = t;
    Tensor x = d["x"].set_requires_grad(), w = d["w"].set_requires_grad(), b;
    if (d.count("b")) b = d["b"].set_requires_grad();
    Tensor y = conv2d(x, w, b, size2(d["stride"]), size2(d["padding"]), size2(d["dilation"]),
                      std::size_t(d["groups"].item<std::int64_t>()));
    check_values("y", y, d["y"]);
    sum(y * d["wy"]).backward();
    check_values("grad x", x.grad(), d["grad_x"]);
    check_values("grad w", w.grad(), d["grad_w"]);
    if (b.defined()) check_values("grad b", b.grad(), d["grad_b"]);
  }
}

TEST_CASE("conv2d with groups: gradcheck and gradgradcheck in float64") {
  manual_seed(5);
  SUBCASE("groups 2, bias, stride, padding, dilation") {
    Inputs in{randn({2, 4, 5, 4}, f64), randn({6, 2, 2, 3}, f64), randn({6}, f64)};
    auto f = [](const Inputs& t) { return conv2d(t[0], t[1], t[2], {2, 1}, {1, 1}, {1, 2}, 2); };
    CHECK(gradcheck(f, in));
    CHECK(gradgradcheck(f, in));
  }
  SUBCASE("depthwise, channel multiplier 2") {
    Inputs in{randn({2, 3, 4, 4}, f64), randn({6, 1, 3, 3}, f64)};
    auto f = [](const Inputs& t) { return conv2d(t[0], t[1], {}, 1, 1, 1, 3); };
    CHECK(gradcheck(f, in));
    CHECK(gradgradcheck(f, in));
  }
  SUBCASE("empty batch and a transposed (non-contiguous) weight") {
    Tensor w = randn({2, 4, 3, 3}, f64).transpose(0, 1);  // [4, 2, 3, 3]
    CHECK(gradcheck([](const Inputs& t) { return conv2d(t[0], t[1], {}, 1, 1, 1, 2); },
                    {randn({0, 4, 3, 3}, f64), w}));
    CHECK(gradcheck([](const Inputs& t) { return conv2d(t[0], t[1], {}, 1, 1, 1, 2); },
                    {randn({1, 4, 3, 3}, f64), w}));
  }
}

TEST_CASE("conv2d with groups 1 equals groups G on a block-diagonal weight") {
  manual_seed(6);
  Tensor x = randn({2, 4, 5, 5}, f64), w = randn({6, 2, 3, 3}, f64);
  // The dense weight [6, 4, 3, 3] is zero outside the blocks (output group k, input group k).
  Tensor zero = zeros({3, 2, 3, 3}, f64);
  Tensor dense = cat({cat({slice(w, 0, 0, 3), zero}, 1), cat({zero, slice(w, 0, 3, 6)}, 1)}, 0);
  Values a = to_vector(conv2d(x, w, {}, 1, 1, 1, 2)), b = to_vector(conv2d(x, dense, {}, 1, 1));
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-12));
}

TEST_CASE("conv2d groups errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}), zeros({4, 1, 3, 3}), {}, 1, 0, 1, 2),
                       "conv2d: input [1,3,5,5] has 3 channels, weight [4,1,3,3] expects 2 "
                       "(2 groups of 1)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 4, 5, 5}), zeros({3, 2, 3, 3}), {}, 1, 0, 1, 2),
                       "conv2d: groups 2 must be positive and divide the 3 output channels of "
                       "weight [3,2,3,3]",
                       ValueError);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 4, 5, 5}), zeros({4, 4, 3, 3}), {}, 1, 0, 1, 0),
                       doctest::Contains("groups 0"), ValueError);
}

TEST_CASE("embedding with padding_idx: the plain lookup, no gradient to row padding_idx") {
  manual_seed(7);
  Tensor indices = tensor({{0, 2, 4}, {2, 1, 0}}, Dtype::int64), upstream = randn({2, 3, 3}, f64);
  for (long padding_idx : {2L, -3L}) {  // -3 is row 2 of 5
    INFO("padding_idx ", padding_idx);
    Tensor plain = randn({5, 3}, f64).set_requires_grad();
    Tensor padded = plain.detach().clone().set_requires_grad();
    Tensor a = embedding(indices, plain), b = embedding(indices, padded, padding_idx);
    CHECK(to_vector(a) == to_vector(b));
    sum(a * upstream).backward();
    sum(b * upstream).backward();
    Values expected = to_vector(plain.grad());
    for (std::size_t k = 0; k < 3; ++k) expected[2 * 3 + k] = 0;
    CHECK(to_vector(padded.grad()) == expected);
    NoGradGuard no_grad;
    CHECK(to_vector(embedding(indices, padded, padding_idx)) == to_vector(a));
  }
  CHECK_THROWS_WITH_AS(embedding(indices, zeros({5, 3}), 5),
                       "embedding: padding_idx 5 is out of range for 5 embeddings", ValueError);
  CHECK_THROWS_WITH_AS(embedding(indices, zeros({5, 3}), -6),
                       "embedding: padding_idx -6 is out of range for 5 embeddings", ValueError);
}
