#pragma once
// Internal: building batches by copying whole rows (memcpy), never sample by sample tensors.
#include <cstddef>
#include <functional>
#include <utility>

#include <tapegrad/core/tensor.hpp>

namespace tg::data::detail {

// Where a row comes from: a tensor and the index of the row's first element in it.
using RowSource = std::function<std::pair<const Tensor*, std::size_t>(std::size_t row)>;

// A new tensor of `shape` made of `rows` equal rows; row k is copied from source(k).
Tensor copy_rows(const Shape& shape, std::size_t rows, Dtype dtype, const RowSource& source);

}  // namespace tg::data::detail
