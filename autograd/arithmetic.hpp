#pragma once
// Arithmetic with numpy broadcasting; gradients are reduced back to each input's shape.
// A scalar operand takes the tensor's dtype (with an integer tensor: int64 if the scalar is
// integral, else float32); mixing float32 and float64 promotes to float64. + - * and the
// comparisons keep integers exact in int64; `/` of integers is float32, as PyTorch.
#include <tapegrad/core/tensor.hpp>

namespace tg {

Tensor add(const Tensor& a, const Tensor& b);  // d/da = 1, d/db = 1
Tensor sub(const Tensor& a, const Tensor& b);  // a + (-b)
Tensor mul(const Tensor& a, const Tensor& b);  // d/da = b, d/db = a
Tensor div(const Tensor& a, const Tensor& b);  // d/da = 1/b, d/db = -a/b²
Tensor neg(const Tensor& a);
Tensor pow(const Tensor& a, const Tensor& b);  // d/da = b a^(b-1), d/db = a^b log a
Tensor pow(const Tensor& a, double exponent);  // d/da = p a^(p-1)
Tensor pow(double base, const Tensor& exponent);
// Elementwise max/min; where both are equal the gradient is split evenly, as in PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// cond != 0 picks a, else b. cond is a mask (no gradient flows into it).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// Comparisons return bool masks (0/1) of the common broadcast shape; they carry no gradient.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// Each binary operator with a Tensor or a Scalar on either side: + - * / (add, sub, mul, div)
// and the comparisons == != < <= > >= (eq ... ge).
#define TG_BINARY_OPERATOR(op)                          \
  Tensor operator op(const Tensor& a, const Tensor& b); \
  Tensor operator op(const Tensor& a, Scalar b);        \
  Tensor operator op(Scalar a, const Tensor& b);
TG_BINARY_OPERATOR(+)
TG_BINARY_OPERATOR(-)
TG_BINARY_OPERATOR(*)
TG_BINARY_OPERATOR(/)
TG_BINARY_OPERATOR(==)
TG_BINARY_OPERATOR(!=)
TG_BINARY_OPERATOR(<)
TG_BINARY_OPERATOR(<=)
TG_BINARY_OPERATOR(>)
TG_BINARY_OPERATOR(>=)
#undef TG_BINARY_OPERATOR
Tensor operator-(const Tensor& a);
// Recorded in-place forms are not offered (ops never alias); these rebind the handle.
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);

}  // namespace tg
