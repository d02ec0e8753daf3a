#pragma once
// libtorch's spellings of what tapegrad already has (no second implementation): ATen's top-level
// losses (tg::nll_loss(out, y, {}, tg::Reduction::Sum), tg::mse_loss, ...), tg::save / tg::load of
// a module, and tg::nn::functional: namespace F = tg::nn::functional; F::relu(x), F::linear,
// F::log_softmax(x, 1), F::max_pool2d(x, 2), F::dropout(x, 0.5, is_training()), F::mse_loss ...
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/classification.hpp>
#include <tapegrad/losses/embedding.hpp>
#include <tapegrad/losses/regression.hpp>
#include <tapegrad/nn/attention.hpp>
#include <tapegrad/nn/pooling.hpp>
#include <tapegrad/nn/serialize.hpp>
#include <tapegrad/optim/clip_grad.hpp>

namespace tg {
using namespace losses;  // NOLINT: ATen's names live at the top level
inline constexpr Reduction kNone = Reduction::none, kMean = Reduction::mean, kSum = Reduction::sum;
using nn::load, nn::save;
namespace nn::utils {
using optim::clip_grad_norm_, optim::clip_grad_value_;
}  // namespace nn::utils
// |a - b| <= atol + rtol·|b| everywhere (NaN is never close).
inline bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8) {
  return (abs(a - b) <= atol + rtol * abs(b)).all().item<bool>();
}

namespace nn::functional {
using namespace tg::losses;  // NOLINT
using tg::batch_norm, tg::conv2d, tg::dropout, tg::elu, tg::embedding, tg::gelu, tg::layer_norm;
using tg::leaky_relu, tg::linear, tg::log_softmax, tg::one_hot, tg::relu, tg::softmax, tg::softplus;
using tg::scaled_dot_product_attention;

// libtorch's functional options objects, over the functions above:
//   F::dropout(x, F::DropoutFuncOptions().p(0.2).training(is_training()))
//   F::max_pool2d(x, F::MaxPool2dFuncOptions(2).stride(2)),  F::conv2d(x, w, F::Conv2dFuncOptions().padding(1))
//   F::mse_loss(x, y, F::MSELossFuncOptions(tg::kSum)),  F::cross_entropy(x, y, F::CrossEntropyFuncOptions())
struct DropoutFuncOptions {
  TG_ARG(double, p, 0.5);
  TG_ARG(bool, training, true);
  TG_ARG(bool, inplace, false);  // accepted; tapegrad never drops in place
};
inline Tensor dropout(const Tensor& x, const DropoutFuncOptions& o = {}) {
  return tg::dropout(x, o.p(), o.training());
}
struct Conv2dFuncOptions {
  TG_ARG(Tensor, bias, {});
  TG_ARG(Size2, stride, 1);
  TG_ARG(Size2, padding, 0);
  TG_ARG(Size2, dilation, 1);
  TG_ARG(std::size_t, groups, 1);
};
inline Tensor conv2d(const Tensor& x, const Tensor& w, const Conv2dFuncOptions& o) {
  return tg::conv2d(x, w, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
using MaxPool2dFuncOptions = nn::Pool2dOptions;
using AvgPool2dFuncOptions = nn::Pool2dOptions;
inline Tensor max_pool2d(const Tensor& x, const nn::Pool2dOptions& o) {
  return tg::max_pool2d(x, o.kernel_size(), o.stride(), o.padding());
}
inline Tensor avg_pool2d(const Tensor& x, const nn::Pool2dOptions& o) {
  return tg::avg_pool2d(x, o.kernel_size(), o.stride(), o.padding());
}
using SoftmaxFuncOptions = std::ptrdiff_t;  // the dim: F::softmax(x, F::SoftmaxFuncOptions(1))
using LogSoftmaxFuncOptions = std::ptrdiff_t;
// Losses whose only option is the reduction: the options convert to it.
struct ReductionFuncOptions {
  ReductionFuncOptions(Reduction reduction = Reduction::mean) : reduction_(reduction) {}
  operator Reduction() const { return reduction_; }
  TG_ARG(Reduction, reduction, Reduction::mean);
};
using MSELossFuncOptions = ReductionFuncOptions;
using L1LossFuncOptions = ReductionFuncOptions;
using SoftMarginLossFuncOptions = ReductionFuncOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsOptions;
using CrossEntropyFuncOptions = CrossEntropyOptions;
using NLLLossFuncOptions = NLLOptions;
using PoissonNLLLossFuncOptions = PoissonNLLOptions;
using MultiMarginLossFuncOptions = MultiMarginOptions;
using CTCLossFuncOptions = CTCOptions;
}  // namespace nn::functional
}  // namespace tg
