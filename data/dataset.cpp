#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/data/dataset.hpp>
#include <tapegrad/data/detail/rows.hpp>

#include <cstring>

namespace tg::data {

using tg::detail::str;

Tensor detail::copy_rows(const Shape& shape, std::size_t rows, Dtype dtype,
                         const RowSource& source) {
  auto fill = [&](auto tag) {
    using T = decltype(tag);
    auto out = tg::detail::empty_array<T>(shape);
    const std::size_t row = rows ? out.size() / rows : 0;
    for (std::size_t k = 0; k < rows; ++k) {
      auto [t, first] = source(k);
      std::memcpy(out.data() + k * row, t->data<T>() + first, row * sizeof(T));
    }
    return tg::detail::make(std::move(out));
  };
  return dtype == Dtype::float32 ? fill(float()) : fill(double());
}

TensorDataset::TensorDataset(Tensor x, Tensor y) : x_(std::move(x)), y_(std::move(y)) {
  if (x_.ndim() == 0 || y_.ndim() == 0 || x_.size(0) != y_.size(0))
    throw ShapeError(str("TensorDataset: x of shape ", to_string(x_.shape()), " and y of shape ",
                         to_string(y_.shape()), " need the same first dimension"));
}

std::size_t TensorDataset::size() const { return x_.size(0); }

std::pair<Tensor, Tensor> TensorDataset::get(std::size_t index) const {
  if (index >= size())
    throw ValueError(str("TensorDataset: index ", index, " is out of range for ", size(),
                         " samples"));
  auto row = [&](const Tensor& t) {
    Shape shape = t.shape();
    shape.erase(shape.begin());
    std::size_t n = t.numel() / size();
    return detail::copy_rows(shape, 1, t.dtype(), [&](std::size_t) {
      return std::make_pair(&t, index * n);
    });
  };
  return {row(x_), row(y_)};
}

}  // namespace tg::data
