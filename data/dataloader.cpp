#include <tapegrad/core/generator.hpp>
#include <tapegrad/data/dataloader.hpp>

#include <algorithm>
#include <numeric>

namespace tg::data {

namespace {
// DataLoader's sampler: in order, or shuffled by the options' generator or else by its own.
samplers::detail::IndexSampler sampler(const DataLoaderOptions& options) {
  if (options.batch_size() == 0) throw ValueError("DataLoader: batch_size must be positive");
  if (options.generator() && options.seed())
    throw ValueError("DataLoader: give a seed or a generator, not both");
  auto gen = options.generator()
                 ? std::shared_ptr<Generator>(options.generator(), [](Generator*) {})
                 : std::make_shared<Generator>(options.seed() ? *options.seed() : random_u64());
  return {0, options.shuffle(), std::move(gen)};  // begin() sizes it
}
}  // namespace

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : StatelessDataLoader({std::move(dataset)}, sampler(options), options) {}

std::size_t DataLoader::size() const {
  const std::size_t n = dataset().size(), b = options().batch_size();
  return options().drop_last() ? n / b : (n + b - 1) / b;
}

void samplers::detail::IndexSampler::reset(std::optional<std::size_t> new_size) {
  order_.resize(new_size.value_or(order_.size()));
  if (shuffle_) order_ = randperm(order_.size(), gen_.get());
  else std::iota(order_.begin(), order_.end(), std::size_t(0));
  position_ = 0;
}

std::optional<std::vector<std::size_t>> samplers::detail::IndexSampler::next(
    std::size_t batch_size) {
  if (position_ == order_.size()) return std::nullopt;
  const std::size_t first = position_;
  position_ = std::min(order_.size(), first + batch_size);
  return std::vector<std::size_t>(order_.begin() + first, order_.begin() + position_);
}

}  // namespace tg::data
