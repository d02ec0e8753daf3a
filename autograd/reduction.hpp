#pragma once
// Reductions over all elements (a 0-d result) or over the given axes (negative axes count from
// the end), with keepdim as in PyTorch.
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg {

using Axes = std::vector<std::ptrdiff_t>;

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Axes& axes, bool keepdim = false);
Tensor mean(const Tensor& x);  // NaN for an empty tensor, as PyTorch
Tensor mean(const Tensor& x, const Axes& axes, bool keepdim = false);
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, std::ptrdiff_t axis, bool keepdim = false);
// max/min: the gradient goes to the extremal elements, split evenly between ties (as PyTorch's
// full reductions; use argmax for indices).
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, std::ptrdiff_t axis, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, std::ptrdiff_t axis, bool keepdim = false);
// Variance with Bessel's correction by default (correction = 1, PyTorch's unbiased default).
// var(x, {1}) reduces axis 1 (an empty axis list means every axis).
Tensor var(const Tensor& x);
Tensor var(const Tensor& x, const Axes& axes, double correction = 1, bool keepdim = false);
Tensor std(const Tensor& x);
Tensor std(const Tensor& x, const Axes& axes, double correction = 1, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Axes& axes, bool keepdim = false);  // stable
// PyTorch's norm (linalg.vector_norm) over axes (every axis if empty): (Σ |x|^p)^(1/p); p = ±inf
// is max/min |x| (the gradient split evenly between ties), p = 0 the count of nonzeros (no
// gradient). At a zero norm the gradient is 0, as PyTorch's (not 0 · ∞ = NaN). Integer x is
// promoted to float32.
Tensor norm(const Tensor& x, double p = 2);
Tensor norm(const Tensor& x, double p, const Axes& axes, bool keepdim = false);
// Indices (as float values) of the first extremal element; no gradient.
Tensor argmax(const Tensor& x);  // into the flattened tensor
Tensor argmax(const Tensor& x, std::ptrdiff_t axis, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::ptrdiff_t axis, bool keepdim = false);
// Numerically stable along `axis` (inputs of ±1000 are fine).
Tensor softmax(const Tensor& x, std::ptrdiff_t axis);
Tensor log_softmax(const Tensor& x, std::ptrdiff_t axis);

}  // namespace tg
