// Lesson 3: a small convolutional network on Fashion-MNIST, over 90% test accuracy after 5
// epochs. Shows a custom Module: it registers its layers and writes its own forward(), here
// to turn the flat [N, 784] images into [N, 1, 28, 28] pictures first. Training loop, progress
// bar, plot and save/reload check: fashion_mnist.hpp (shared with the MLP example).
//
//   ./fashion_mnist_cnn [--epochs 5] [--batch-size 64] [--lr 1e-3] [--optimizer adam|sgd]
//                       [--seed 0] [--output fashion_mnist_cnn] [--limit N] [--help]
#include "fashion_mnist.hpp"

namespace nn = tg::nn;

struct ConvNet : nn::Module {
  nn::Sequential layers{nullptr};
  ConvNet() {
    layers = register_module("layers", nn::Sequential(
        nn::Conv2d(1, 16, 3, /*stride=*/1, /*padding=*/1), nn::ReLU(), nn::MaxPool2d(2),  // [N,16,14,14]
        nn::Conv2d(16, 32, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2),                         // [N,32,7,7]
        nn::Flatten(),                                                                     // [N,1568]
        nn::Linear(32 * 7 * 7, 128), nn::ReLU(), nn::Linear(128, 10)));
  }
  tg::Tensor forward(const tg::Tensor& x) override { return layers(x.view({-1, 1, 28, 28})); }
};

int main(int argc, char** argv) {
  return fashion::main(argc, argv, "conv-pool-conv-pool-linear-linear CNN", "fashion_mnist_cnn",
                       [] { return std::make_shared<ConvNet>(); });
}
