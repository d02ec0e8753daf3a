// The playground's toy data sets (playground/toy_data.hpp): geometry, labels, noise, seeds.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include "../toy_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

using namespace tg;
using namespace playground;

namespace {

std::vector<double> column(const Tensor& t, std::size_t c) {
  std::vector<double> all = to_vector(t), out;
  const std::size_t cols = t.size(1);
  for (std::size_t i = c; i < all.size(); i += cols) out.push_back(all[i]);
  return out;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

}  // namespace

TEST_CASE("make_moons and make_circles lie on their curves; noise has the asked spread") {
  auto [x, y] = make_moons(101, 0, 3);
  CHECK(x.shape() == Shape{101, 2});
  CHECK(y.shape() == Shape{101});
  auto px = column(x, 0), py = column(x, 1), label = to_vector(y);
  std::size_t ones = 0;
  for (std::size_t i = 0; i < label.size(); ++i) {
    const double cx = label[i] == 1 ? 1 : 0, cy = label[i] == 1 ? 0.5 : 0;
    CHECK(std::hypot(px[i] - cx, py[i] - cy) == doctest::Approx(1).epsilon(1e-6));
    CHECK((label[i] == 1 ? py[i] <= 0.5 + 1e-6 : py[i] >= -1e-6));
    ones += label[i] == 1;
  }
  CHECK(ones == 51);  // n - n/2 inner points
  auto sorted = label;
  std::sort(sorted.begin(), sorted.end());
  CHECK(label != sorted);  // shuffled

  auto [cx, cy] = make_circles(200, 0, 0.5, 1, false);
  auto r = to_vector(cy);
  for (std::size_t i = 0; i < 200; ++i) {
    CHECK(r[i] == (i < 100 ? 0 : 1));
    CHECK(std::hypot(column(cx, 0)[i], column(cx, 1)[i]) ==
          doctest::Approx(i < 100 ? 1.0 : 0.5).epsilon(1e-6));
  }
  CHECK_THROWS_AS(make_circles(10, 0, 1.0), ValueError);
  CHECK_THROWS_AS(make_moons(10, -1), ValueError);

  // noise 0.1 around the curve: x - x_clean has mean ~0 and std ~0.1 (n = 20000)
  auto [clean, l0] = make_moons(20000, 0, 5, false);
  auto [noisy, l1] = make_moons(20000, 0.1, 5, false);
  auto diff = to_vector(noisy - clean);
  double m = mean_of(diff), var = 0;
  for (double d : diff) var += (d - m) * (d - m);
  CHECK(std::abs(m) < 0.003);
  CHECK(std::sqrt(var / double(diff.size())) == doctest::Approx(0.1).epsilon(0.03));
  CHECK(to_vector(l0) == to_vector(l1));
}

TEST_CASE("toy data sets are deterministic for a seed") {
  CHECK(to_vector(make_moons(50, 0.2, 9).first) == to_vector(make_moons(50, 0.2, 9).first));
  CHECK(to_vector(make_moons(50, 0.2, 9).first) != to_vector(make_moons(50, 0.2, 10).first));
  CHECK(to_vector(make_spirals(60, 3, 0.2, 4).first) == to_vector(make_spirals(60, 3, 0.2, 4).first));
  CHECK(to_vector(make_xor(60, 0, 4).first) != to_vector(make_xor(60, 0, 5).first));
}

TEST_CASE("make_spirals and make_xor: class sizes, radii and labels") {
  auto [x, y] = make_spirals(301, 3, 0.2, 2);
  CHECK(x.shape() == Shape{301, 2});
  std::map<double, int> counts;
  for (double l : to_vector(y)) ++counts[l];
  CHECK(counts == std::map<double, int>{{0, 101}, {1, 100}, {2, 100}});
  auto px = column(x, 0), py = column(x, 1);
  double max_r = 0;
  for (std::size_t i = 0; i < px.size(); ++i) max_r = std::max(max_r, std::hypot(px[i], py[i]));
  CHECK(max_r == doctest::Approx(1).epsilon(1e-6));  // r = linspace(0, 1): noise bends the angle only

  auto [xx, xy] = make_xor(4000, 0, 8);
  auto a = column(xx, 0), b = column(xx, 1), l = to_vector(xy);
  std::size_t positives = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    CHECK(l[i] == (a[i] * b[i] < 0 ? 1 : 0));
    CHECK(std::abs(a[i]) <= 1);
    positives += l[i] == 1;
  }
  CHECK(std::abs(mean_of(a)) < 0.05);
  CHECK(positives > 1800);
  CHECK(positives < 2200);
}

TEST_CASE("make_regression: y = X coef + bias, informative features, noise") {
  Tensor coef;
  auto [x, y] = make_regression(500, 6, 2, 0, 3.5, 1, 1, &coef);
  CHECK(x.shape() == Shape{500, 6});
  CHECK(y.shape() == Shape{500});
  CHECK(coef.shape() == Shape{6});
  auto w = to_vector(coef), vx = to_vector(x), vy = to_vector(y);
  CHECK(std::count_if(w.begin(), w.end(), [](double v) { return v != 0; }) == 2);
  for (double v : w) CHECK((v >= 0 && v < 100));
  for (std::size_t i = 0; i < 500; ++i) {
    double expect = 3.5;
    for (std::size_t f = 0; f < 6; ++f) expect += vx[i * 6 + f] * w[f];
    CHECK(vy[i] == doctest::Approx(expect).epsilon(1e-5));
  }
  CHECK(std::abs(mean_of(vx)) < 0.05);

  Tensor coef2;
  auto [x2, y2] = make_regression(20000, 3, 3, 2.0, 0, 4, 2, &coef2);
  CHECK(y2.shape() == Shape{20000, 2});
  CHECK(coef2.shape() == Shape{3, 2});
  auto resid = to_vector(y2 - matmul(x2, coef2));
  double var = 0;
  for (double r : resid) var += r * r;
  CHECK(std::sqrt(var / double(resid.size())) == doctest::Approx(2.0).epsilon(0.03));
}
