#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/data/dataset.hpp>

namespace tg::data {

Batch Dataset::get_batch(const std::vector<std::size_t>& indices) const {
  std::vector<Tensor> xs, ys;
  auto add = [](std::vector<Tensor>& all, const Tensor& t, std::size_t i, const char* name) {
    if (!all.empty() && (t.shape() != all[0].shape() || t.dtype() != all[0].dtype()))
      throw ShapeError(str("DataLoader: sample ", i, " has ", name, " of shape ",
                           to_string(t.shape()), " ", to_string(t.dtype()),
                           ", unlike the batch's first sample (", to_string(all[0].shape()), " ",
                           to_string(all[0].dtype()), ")"));
    all.push_back(t);
  };
  for (std::size_t i : indices) {
    auto [x, y] = get(i);
    add(xs, x, i, "x"), add(ys, y, i, "y");
  }
  NoGradGuard no_grad;  // a batch is data: a copy, never on the tape
  return {stack(xs), stack(ys)};
}

TensorDataset::TensorDataset(Tensor x, Tensor y) : x_(std::move(x)), y_(std::move(y)) {
  if (x_.ndim() == 0 || y_.ndim() == 0 || x_.size(0) != y_.size(0))
    throw ShapeError(str("TensorDataset: x of shape ", to_string(x_.shape()), " and y of shape ",
                         to_string(y_.shape()), " need the same first dimension"));
}

std::size_t TensorDataset::size() const { return x_.size(0); }

std::pair<Tensor, Tensor> TensorDataset::get(std::size_t index) const {
  Batch b = get_batch({index});
  return {b.x.squeeze(0), b.y.squeeze(0)};
}

Batch TensorDataset::get_batch(const std::vector<std::size_t>& indices) const {
  for (std::size_t i : indices)
    if (i >= size())
      throw ValueError(str("TensorDataset: index ", i, " is out of range for ", size(),
                           " samples"));
  NoGradGuard no_grad;  // a batch is data: a copy, never on the tape
  auto rows = [&](const Tensor& t) {  // row indices[k] of t, copied whole
    Shape shape = t.shape();
    const std::size_t row = shape[0] ? t.numel() / shape[0] : 0;
    std::vector<std::size_t> starts;
    for (std::size_t i : indices) starts.push_back(i * row);
    shape[0] = indices.size();
    return tg::detail::take_blocks("TensorDataset", t, std::move(starts), row, shape);
  };
  return {rows(x_), rows(y_)};
}

}  // namespace tg::data
