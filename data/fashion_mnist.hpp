#pragma once
// Fashion-MNIST (Zalando): 28x28 grey images of 10 kinds of clothing, 60000 train / 10000 test.
#include <string>
#include <utility>

#include <tapegrad/core/tensor.hpp>

namespace tg::data {

// {images [N, 784] float32 in [0, 1], labels [N] float32 class indices 0..9} from the IDX files
// train-/t10k-{images-idx3,labels-idx1}-ubyte[.gz] in `dir` (Debian's dataset-fashion-mnist
// package installs them in the default folder). Missing files are a tg::IOError saying so.
std::pair<Tensor, Tensor> load_fashion_mnist(
    const std::string& dir = "/usr/share/datasets/fashion-mnist", bool train = true);

}  // namespace tg::data
