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
#include <tapegrad/nn/serialize.hpp>

namespace tg {
using namespace losses;  // NOLINT: ATen's names live at the top level
using nn::load;
using nn::save;

namespace nn::functional {
using namespace tg::losses;  // NOLINT
using tg::avg_pool2d;
using tg::batch_norm;
using tg::conv2d;
using tg::dropout;
using tg::elu;
using tg::embedding;
using tg::gelu;
using tg::layer_norm;
using tg::leaky_relu;
using tg::linear;
using tg::log_softmax;
using tg::max_pool2d;
using tg::one_hot;
using tg::relu;
using tg::softmax;
using tg::softplus;
}  // namespace nn::functional
}  // namespace tg
