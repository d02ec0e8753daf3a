#pragma once
// Matrix products through CBLAS sgemm/dgemm; transposes are passed as flags, never copied.
#include <optional>

#include <tapegrad/core/tensor.hpp>

namespace tg {

// numpy/PyTorch matmul: 1-D·1-D is a dot product, 1-D operands are promoted to a row/column
// and the added dimension removed, N-D operands are batches of matrices with broadcast batch dims.
Tensor matmul(const Tensor& a, const Tensor& b);
// op(a) · op(b) on operands of at least 2 dims, op = transpose of the last two dims when asked.
// d/da and d/db are themselves mm() calls with other flags.
Tensor mm(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);
// x · Wᵀ + b with W of shape [out, in] (torch.nn.functional.linear): one GEMM, bias fused.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// beta·input + alpha·(a · b)
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, double beta = 1,
             double alpha = 1);
Tensor outer(const Tensor& a, const Tensor& b);  // 1-D ⊗ 1-D
Tensor dot(const Tensor& a, const Tensor& b);    // 1-D · 1-D

}  // namespace tg
