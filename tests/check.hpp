#pragma once
// Shared by the op tests: float64 shorthands and element-by-element value checks.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cmath>
#include <string>

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

// Against a value PyTorch computed: equal within tol relative, inf and NaN where PyTorch has them.
static inline void check_values(const std::string& what, const Tensor& got, const Tensor& expected,
                                double tol = 1e-10) {
  INFO(what);
  REQUIRE(got.defined());
  REQUIRE(got.shape() == expected.shape());
  Values a = to_vector(got), b = to_vector(expected);
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("element ", i, ": ", a[i], " vs PyTorch ", b[i]);
    if (std::isnan(b[i])) CHECK(std::isnan(a[i]));
    else if (std::isinf(b[i])) CHECK(a[i] == b[i]);
    else CHECK(std::abs(a[i] - b[i]) <= tol * std::max(1.0, std::abs(b[i])));
  }
}
