#pragma once
// Activation modules: each forwards to the elementwise op of the same name. Functional wraps
// any function of one tensor, as libtorch's: Sequential(Linear(2, 8), Functional(tg::relu)).
#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct ReLUImpl : Module {
  Tensor forward(const Tensor& x) override;
};
struct TanhImpl : Module {
  Tensor forward(const Tensor& x) override;
};
struct SigmoidImpl : Module {
  Tensor forward(const Tensor& x) override;
};
// x for x > 0, negative_slope·x otherwise.
struct LeakyReLUImpl : Module {
  explicit LeakyReLUImpl(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  double negative_slope;
};
// approximate: "none" (x·Φ(x), erf form) or "tanh".
struct GELUImpl : Module {
  explicit GELUImpl(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::string approximate;
};
// softmax / log_softmax along dim (negative counts from the end).
struct SoftmaxImpl : Module {
  explicit SoftmaxImpl(std::ptrdiff_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::ptrdiff_t dim;
};
struct LogSoftmaxImpl : Module {
  explicit LogSoftmaxImpl(std::ptrdiff_t dim) : dim(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  std::ptrdiff_t dim;
};
struct FunctionalImpl : Module {
  explicit FunctionalImpl(std::function<Tensor(const Tensor&)> fn) : fn(std::move(fn)) {}
  Tensor forward(const Tensor& x) override { return fn(x); }
  std::function<Tensor(const Tensor&)> fn;
};
TG_MODULE(ReLU);
TG_MODULE(Tanh);
TG_MODULE(Sigmoid);
TG_MODULE(LeakyReLU);
TG_MODULE(GELU);
TG_MODULE(Softmax);
TG_MODULE(LogSoftmax);
TG_MODULE(Functional);

}  // namespace tg::nn
