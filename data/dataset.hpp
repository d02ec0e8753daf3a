#pragma once
// Datasets: indexed collections of (input, target) samples, as torch.utils.data.Dataset.
#include <cstddef>
#include <utility>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg::data {

struct Batch {
  Tensor x, y;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::size_t size() const = 0;
  // Sample `index` (< size()); a ValueError otherwise.
  virtual std::pair<Tensor, Tensor> get(std::size_t index) const = 0;
  // The samples at `indices`, stacked along a new first dim (what the DataLoader batches); a
  // ShapeError names the first sample whose shape or dtype differs from the first one's.
  virtual Batch get_batch(const std::vector<std::size_t>& indices) const;
};

// Row i of x and row i of y (x and y must have the same, non-zero number of dims and the same
// first dim). The DataLoader batches a TensorDataset by copying rows, not samples.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor x, Tensor y);
  std::size_t size() const override;
  std::pair<Tensor, Tensor> get(std::size_t index) const override;
  Batch get_batch(const std::vector<std::size_t>& indices) const override;
  const Tensor& x() const { return x_; }
  const Tensor& y() const { return y_; }

 private:
  Tensor x_, y_;
};

}  // namespace tg::data
