#pragma once
// Gradient clipping, as PyTorch (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
// Parameters without a gradient are skipped; gradients are scaled in place.
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg::optim {

// total = ‖(‖g_1‖_p, ..., ‖g_k‖_p)‖_p over the parameters' gradients (p = inf: max |g|), then
// every gradient *= min(1, max_norm / (total + 1e-6)). Returns total (0 when no gradients).
// With error_if_nonfinite a NaN or infinite total throws ValueError before anything changes.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace tg::optim
