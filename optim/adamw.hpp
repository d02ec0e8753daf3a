#pragma once
// AdamW (Loshchilov & Hutter), as PyTorch (torch.optim.AdamW): Adam with decoupled weight
// decay — first p *= 1 - lr * weight_decay, then the Adam update with the plain gradient.
#include <tapegrad/optim/adam.hpp>

namespace tg::optim {

using AdamWOptions = AdamOptionsOf<WeightDecay::decoupled>;  // weight_decay 1e-2
using AdamW = AdamOf<WeightDecay::decoupled>;

}  // namespace tg::optim
