#pragma once
// Activation modules: each forwards to the elementwise op of the same name. Functional wraps
// any function of one tensor, as libtorch's: Sequential(Linear(2, 8), Functional(tg::relu)).
#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

// NameImpl and its holder Name, whose forward(x) is op(x).
#define TG_ACTIVATION(Name, op)                                \
  struct Name##Impl : Module {                                 \
    Tensor forward(const Tensor& x) override { return op(x); } \
  };                                                           \
  TG_MODULE(Name)
// The same over op(x, option), built as Name(option) and keeping it as a public member.
#define TG_ACTIVATION1(Name, op, Type, option, default_value)                     \
  struct Name##Impl : Module {                                                    \
    explicit Name##Impl(Type option default_value) : option(std::move(option)) {} \
    Tensor forward(const Tensor& x) override { return op(x, option); }            \
    std::string extra_repr() const override;                                      \
    Type option;                                                                  \
  };                                                                              \
  TG_MODULE(Name)
TG_ACTIVATION(ReLU, relu);
TG_ACTIVATION(Tanh, tanh);
TG_ACTIVATION(Sigmoid, sigmoid);
// x for x > 0, negative_slope·x otherwise.
TG_ACTIVATION1(LeakyReLU, leaky_relu, double, negative_slope, = 0.01);
// approximate: "none" (x·Φ(x), erf form) or "tanh".
TG_ACTIVATION1(GELU, gelu, std::string, approximate, = "none");
// softmax / log_softmax along dim (negative counts from the end).
TG_ACTIVATION1(Softmax, softmax, std::ptrdiff_t, dim, );
TG_ACTIVATION1(LogSoftmax, log_softmax, std::ptrdiff_t, dim, );
#undef TG_ACTIVATION
#undef TG_ACTIVATION1

struct FunctionalImpl : Module {
  explicit FunctionalImpl(std::function<Tensor(const Tensor&)> fn) : fn(std::move(fn)) {}
  Tensor forward(const Tensor& x) override { return fn(x); }
  std::function<Tensor(const Tensor&)> fn;
};
TG_MODULE(Functional);

}  // namespace tg::nn
