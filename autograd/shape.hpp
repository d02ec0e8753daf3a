#pragma once
// Shape ops. Every result is a new contiguous tensor (no op aliases another tensor's storage).
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg {

// One dimension of `shape` may be -1 (inferred).
Tensor reshape(const Tensor& x, const std::vector<std::ptrdiff_t>& shape);
Tensor view(const Tensor& x, const std::vector<std::ptrdiff_t>& shape);  // = reshape
Tensor flatten(const Tensor& x, std::ptrdiff_t start_dim = 0, std::ptrdiff_t end_dim = -1);
Tensor squeeze(const Tensor& x);  // drops every size-1 dim
Tensor squeeze(const Tensor& x, std::ptrdiff_t axis);  // no-op when that dim is not 1
Tensor unsqueeze(const Tensor& x, std::ptrdiff_t axis);
Tensor transpose(const Tensor& x, std::ptrdiff_t dim0, std::ptrdiff_t dim1);
Tensor permute(const Tensor& x, const std::vector<std::ptrdiff_t>& dims);
Tensor t(const Tensor& x);  // transpose of a ≤2-D tensor
// broadcast_to: numpy broadcasting to `shape`; its gradient is sum_to (and vice versa).
Tensor broadcast_to(const Tensor& x, const Shape& shape);
Tensor expand(const Tensor& x, const Shape& shape);  // = broadcast_to
Tensor sum_to(const Tensor& x, const Shape& shape);  // sums the broadcast axes away
// Python's x[start:stop:step] along `axis` (negative start/stop count from the end, clipped).
Tensor slice(const Tensor& x, std::ptrdiff_t axis, std::ptrdiff_t start, std::ptrdiff_t stop,
             std::ptrdiff_t step = 1);
Tensor narrow(const Tensor& x, std::ptrdiff_t axis, std::ptrdiff_t start, std::size_t length);
// Index tensors hold integral values (in float storage); out-of-range indices are errors.
Tensor index_select(const Tensor& x, std::ptrdiff_t axis, const Tensor& index);
Tensor gather(const Tensor& x, std::ptrdiff_t axis, const Tensor& index);
Tensor cat(const std::vector<Tensor>& tensors, std::ptrdiff_t axis = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::ptrdiff_t axis = 0);
std::vector<Tensor> split(const Tensor& x, std::size_t split_size, std::ptrdiff_t axis = 0);
std::vector<Tensor> chunk(const Tensor& x, std::size_t chunks, std::ptrdiff_t axis = 0);
// [..., num_classes] of 0/1; num_classes < 0 means max(index) + 1.
Tensor one_hot(const Tensor& index, std::ptrdiff_t num_classes = -1);
// value where mask (bool or 0/1, broadcast with x) is true, x elsewhere: a where(), so no
// gradient reaches the filled elements. Integer x comes back float32 (where's promotion).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
// The triangle of the last two dims that keeps x[..., i, j] where j - i >= diagonal (triu) or
// j - i <= diagonal (tril), zeros elsewhere: a masked_fill.
Tensor triu(const Tensor& x, std::ptrdiff_t diagonal = 0);
Tensor tril(const Tensor& x, std::ptrdiff_t diagonal = 0);

}  // namespace tg
