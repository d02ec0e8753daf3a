#pragma once
// Mini-batches over a Dataset, as torch.utils.data.DataLoader:
//   DataLoader loader(dataset, DataLoaderOptions().batch_size(128).shuffle(true).seed(1));
//   for (auto& [x, y] : loader) { ... }   // x: [B, ...sample shape], y likewise
// Every range-for over the loader is one epoch; with shuffle, each epoch draws a new
// permutation (tg::randperm) from generator(gen) if given (it must outlive the loader), else
// from the loader's own generator, seeded by seed() or else by a draw from the default one.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include <tapegrad/data/dataset.hpp>

namespace tg::data {

struct Batch {
  Tensor x, y;
};

class DataLoaderOptions {
 public:
  explicit DataLoaderOptions(std::size_t batch_size = 1) : batch_size_(batch_size) {}
  DataLoaderOptions& batch_size(std::size_t n) { return batch_size_ = n, *this; }
  DataLoaderOptions& shuffle(bool on) { return shuffle_ = on, *this; }
  DataLoaderOptions& seed(std::uint64_t s) { return seed_ = s, *this; }
  DataLoaderOptions& drop_last(bool on) { return drop_last_ = on, *this; }
  DataLoaderOptions& generator(Generator* gen) { return generator_ = gen, *this; }
  std::size_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  std::optional<std::uint64_t> seed() const { return seed_; }
  bool drop_last() const { return drop_last_; }
  Generator* generator() const { return generator_; }

 private:
  std::size_t batch_size_;
  bool shuffle_ = false;
  std::optional<std::uint64_t> seed_;
  bool drop_last_ = false;
  Generator* generator_ = nullptr;
};

class DataLoader {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;
    Batch& operator*() { return batch_; }
    Batch* operator->() { return &batch_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return batch_index_ == o.batch_index_; }
    bool operator!=(const Iterator& o) const { return !(*this == o); }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, std::shared_ptr<const std::vector<std::size_t>> order,
             std::size_t batch_index);
    const DataLoader* loader_;
    std::shared_ptr<const std::vector<std::size_t>> order_;
    std::size_t batch_index_;
    Batch batch_;
  };

  // Keeps a reference to an lvalue dataset (which must outlive the loader)...
  DataLoader(const Dataset& dataset, DataLoaderOptions options = DataLoaderOptions());
  // ...and takes ownership of a temporary one: DataLoader(TensorDataset(x, y), options).
  template <class D, class = std::enable_if_t<!std::is_lvalue_reference_v<D> &&
                                              std::is_base_of_v<Dataset, std::decay_t<D>>>>
  DataLoader(D&& dataset, DataLoaderOptions options = DataLoaderOptions())
      : DataLoader(std::make_shared<std::decay_t<D>>(std::move(dataset)), options) {}

  Iterator begin();  // starts an epoch (a new permutation when shuffling)
  Iterator end() const;
  std::size_t size() const;  // batches per epoch
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  // The batch made of the samples order[first, first + count).
  Batch collate(const std::vector<std::size_t>& order, std::size_t first,
                std::size_t count) const;

 private:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  std::shared_ptr<Generator> generator_;  // options' generator (not owned) or the loader's own
};

}  // namespace tg::data
