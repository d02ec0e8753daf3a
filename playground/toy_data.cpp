#include "toy_data.hpp"

#include <cmath>
#include <random>
#include <sstream>
#include <vector>

namespace playground {

using tg::Shape, tg::ValueError, tg::from_vector;

namespace {

template <class... Args> std::string str(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

constexpr double pi = 3.14159265358979323846;

// numpy's linspace(start, stop, n, endpoint)[i].
double linspace_at(double start, double stop, std::size_t n, std::size_t i, bool endpoint = true) {
  const double steps = endpoint ? double(n) - 1 : double(n);
  return steps > 0 ? start + (stop - start) * double(i) / steps : start;
}

// Points in the order they were built, with labels; shuffle() and finish() as scikit-learn:
// shuffle rows first, then add Gaussian noise to every coordinate.
struct Points {
  std::vector<double> x, y;  // x holds 2 coordinates per point
  std::mt19937_64 gen;
  explicit Points(std::uint64_t seed) : gen(seed) {}
  void add(double a, double b, double label) { x.push_back(a), x.push_back(b), y.push_back(label); }
  std::pair<Tensor, Tensor> finish(bool shuffle, double noise) {
    const std::size_t n = y.size();
    if (shuffle)
      for (std::size_t i = n; i > 1; --i) {
        const std::size_t j = gen() % i;
        std::swap(y[i - 1], y[j]);
        std::swap(x[2 * (i - 1)], x[2 * j]);
        std::swap(x[2 * (i - 1) + 1], x[2 * j + 1]);
      }
    if (noise > 0) {
      std::normal_distribution<double> normal(0, noise);
      for (double& v : x) v += normal(gen);
    }
    return {from_vector(x, {n, 2}), from_vector(y, {n})};
  }
};

void check_noise(double noise, const char* op) {
  if (!(noise >= 0)) throw ValueError(str(op, ": noise must be >= 0, got ", noise));
}

}  // namespace

std::pair<Tensor, Tensor> make_moons(std::size_t n_samples, double noise, std::uint64_t seed,
                                     bool shuffle) {
  check_noise(noise, "make_moons");
  const std::size_t n_out = n_samples / 2, n_in = n_samples - n_out;
  Points p(seed);
  for (std::size_t i = 0; i < n_out; ++i) {
    const double t = linspace_at(0, pi, n_out, i);
    p.add(std::cos(t), std::sin(t), 0);
  }
  for (std::size_t i = 0; i < n_in; ++i) {
    const double t = linspace_at(0, pi, n_in, i);
    p.add(1 - std::cos(t), 1 - std::sin(t) - 0.5, 1);
  }
  return p.finish(shuffle, noise);
}

std::pair<Tensor, Tensor> make_circles(std::size_t n_samples, double noise, double factor,
                                       std::uint64_t seed, bool shuffle) {
  check_noise(noise, "make_circles");
  if (!(factor >= 0 && factor < 1))
    throw ValueError(str("make_circles: factor must be in [0, 1), got ", factor));
  const std::size_t n_out = n_samples / 2, n_in = n_samples - n_out;
  Points p(seed);
  for (std::size_t i = 0; i < n_out; ++i) {
    const double t = linspace_at(0, 2 * pi, n_out, i, false);
    p.add(std::cos(t), std::sin(t), 0);
  }
  for (std::size_t i = 0; i < n_in; ++i) {
    const double t = linspace_at(0, 2 * pi, n_in, i, false);
    p.add(factor * std::cos(t), factor * std::sin(t), 1);
  }
  return p.finish(shuffle, noise);
}

std::pair<Tensor, Tensor> make_spirals(std::size_t n_samples, std::size_t n_classes, double noise,
                                       std::uint64_t seed, bool shuffle) {
  check_noise(noise, "make_spirals");
  if (n_classes == 0) throw ValueError("make_spirals: n_classes must be positive");
  Points p(seed);
  std::normal_distribution<double> normal(0, 1);
  for (std::size_t j = 0; j < n_classes; ++j) {
    const std::size_t m = n_samples / n_classes + (j < n_samples % n_classes);
    for (std::size_t i = 0; i < m; ++i) {
      const double r = linspace_at(0, 1, m, i);
      const double t = linspace_at(4.0 * j, 4.0 * (j + 1), m, i) + noise * normal(p.gen);
      p.add(r * std::sin(t), r * std::cos(t), double(j));
    }
  }
  return p.finish(shuffle, 0);
}

std::pair<Tensor, Tensor> make_xor(std::size_t n_samples, double noise, std::uint64_t seed) {
  check_noise(noise, "make_xor");
  Points p(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  for (std::size_t i = 0; i < n_samples; ++i) {
    const double a = uniform(p.gen), b = uniform(p.gen);
    p.add(a, b, (a > 0) != (b > 0) ? 1 : 0);
  }
  return p.finish(false, noise);
}

std::pair<Tensor, Tensor> make_regression(std::size_t n_samples, std::size_t n_features,
                                          std::size_t n_informative, double noise, double bias,
                                          std::uint64_t seed, std::size_t n_targets,
                                          Tensor* coef) {
  check_noise(noise, "make_regression");
  if (n_targets == 0) throw ValueError("make_regression: n_targets must be positive");
  n_informative = std::min(n_informative, n_features);
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0, 1);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<double> x(n_samples * n_features), w(n_features * n_targets, 0.0),
      y(n_samples * n_targets, bias);
  for (double& v : x) v = normal(gen);
  // The informative features sit at random positions (scikit-learn shuffles the columns).
  std::vector<std::size_t> column(n_features);
  for (std::size_t f = 0; f < n_features; ++f) column[f] = f;
  for (std::size_t i = n_features; i > 1; --i) std::swap(column[i - 1], column[gen() % i]);
  for (std::size_t f = 0; f < n_informative; ++f)
    for (std::size_t t = 0; t < n_targets; ++t) w[column[f] * n_targets + t] = 100 * uniform(gen);
  for (std::size_t i = 0; i < n_samples; ++i)
    for (std::size_t t = 0; t < n_targets; ++t) {
      double& v = y[i * n_targets + t];
      for (std::size_t f = 0; f < n_features; ++f)
        v += x[i * n_features + f] * w[f * n_targets + t];
      if (noise > 0) v += noise * normal(gen);
    }
  auto shape = [&](std::size_t n) { return n_targets == 1 ? Shape{n} : Shape{n, n_targets}; };
  if (coef) *coef = from_vector(w, shape(n_features));
  return {from_vector(x, {n_samples, n_features}), from_vector(y, shape(n_samples))};
}

}  // namespace playground
