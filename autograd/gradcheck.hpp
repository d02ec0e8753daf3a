#pragma once
// Finite-difference checks of gradients, in float64, for ops, losses and whole models.
#include <functional>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg::autograd {

using Function = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares the Jacobian that backward computes for f at `inputs` with central differences
// (f(x + eps) - f(x - eps)) / 2eps, for every input that requires grad (all of them when none
// does). Inputs are converted to float64. Passes when |analytic - numeric| <= atol + rtol·|numeric|
// for every entry. On failure it throws tg::AutogradError saying which input, element and
// values disagree, and which op's backward is the first to go wrong (when raise_exception is
// false it returns false instead).
bool gradcheck(const Function& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
               double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true);

// gradcheck applied to the gradient itself (create_graph): checks second derivatives.
bool gradgradcheck(const Function& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                   double atol = 1e-5, double rtol = 1e-3, bool raise_exception = true);

}  // namespace tg::autograd
