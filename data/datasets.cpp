#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/data/datasets.hpp>
#include <tapegrad/data/fashion_mnist.hpp>

#include <numeric>
#include <tuple>

namespace tg::data {

using tg::detail::str;

namespace datasets {

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

}  // namespace datasets

namespace samplers {

void detail::IndexSampler::reset(std::optional<std::size_t> new_size) {
  order_.resize(new_size.value_or(order_.size()));
  if (shuffle_) order_ = randperm(order_.size());
  else std::iota(order_.begin(), order_.end(), std::size_t(0));
  position_ = 0;
}

std::optional<std::vector<std::size_t>> detail::IndexSampler::next(std::size_t batch_size) {
  if (position_ == order_.size()) return std::nullopt;
  const std::size_t first = position_;
  position_ = std::min(order_.size(), first + batch_size);
  return std::vector<std::size_t>(order_.begin() + first, order_.begin() + position_);
}

}  // namespace samplers

}  // namespace tg::data
