#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/data/datasets.hpp>
#include <tapegrad/data/fashion_mnist.hpp>

#include <tuple>

namespace tg::data::datasets {

MNIST::MNIST(const std::string& root, Mode mode) : train_(mode == Mode::kTrain) {
  try {  // Fashion-MNIST's files have MNIST's names, format and checks
    std::tie(images_, targets_) = load_fashion_mnist(root, train_);
  } catch (const IOError& e) {
    throw IOError(str("MNIST: ", e.what()));
  }
  images_.mutable_value<float>().reshape(Shape{targets_.size(0), 1, 28, 28});
  targets_ = targets_.to(kInt64);
}

Example<> MNIST::stacked(const std::vector<std::size_t>& indices) const {
  const Tensor index = from_vector(std::vector<double>(indices.begin(), indices.end()),
                                   {indices.size()}, kInt64);
  return {index_select(images_, 0, index), index_select(targets_, 0, index)};
}

Example<> MNIST::get(std::size_t index) {
  Example<> e = stacked({index});
  return {e.data.squeeze(0), e.target.squeeze(0)};
}

}  // namespace tg::data::datasets
