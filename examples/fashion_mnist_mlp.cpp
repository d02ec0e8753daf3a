// Lesson 2 (the flagship): a 784-256-128-10 multilayer perceptron on Fashion-MNIST with Adam,
// about 88-89% test accuracy after 5 epochs. The training loop, progress bar, plot and
// save/reload check are in fashion_mnist.hpp (shared with the CNN example).
//
//   ./fashion_mnist_mlp [--epochs 5] [--batch-size 64] [--lr 1e-3] [--optimizer adam|sgd]
//                       [--seed 0] [--output fashion_mnist_mlp] [--limit N] [--help]
#include "fashion_mnist.hpp"

int main(int argc, char** argv) {
  return fashion::main(argc, argv, "784-256-128-10 MLP", "fashion_mnist_mlp", [] {
    // Each image arrives flattened to 784 standardised pixels; the 10 outputs are class logits.
    return tg::nn::Sequential(tg::nn::Linear(784, 256), tg::nn::ReLU(),
                              tg::nn::Linear(256, 128), tg::nn::ReLU(),
                              tg::nn::Linear(128, 10)).ptr();
  });
}
