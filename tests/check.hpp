#pragma once
// Shared by the op tests: float64 shorthands and an element-by-element value check.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

using namespace tg;
using autograd::gradcheck;
using autograd::gradgradcheck;
using Values = std::vector<double>;
using Inputs = std::vector<Tensor>;

static const Dtype f64 = Dtype::float64;
static inline void check_close(const Tensor& t, const Values& expect, double tol = 1e-12) {
  Values v = to_vector(t);
  REQUIRE(v.size() == expect.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(v[i] == doctest::Approx(expect[i]).epsilon(tol));
}
