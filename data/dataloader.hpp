#pragma once
// Mini-batches over a Dataset, as torch.utils.data.DataLoader:
//   DataLoader loader(dataset, DataLoaderOptions().batch_size(128).shuffle(true).seed(1));
//   for (auto& [x, y] : loader) { ... }   // x: [B, ...sample shape], y likewise
// Every range-for over the loader is one epoch; with shuffle, each epoch draws a new
// permutation (tg::randperm) from generator(gen) if given (it must outlive the loader), else
// from the loader's own generator, seeded by seed() or else by a draw from the default one.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/data/dataset.hpp>

namespace tg::data {

class DataLoaderOptions {
 public:
  /* implicit, as libtorch's */ DataLoaderOptions(std::size_t batch_size = 1)
      : batch_size_(batch_size) {}
  TG_ARG(std::size_t, batch_size, 1);
  TG_ARG(bool, shuffle, false);
  TG_ARG(std::optional<std::uint64_t>, seed, std::nullopt);
  TG_ARG(bool, drop_last, false);
  // Generator*, spelled so that TG_ARG's `const type&` is a const pointer, not a const Generator.
  TG_ARG(std::add_pointer_t<Generator>, generator, nullptr);
};

namespace samplers {

namespace detail {
// Hands out one epoch's indices, batch_size at a time (nullopt at the end); reset() starts the
// next epoch: 0, 1, ..., size-1, or with shuffle a new permutation from gen (nullptr: the
// default generator).
class IndexSampler {
 public:
  IndexSampler(std::size_t size, bool shuffle, std::shared_ptr<Generator> gen = nullptr)
      : order_(size), shuffle_(shuffle), gen_(std::move(gen)) {}
  void reset(std::optional<std::size_t> new_size = std::nullopt);
  std::optional<std::vector<std::size_t>> next(std::size_t batch_size);

 private:
  std::vector<std::size_t> order_;
  std::size_t position_ = 0;
  bool shuffle_;
  std::shared_ptr<Generator> gen_;
};
}  // namespace detail

struct SequentialSampler : detail::IndexSampler {
  explicit SequentialSampler(std::size_t size) : IndexSampler(size, false) { reset(); }
};
struct RandomSampler : detail::IndexSampler {
  explicit RandomSampler(std::size_t size) : IndexSampler(size, true) { reset(); }
};

}  // namespace samplers

// Batches of dataset.get_batch(indices) for the indices the sampler gives, batch_size at a time
// (the last one short unless drop_last); every begin() starts an epoch.
template <class D, class S> class StatelessDataLoader {
 public:
  using BatchType = decltype(std::declval<D&>().get_batch(std::vector<std::size_t>()));
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = BatchType;
    using difference_type = std::ptrdiff_t;
    using pointer = BatchType*;
    using reference = BatchType&;
    BatchType& operator*() { return *batch_; }
    BatchType* operator->() { return &*batch_; }
    Iterator& operator++() { return batch_ = loader_->next(), *this; }
    bool operator==(const Iterator& o) const { return batch_.has_value() == o.batch_.has_value(); }
    bool operator!=(const Iterator& o) const { return !(*this == o); }
    Iterator(StatelessDataLoader* loader, std::optional<BatchType> batch)
        : loader_(loader), batch_(std::move(batch)) {}

   private:
    StatelessDataLoader* loader_;
    std::optional<BatchType> batch_;
  };

  StatelessDataLoader(D dataset, S sampler, DataLoaderOptions options)
      : dataset_(std::move(dataset)), sampler_(std::move(sampler)), options_(options) {
    if (options.batch_size() == 0)
      throw ValueError("make_data_loader: batch_size must be positive");
  }
  Iterator begin() { return sampler_.reset(), Iterator(this, next()); }
  Iterator end() { return Iterator(this, std::nullopt); }
  const DataLoaderOptions& options() const { return options_; }

 protected:
  std::optional<BatchType> next() {  // the epoch's next batch; nullopt at its end
    auto indices = sampler_.next(options_.batch_size());
    if (!indices || (options_.drop_last() && indices->size() < options_.batch_size())) return {};
    return dataset_.get_batch(*indices);
  }
  D dataset_;
  S sampler_;

 private:
  DataLoaderOptions options_;
};

namespace detail {
struct DatasetHandle {  // DataLoader's dataset: a temporary it owns, or an lvalue it does not
  std::shared_ptr<const Dataset> dataset;
  Batch get_batch(const std::vector<std::size_t>& indices) const {
    return dataset->get_batch(indices);
  }
};
}  // namespace detail

// A StatelessDataLoader over a Dataset's get_batch, ordered by an IndexSampler that draws from
// the options' generator or the loader's own (see the top of this file).
class DataLoader
    : public StatelessDataLoader<detail::DatasetHandle, samplers::detail::IndexSampler> {
 public:
  // Keeps a reference to an lvalue dataset (which must outlive the loader)...
  DataLoader(const Dataset& dataset, DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(std::shared_ptr<const Dataset>(&dataset, [](const Dataset*) {}), options) {}
  // ...and takes ownership of a temporary one: DataLoader(TensorDataset(x, y), options).
  template <class D, class = std::enable_if_t<!std::is_lvalue_reference_v<D> &&
                                              std::is_base_of_v<Dataset, std::decay_t<D>>>>
  DataLoader(D&& dataset, DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(std::make_shared<std::decay_t<D>>(std::move(dataset)), options) {}

  // Starts an epoch over the dataset's current size (a new permutation when shuffling).
  Iterator begin() { return sampler_.reset(dataset().size()), Iterator(this, next()); }
  std::size_t size() const;  // batches per epoch
  const Dataset& dataset() const { return *dataset_.dataset; }

 private:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
};

}  // namespace tg::data
