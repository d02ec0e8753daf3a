// The error catalogue: each misuse throws the documented exception type with a message that
// names the op and the shapes or values involved; NaN and Inf inputs propagate without a crash.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>

using namespace tg;
using doctest::Contains;

TEST_CASE("shapes that do not broadcast") {
  CHECK_THROWS_WITH_AS(ones({2, 3}) + ones({4}), Contains("add: shapes [2,3] and [4]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(ones({2, 3}) * ones({3, 2}), Contains("mul"), ShapeError);
  CHECK_THROWS_WITH_AS(broadcast_to(ones({3}), {2, 4}), Contains("broadcast_to"), ShapeError);
  CHECK_THROWS_WITH_AS(expand(ones({2, 3}), {3}), Contains("[2,3]"), ShapeError);
  CHECK_THROWS_WITH_AS(sum_to(ones({2, 3}), {4}), Contains("sum_to"), ShapeError);
}

TEST_CASE("matmul misalignment names both shapes") {
  CHECK_THROWS_WITH_AS(matmul(ones({3, 4}), ones({5, 6})),
                       "matmul: shapes [3,4] and [5,6] are not aligned (4 != 5)", ShapeError);
  CHECK_THROWS_WITH_AS(matmul(ones({3}), ones({5, 6})),
                       "matmul: shapes [3] and [5,6] are not aligned (3 != 5)", ShapeError);
  CHECK_THROWS_WITH_AS(matmul(ones({2, 3, 4}), ones({3, 4, 2})),
                       Contains("matmul: shapes [2] and [3] cannot be broadcast"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(scalar(1.0), ones({2})), Contains("matmul"), ShapeError);
  CHECK_THROWS_WITH_AS(mm(ones({3}), ones({3, 2})), Contains("mm: operands"), ShapeError);
  CHECK_THROWS_WITH_AS(dot(ones({3}), ones({4})), Contains("dot: expected"), ShapeError);
  CHECK_THROWS_WITH_AS(outer(ones({2, 2}), ones({3})), Contains("outer"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(ones({2, 3}), ones({4, 5})), Contains("linear: input of shape [2,3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(linear(ones({2, 3}), ones({4, 3}), ones({3})),
                       Contains("linear: bias of shape [3]"), ShapeError);
  CHECK_THROWS_WITH_AS(addmm(ones({3}), ones({2, 2}), ones({2, 2})), Contains("addmm"),
                       ShapeError);
}

TEST_CASE("bad axes") {
  CHECK_THROWS_WITH_AS(sum(ones({2, 3}), {2}), "sum: axis 2 is out of range for a tensor with 2 dimensions",
                       ShapeError);
  CHECK_THROWS_WITH_AS(sum(ones({2, 3}), {0, -2}), Contains("sum: an axis is repeated"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(max(ones({2}), -2), Contains("max: axis -2"), ShapeError);
  CHECK_THROWS_WITH_AS(argmin(ones({2}), 1), Contains("argmin"), ShapeError);
  CHECK_THROWS_WITH_AS(softmax(ones({2, 3}), 2), Contains("softmax: axis 2"), ShapeError);
  CHECK_THROWS_WITH_AS(log_softmax(ones({2, 3}), -3), Contains("log_softmax"), ShapeError);
  CHECK_THROWS_WITH_AS(var(ones({2, 3}), Axes{5}), Contains("var"), ShapeError);
  CHECK_THROWS_WITH_AS(logsumexp(ones({2}), {1}), Contains("logsumexp"), ShapeError);
  CHECK_THROWS_WITH_AS(prod(ones({2}), 3), Contains("prod"), ShapeError);
  CHECK_THROWS_WITH_AS(transpose(ones({2, 3}), 0, 2), Contains("transpose: axis 2"), ShapeError);
  CHECK_THROWS_WITH_AS(permute(ones({2, 3}), {0}), Contains("permute: 1 dims given for a tensor of shape [2,3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(permute(ones({2, 3}), {1, -1}), Contains("permute: dim -1 is repeated"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(t(ones({2, 3, 4})), Contains("t: expects"), ShapeError);
  CHECK_THROWS_WITH_AS(unsqueeze(ones({2}), 3), Contains("unsqueeze"), ShapeError);
  CHECK_THROWS_WITH_AS(squeeze(ones({2}), 1), Contains("squeeze"), ShapeError);
  CHECK_THROWS_WITH_AS(flatten(ones({2, 3, 4}), 2, 1), Contains("flatten: start_dim 2"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({ones({2}), ones({2})}, 1), Contains("cat: axis 1"), ShapeError);
  CHECK_THROWS_WITH_AS(stack({ones({2}), ones({2})}, 3), Contains("unsqueeze"), ShapeError);
  CHECK_THROWS_WITH_AS(slice(scalar(1.0), 0, 0, 1), Contains("slice: cannot index a 0-d"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(split(ones({2}), 1, 1), Contains("split"), ShapeError);
}

TEST_CASE("mismatched shapes in shape ops") {
  CHECK_THROWS_WITH_AS(reshape(ones({2, 3}), {4, 2}),
                       "reshape: cannot reshape a tensor of shape [2,3] (6 elements) to [4,2]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(ones({2, 3}), {4, -1}), Contains("[4,-1]"), ShapeError);
  CHECK_THROWS_WITH_AS(view(ones({2, 3}), {-1, -1}), Contains("[2,3]"), ShapeError);
  CHECK_THROWS_WITH_AS(cat({ones({2, 3}), ones({2, 4})}), Contains("cat: tensor 1 has shape [2,4]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({ones({2, 3}), ones({3})}), Contains("cat: tensor 1 has shape [3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(cat({scalar(1.0), scalar(2.0)}), Contains("cat: zero-dimensional"),
                       ShapeError);
  CHECK_THROWS_AS(cat({}), ValueError);
  CHECK_THROWS_WITH_AS(stack({ones({2}), ones({3})}), Contains("stack: tensor 1 has shape [3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(gather(ones({2, 3}), 1, ones({3, 1})),
                       Contains("gather: index of shape [3,1] does not fit input of shape [2,3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(index_select(ones({2, 3}), 0, ones({1, 1})),
                       Contains("index_select: index must be 0-d or 1-D"), ShapeError);
}

TEST_CASE("indices and arguments out of range") {
  CHECK_THROWS_WITH_AS(index_select(ones({2, 3}), 1, tensor({0.0, 3.0})),
                       "index_select: index 3 is out of range for a dimension of size 3",
                       ValueError);
  CHECK_THROWS_WITH_AS(index_select(ones({2, 3}), 1, tensor({-1.0})), Contains("index -1"),
                       ValueError);
  CHECK_THROWS_WITH_AS(index_select(ones({2, 3}), 1, tensor({0.5})), Contains("index 0.5"),
                       ValueError);
  CHECK_THROWS_WITH_AS(index_select(ones({2, 3}), 1, tensor({NAN})), Contains("index_select"),
                       ValueError);
  CHECK_THROWS_WITH_AS(gather(ones({2, 3}), 0, from_vector({2}, {1, 1})), Contains("gather: index 2"),
                       ValueError);
  CHECK_THROWS_WITH_AS(one_hot(tensor({0.0, 3.0}), 3), Contains("one_hot: index 3"), ValueError);
  CHECK_THROWS_WITH_AS(one_hot(tensor({-1.0})), Contains("one_hot"), ValueError);
  CHECK_THROWS_WITH_AS(one_hot(zeros({0})), Contains("one_hot: cannot infer"), ValueError);
  CHECK_THROWS_WITH_AS(narrow(ones({4}), 0, 2, 3), Contains("narrow: start 2 and length 3"),
                       ValueError);
  CHECK_THROWS_WITH_AS(slice(ones({4}), 0, 0, 4, 0), Contains("slice: step must be positive"),
                       ValueError);
  CHECK_THROWS_WITH_AS(split(ones({4}), 0), Contains("split: split_size 0"), ValueError);
  CHECK_THROWS_WITH_AS(chunk(ones({4}), 0), Contains("chunk"), ValueError);
  CHECK_THROWS_WITH_AS(max(zeros({0})), Contains("max: cannot reduce over an empty dimension"),
                       ValueError);
  CHECK_THROWS_WITH_AS(argmax(zeros({2, 0}), 1), Contains("argmax: cannot reduce"), ValueError);
  CHECK_THROWS_WITH_AS(ones({2, 2}).item(),
                       "item: tensor of shape [2,2] has 4 elements, expected exactly one",
                       ValueError);
  CHECK_THROWS_WITH_AS(ones({2}).size(1), Contains("size: axis 1"), ShapeError);
}

TEST_CASE("autograd misuse") {
  Tensor a = ones({2, 2}).set_requires_grad();
  CHECK_THROWS_WITH_AS((a * 2.0).backward(),
                       Contains("grad can be implicitly created only for scalar outputs"),
                       AutogradError);
  CHECK_THROWS_WITH_AS((a * 2.0).backward(), Contains("[2,2]"), AutogradError);
  CHECK_THROWS_WITH_AS((a * 2.0).backward(ones({3})), Contains("grad_output of shape [3]"),
                       ShapeError);
  Tensor y = sum(softmax(a, 1) * a);
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), Contains("second time"), AutogradError);
  CHECK_THROWS_WITH_AS(sum(ones({2})).backward(), Contains("does not require grad"),
                       AutogradError);
}

TEST_CASE("NaN and Inf inputs propagate through ops without a crash") {
  Tensor x = tensor({1.0, NAN, INFINITY, -INFINITY}).set_requires_grad();
  CHECK(std::isnan(sum(x).item()));
  CHECK(std::isnan(max(x).item()));
  CHECK(std::isnan(min(x).item()));
  CHECK(argmin(x).item() == 1);
  CHECK(std::isnan(prod(x).item()));
  CHECK(std::isnan(var(x).item()));
  CHECK(std::isnan(logsumexp(x, {0}).item()));
  for (double v : to_vector(softmax(x, 0))) CHECK(std::isnan(v));
  Tensor y = sum(log_softmax(x, 0)) + sum(matmul(reshape(x, {2, 2}), reshape(x, {2, 2}))) +
             sum(prod(reshape(x, {2, 2}), 1)) + max(x) + sum(gather(x, 0, tensor({1.0, 1.0})));
  y.backward();
  CHECK(x.grad().shape() == Shape{4});
  Tensor inf = tensor({INFINITY, 1.0}, Dtype::float64);
  CHECK(to_vector(softmax(inf, 0))[0] != to_vector(softmax(inf, 0))[0]);  // inf - inf = NaN
  CHECK(max(inf).item() == INFINITY);
  CHECK(std::isinf(linear(inf, ones({1, 2}, Dtype::float64)).item()));
}
