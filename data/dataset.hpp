#pragma once
// Datasets: indexed collections of (input, target) samples, as torch.utils.data.Dataset.
#include <cstddef>
#include <utility>

#include <tapegrad/core/tensor.hpp>

namespace tg::data {

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::size_t size() const = 0;
  // Sample `index` (< size()); a ValueError otherwise.
  virtual std::pair<Tensor, Tensor> get(std::size_t index) const = 0;
};

// Row i of x and row i of y (x and y must have the same, non-zero number of dims and the same
// first dim). The DataLoader batches a TensorDataset by copying rows, not samples.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor x, Tensor y);
  std::size_t size() const override;
  std::pair<Tensor, Tensor> get(std::size_t index) const override;
  const Tensor& x() const { return x_; }
  const Tensor& y() const { return y_; }

 private:
  Tensor x_, y_;
};

}  // namespace tg::data
