#pragma once
// How a loss turns its per-element (or per-sample) values into its result, as PyTorch's
// `reduction` argument: none keeps them, mean averages them (NaN for an empty batch), sum adds
// them; batchmean (kl_div only) divides the sum by the batch size, input.size(0).
#include <tapegrad/core/tensor.hpp>

namespace tg::losses {

enum class Reduction { none, mean, sum, batchmean, None = none, Mean = mean, Sum = sum };

// none / mean / sum of `loss`, for custom losses too; batchmean is a tg::ValueError naming `op`.
Tensor reduce(const Tensor& loss, Reduction reduction, const char* op = "loss");

}  // namespace tg::losses
