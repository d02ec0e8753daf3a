#pragma once
// Elementwise functions. Derivatives at kinks follow PyTorch (relu'(0) = 0, abs'(0) = 0,
// clamp passes the gradient where min <= x <= max).
#include <optional>
#include <string>

#include <tapegrad/core/tensor.hpp>

namespace tg {

Tensor exp(const Tensor& x);         // exp(x)' = exp(x)
Tensor log(const Tensor& x);         // 1/x
Tensor log1p(const Tensor& x);       // 1/(1+x)
Tensor sqrt(const Tensor& x);        // 1/(2 sqrt x)
Tensor rsqrt(const Tensor& x);       // -1/2 x^(-3/2)
Tensor abs(const Tensor& x);         // sign(x)
Tensor sign(const Tensor& x);        // no gradient (zero)
Tensor sin(const Tensor& x);         // cos x
Tensor cos(const Tensor& x);         // -sin x
Tensor tanh(const Tensor& x);        // 1 - tanh²
Tensor sigmoid(const Tensor& x);     // s (1 - s)
Tensor relu(const Tensor& x);        // 1 where x > 0
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
// approximate: "none" (erf form) or "tanh", as torch.nn.functional.gelu.
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
// log(1 + exp(beta x)) / beta, linear above threshold (as PyTorch).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
Tensor square(const Tensor& x);      // 2x
Tensor reciprocal(const Tensor& x);  // -1/x²

}  // namespace tg
