#pragma once
// Internal: the update Adam and AdamW share (they differ only in where weight decay goes).
#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim::detail {

enum class Decay { l2, decoupled };  // Adam adds wd * p to the gradient, AdamW shrinks p

// Options is AdamOptions or AdamWOptions; the Slice's buffers are exp_avg, exp_avg_sq,
// max_exp_avg_sq.
template <class Options> void check_adam(const Options& o, const char* name);
template <class Options, class T> void adam_update(const Options& o, Slice<T>& x, Decay decay);

}  // namespace tg::optim::detail
