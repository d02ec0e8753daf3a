#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/core/generator.hpp>
#include <tapegrad/data/dataloader.hpp>
#include <tapegrad/data/detail/rows.hpp>

#include <numeric>

namespace tg::data {

using tg::detail::str;

DataLoader::DataLoader(const Dataset& dataset, DataLoaderOptions options)
    : DataLoader(std::shared_ptr<const Dataset>(&dataset, [](const Dataset*) {}), options) {}

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  if (options_.batch_size() == 0) throw ValueError("DataLoader: batch_size must be positive");
  if (options_.generator() && options_.seed())
    throw ValueError("DataLoader: give a seed or a generator, not both");
  generator_ = options_.generator()
                   ? std::shared_ptr<Generator>(options_.generator(), [](Generator*) {})
                   : std::make_shared<Generator>(options_.seed() ? *options_.seed() : random_u64());
}

std::size_t DataLoader::size() const {
  const std::size_t n = dataset_->size(), b = options_.batch_size();
  return options_.drop_last() ? n / b : (n + b - 1) / b;
}

DataLoader::Iterator DataLoader::begin() {
  auto order = std::make_shared<std::vector<std::size_t>>(dataset_->size());
  if (options_.shuffle()) *order = randperm(order->size(), generator_.get());
  else std::iota(order->begin(), order->end(), std::size_t(0));
  return Iterator(this, std::move(order), 0);
}

DataLoader::Iterator DataLoader::end() const { return Iterator(this, nullptr, size()); }

DataLoader::Iterator::Iterator(const DataLoader* loader,
                               std::shared_ptr<const std::vector<std::size_t>> order,
                               std::size_t batch_index)
    : loader_(loader), order_(std::move(order)), batch_index_(batch_index) {
  if (order_ && batch_index_ < loader_->size()) {
    const std::size_t b = loader_->options().batch_size(), first = batch_index_ * b;
    batch_ = loader_->collate(*order_, first, std::min(b, order_->size() - first));
  }
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  *this = Iterator(loader_, std::move(order_), batch_index_ + 1);
  return *this;
}

Batch DataLoader::collate(const std::vector<std::size_t>& order, std::size_t first,
                          std::size_t count) const {
  if (const auto* tensors = dynamic_cast<const TensorDataset*>(dataset_.get())) {
    auto gather = [&](const Tensor& t) {  // row order[first + k] of t, memcpy'd
      Shape shape = t.shape();
      const std::size_t row = shape[0] ? t.numel() / shape[0] : 0;
      shape[0] = count;
      return detail::copy_rows(shape, count, t.dtype(), [&](std::size_t k) {
        return std::make_pair(&t, order[first + k] * row);
      });
    };
    return {gather(tensors->x()), gather(tensors->y())};
  }
  using Sample = std::pair<Tensor, Tensor>;
  std::vector<Sample> samples;
  for (std::size_t k = 0; k < count; ++k) samples.push_back(dataset_->get(order[first + k]));
  auto stack = [&](Tensor Sample::*field, const char* name) {
    const Tensor& t0 = samples[0].*field;
    for (std::size_t k = 1; k < count; ++k) {
      const Tensor& t = samples[k].*field;
      if (t.shape() != t0.shape() || t.dtype() != t0.dtype())
        throw ShapeError(str("DataLoader: sample ", order[first + k], " has ", name, " of shape ",
                             to_string(t.shape()), " ", to_string(t.dtype()),
                             ", unlike the batch's first sample (", to_string(t0.shape()), " ",
                             to_string(t0.dtype()), ")"));
    }
    Shape shape = t0.shape();
    shape.insert(shape.begin(), count);
    return detail::copy_rows(shape, count, t0.dtype(), [&](std::size_t k) {
      return std::make_pair(&(samples[k].*field), std::size_t(0));
    });
  };
  return {stack(&Sample::first, "x"), stack(&Sample::second, "y")};
}

}  // namespace tg::data
