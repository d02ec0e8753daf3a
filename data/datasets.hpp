#pragma once
// libtorch's data API (torch::data), so a libtorch program ports by renaming torch -> tg:
//   auto train = tg::data::datasets::MNIST("data")  // Mode::kTrain by default
//                    .map(tg::data::transforms::Normalize<>(0.1307, 0.3081))
//                    .map(tg::data::transforms::Stack<>());
//   auto loader = tg::data::make_data_loader(std::move(train), tg::data::DataLoaderOptions(64));
//   for (auto& batch : *loader) { ... batch.data ... batch.target ... }  // [64,1,28,28], [64]
// make_data_loader<Sampler = samplers::RandomSampler> returns a std::unique_ptr; each range-for is
// one epoch (RandomSampler draws a new permutation from the default generator, tg::manual_seed).
// Batches are what the last transform makes: Stack<> collates a std::vector<Example<>> into one
// Example of stacked tensors; with no Stack a batch is the std::vector. A custom dataset derives
// from Dataset<Self> and overrides get(index) and size(), as in libtorch.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/data/dataloader.hpp>

namespace tg::data {

template <class Data = Tensor, class Target = Tensor> struct Example {
  Data data;
  Target target;
};

namespace transforms {

// A transform of one example; a batch (std::vector) is transformed example by example.
template <class Input, class Output = Input> class Transform {
 public:
  virtual ~Transform() = default;
  virtual Output apply(Input input) = 0;
  std::vector<Output> apply_batch(std::vector<Input> inputs) {
    std::vector<Output> outputs;
    for (Input& input : inputs) outputs.push_back(apply(std::move(input)));
    return outputs;
  }
};

// (data - mean) / stddev, computed in the data's dtype (one mean and stddev for all channels);
// the target passes through.
template <class Target = Tensor> class Normalize : public Transform<Example<Tensor, Target>> {
 public:
  static constexpr bool elementwise = true;  // so a whole stacked batch may go at once
  Normalize(double mean, double stddev) : mean_(mean), stddev_(stddev) {}
  Example<Tensor, Target> apply(Example<Tensor, Target> e) override {
    return {(e.data - mean_) / stddev_, std::move(e.target)};
  }

 private:
  double mean_, stddev_;
};

template <class Input = Example<>, class Output = Input>
class Lambda : public Transform<Input, Output> {
 public:
  explicit Lambda(std::function<Output(Input)> function) : function_(std::move(function)) {}
  Output apply(Input input) override { return function_(std::move(input)); }

 private:
  std::function<Output(Input)> function_;
};

// Collates a batch: the examples' data stacked along a new first dim, and their targets.
template <class T = Example<>> struct Stack {
  T apply_batch(std::vector<T> examples) {
    std::vector<Tensor> data, targets;
    for (T& e : examples) data.push_back(e.data), targets.push_back(e.target);
    return {stack(data), stack(targets)};
  }
};

}  // namespace transforms

namespace datasets {

template <class Source, class AppliedTransform> class MapDataset;

// map(transform): a MapDataset that passes this dataset's batches through transform.
template <class Self> class BatchDataset {
 public:
  template <class T> MapDataset<Self, T> map(T transform) & {
    return {static_cast<Self&>(*this), std::move(transform)};
  }
  template <class T> MapDataset<Self, T> map(T transform) && {
    return {std::move(static_cast<Self&>(*this)), std::move(transform)};
  }
};

template <class Self, class SingleExample = Example<>> class Dataset : public BatchDataset<Self> {
 public:
  using ExampleType = SingleExample;
  virtual ~Dataset() = default;
  virtual ExampleType get(std::size_t index) = 0;
  virtual std::optional<std::size_t> size() const = 0;
  std::vector<ExampleType> get_batch(const std::vector<std::size_t>& indices) {
    std::vector<ExampleType> batch;
    for (std::size_t i : indices) batch.push_back(get(i));
    return batch;
  }
};

// MNIST (or Fashion-MNIST: the same files) from the IDX files train-/t10k-{images-idx3,
// labels-idx1}-ubyte[.gz] in root: images float32 [N,1,28,28] in [0,1], targets int64 [N].
// A missing file, or images and labels that do not match, is a tg::IOError.
class MNIST : public Dataset<MNIST> {
 public:
  enum class Mode { kTrain, kTest };
  explicit MNIST(const std::string& root, Mode mode = Mode::kTrain);
  Example<> get(std::size_t index) override;  // {[1,28,28], 0-d}
  std::optional<std::size_t> size() const override { return targets_.size(0); }
  bool is_train() const noexcept { return train_; }
  const Tensor& images() const { return images_; }
  const Tensor& targets() const { return targets_; }
  // The examples at indices, stacked: rows of the whole tensors, not a stack of examples.
  Example<> stacked(const std::vector<std::size_t>& indices) const;

 private:
  Tensor images_, targets_;
  bool train_;
};

namespace detail {
template <class D, class = void> struct has_stacked : std::false_type {};
template <class D>
struct has_stacked<D, std::void_t<decltype(std::declval<D&>().stacked(std::vector<std::size_t>()))>>
    : std::true_type {};
}  // namespace detail

template <class Source, class AppliedTransform>
class MapDataset : public BatchDataset<MapDataset<Source, AppliedTransform>> {
 public:
  MapDataset(Source dataset, AppliedTransform transform)
      : dataset_(std::move(dataset)), transform_(std::move(transform)) {}
  // Stack over a source that can stack (MNIST, then elementwise transforms) indexes its whole
  // tensors once per batch instead of making and stacking an Example per sample.
  auto get_batch(const std::vector<std::size_t>& indices) {
    if constexpr (std::is_same_v<AppliedTransform, transforms::Stack<>> &&
                  detail::has_stacked<Source>::value)
      return dataset_.stacked(indices);
    else
      return transform_.apply_batch(dataset_.get_batch(indices));
  }
  template <class T = AppliedTransform,
            class = std::enable_if_t<T::elementwise && detail::has_stacked<Source>::value>>
  Example<> stacked(const std::vector<std::size_t>& indices) {
    return transform_.apply(dataset_.stacked(indices));
  }
  std::optional<std::size_t> size() const { return dataset_.size(); }

 private:
  Source dataset_;
  AppliedTransform transform_;
};

}  // namespace datasets

// A StatelessDataLoader of dataset and Sampler(dataset's size). The batch size and drop_last come
// from the options; shuffle, seed and generator are DataLoader's (the sampler decides the order
// here), and giving them is a tg::ValueError.
template <class Sampler = samplers::RandomSampler, class D>
std::unique_ptr<StatelessDataLoader<D, Sampler>> make_data_loader(
    D dataset, DataLoaderOptions options = DataLoaderOptions()) {
  const std::optional<std::size_t> size = dataset.size();
  if (!size) throw ValueError("make_data_loader: the dataset must have a size");
  if (options.shuffle() || options.seed() || options.generator())
    throw ValueError("make_data_loader: the sampler orders the samples; shuffle, seed and "
                     "generator are options of tg::data::DataLoader");
  return std::make_unique<StatelessDataLoader<D, Sampler>>(std::move(dataset), Sampler(*size),
                                                           options);
}

}  // namespace tg::data
