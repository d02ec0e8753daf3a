#pragma once
// Activation modules: each forwards to the elementwise op of the same name.
#include <cstddef>
#include <string>
#include <utility>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct ReLU : Module {
  Tensor forward(const Tensor& x) override;
};
struct Tanh : Module {
  Tensor forward(const Tensor& x) override;
};
struct Sigmoid : Module {
  Tensor forward(const Tensor& x) override;
};

// x for x > 0, negative_slope·x otherwise.
struct LeakyReLU : Module {
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double negative_slope;
};

// approximate: "none" (x·Φ(x), erf form) or "tanh".
struct GELU : Module {
  explicit GELU(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::string approximate;
};

// softmax / log_softmax along dim (negative counts from the end).
struct Softmax : Module {
  explicit Softmax(std::ptrdiff_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::ptrdiff_t dim;
};
struct LogSoftmax : Module {
  explicit LogSoftmax(std::ptrdiff_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::ptrdiff_t dim;
};

}  // namespace tg::nn
