#pragma once
// The playground's data sets (TensorFlow Playground's; not part of the library), defined as
// scikit-learn's make_* functions (same geometry and label order; the random draws differ). Each
// returns {X, y} as float32, is deterministic for a given seed, and labels are class indices
// stored as floats.
#include <cstddef>
#include <cstdint>
#include <utility>

#include <tapegrad/core/tensor.hpp>

namespace playground {

using tg::Tensor;

// Two interleaving half circles: X [n, 2], y [n]; the first n/2 points (label 0) on the upper
// arc cos/sin(linspace(0, π)), the rest (label 1) on 1 - cos, 0.5 - sin. noise: Gaussian std.
std::pair<Tensor, Tensor> make_moons(std::size_t n_samples = 100, double noise = 0,
                                     std::uint64_t seed = 0, bool shuffle = true);
// Two concentric circles: label 0 on the unit circle (n/2 points), label 1 on radius `factor`
// (0 <= factor < 1), angles linspace(0, 2π) without the endpoint.
std::pair<Tensor, Tensor> make_circles(std::size_t n_samples = 100, double noise = 0,
                                       double factor = 0.8, std::uint64_t seed = 0,
                                       bool shuffle = true);
// CS231n's spirals (not in scikit-learn): class j has radius r = linspace(0, 1) and angle
// linspace(4j, 4(j+1)) + noise·N(0, 1); the point is (r sin t, r cos t). Classes split n as evenly
// as possible.
std::pair<Tensor, Tensor> make_spirals(std::size_t n_samples = 300, std::size_t n_classes = 3,
                                       double noise = 0.2, std::uint64_t seed = 0,
                                       bool shuffle = true);
// XOR: points uniform in [-1, 1]², label 1 where the two coordinates have opposite signs;
// noise (Gaussian std) is added to the points after labelling.
std::pair<Tensor, Tensor> make_xor(std::size_t n_samples = 200, double noise = 0,
                                   std::uint64_t seed = 0);
// Linear regression: X ~ N(0, 1) [n, n_features]; coefficients 100·U[0, 1) for n_informative
// features (at shuffled positions), 0 for the rest; y = X·coef + bias + N(0, noise²), shape [n]
// ([n, n_targets] when n_targets > 1). With `coef` the coefficients are stored there
// ([n_features] or [n_features, n_targets]).
std::pair<Tensor, Tensor> make_regression(std::size_t n_samples = 100,
                                          std::size_t n_features = 100,
                                          std::size_t n_informative = 10, double noise = 0,
                                          double bias = 0, std::uint64_t seed = 0,
                                          std::size_t n_targets = 1, Tensor* coef = nullptr);

}  // namespace playground
