#pragma once
// Classification losses. Class-index targets are float tensors holding integers; inputs are
// [N, C, d1, ...] (class dim 1) or unbatched [C] with targets [N, d1, ...] or [].
#include <tapegrad/core/arg.hpp>
#include <tapegrad/losses/reduction.hpp>

namespace tg::losses {

// -w·(t·log x + (1-t)·log(1-x)) with each log clamped at -100 (finite at x = 0 and 1), input in
// [0, 1] (else ValueError); weight broadcasts to input's shape. Mean divides by numel.
// Backward as PyTorch: w·(x - t) / max(x(1-x), 1e-12).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::mean);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction);

struct BCEWithLogitsOptions {
  TG_ARG(Tensor, weight, {});      // broadcast to input's shape
  TG_ARG(Tensor, pos_weight, {});  // weight of positives, broadcast along the last dim: [C]
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// w·((1-t)·x + (1 + (pw-1)·t)·softplus(-x)): log-sigmoid written stably, finite for x = ±1000.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsOptions& options = {});

struct CrossEntropyOptions {
  TG_ARG(Tensor, weight, {});  // [C] class weights
  TG_ARG(long, ignore_index, -100);  // class-index targets equal to it add nothing
  TG_ARG(Reduction, reduction, Reduction::mean);
  TG_ARG(double, label_smoothing, 0.0);  // in [0, 1]
};
// With class-index targets t (input's shape without the class dim):
//   loss_n = -Σ_c w_c·q_c·log softmax(x_n)_c,  q = (1-ε)·onehot(t_n) + ε/C,
// 0 where t_n = ignore_index; mean divides by Σ_n w_{t_n} over non-ignored targets (NaN, with a
// zero gradient, when every target is ignored or the batch is empty).
// With probability targets (same shape as input): q = (1-ε)·t + ε/C, mean divides by the number
// of positions (numel / C). log_softmax and the NLL are one fused node: d/dx = softmax·Σq - q.
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});

struct NLLOptions {
  TG_ARG(Tensor, weight, {});
  TG_ARG(long, ignore_index, -100);
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// -w_{t_n}·input[n, t_n] (input holds log-probabilities), 0 where t_n = ignore_index; mean divides
// by Σ w_{t_n} over non-ignored targets, as cross_entropy.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLOptions& options = {});
// ATen's argument order: nll_loss(output, targets, /*weight=*/{}, tg::Reduction::Sum).
inline Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                       Reduction reduction = Reduction::mean, long ignore_index = -100) {
  return nll_loss(input, target,
                  NLLOptions().weight(weight).reduction(reduction).ignore_index(ignore_index));
}

// input holds log-probabilities: target·(log target - input) (0 where target = 0), or with
// log_target exp(target)·(target - input). batchmean = sum / input.size(0), the true KL
// divergence per sample; mean (the default, as PyTorch) divides by numel.
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
              bool log_target = false);

// log(1 + exp(-target·input)) for targets ±1 (softplus: finite for large inputs, where
// PyTorch's overflows to inf).
Tensor soft_margin_loss(const Tensor& input, const Tensor& target,
                        Reduction reduction = Reduction::mean);

struct MultiMarginOptions {
  TG_ARG(int, p, 1);  // 1 or 2
  TG_ARG(double, margin, 1.0);
  TG_ARG(Tensor, weight, {});  // [C]
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// loss_n = Σ_{i≠y} w_y·max(0, margin - x[y] + x[i])^p / C for input [N, C] (or [C]), y = target.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginOptions& options = {});

// loss_n = Σ_{j∈Y} Σ_{i∉Y} max(0, 1 - (x[j] - x[i])) / C, where Y is the class indices at the
// start of target_n up to the first -1 (target has input's shape, [N, C] or [C]).
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target,
                              Reduction reduction = Reduction::mean);

// loss_n = Σ_c w_c·(t·softplus(-x) + (1-t)·softplus(x)) / C (class dim last; weight [C]).
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                   const Tensor& weight = {},
                                   Reduction reduction = Reduction::mean);
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction);

// torchvision.ops.sigmoid_focal_loss (its default reduction is none): with p = sigmoid(x),
// p_t = p·t + (1-p)(1-t):  α_t·bce_with_logits(x, t)·(1 - p_t)^γ, α_t = α·t + (1-α)(1-t)
// (no α_t factor when α < 0).
Tensor sigmoid_focal_loss(const Tensor& input, const Tensor& target, double alpha = 0.25,
                          double gamma = 2.0, Reduction reduction = Reduction::none);

// Soft Dice loss on probabilities p and targets t of shape [N, ...], per sample over all dims but
// the first (a 1-D input is one sample):  1 - (2·Σ p·t + smooth) / (Σ p + Σ t + smooth).
Tensor dice_loss(const Tensor& input, const Tensor& target, double smooth = 1.0,
                 Reduction reduction = Reduction::mean);

struct CTCOptions {
  TG_ARG(long, blank, 0);  // the blank's class index
  TG_ARG(Reduction, reduction, Reduction::mean);
  TG_ARG(bool, zero_infinity, false);  // impossible alignments: loss and gradient 0, not inf
};
// Connectionist temporal classification: loss_n = -log Σ_a exp(Σ_t log_probs[t, n, a_t]) over
// the alignments a of target_n to the first input_lengths[n] steps (a: each label repeated,
// blanks anywhere, and a blank between equal neighbours). log_probs [T, N, C] or unbatched
// [T, C]; targets padded [N, S] or the N targets concatenated (1-D); lengths [N], integers. Mean
// divides each loss by its target length (at least 1) and averages. Gradient as PyTorch's.
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, const CTCOptions& options = {});
// ATen's argument order: ctc_loss(log_probs, targets, input_lengths, target_lengths, blank).
inline Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets,
                       const Tensor& input_lengths, const Tensor& target_lengths, long blank,
                       Reduction reduction = Reduction::mean, bool zero_infinity = false) {
  return ctc_loss(log_probs, targets, input_lengths, target_lengths,
                  CTCOptions().blank(blank).reduction(reduction).zero_infinity(zero_infinity));
}

}  // namespace tg::losses
