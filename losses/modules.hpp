#pragma once
// Loss modules, libtorch style: tg::nn::CrossEntropyLoss loss(options); loss(logits, target).
// Each holds its options (public, changeable) and calls the functional form in tg::losses.
// Two-input losses share the LossModule interface, so a loss can be chosen at run time.
#include <tapegrad/losses/classification.hpp>
#include <tapegrad/losses/embedding.hpp>
#include <tapegrad/losses/regression.hpp>

namespace tg::nn {

using losses::Reduction;
using BCEWithLogitsLossOptions = losses::BCEWithLogitsOptions;
using CrossEntropyLossOptions = losses::CrossEntropyOptions;
using NLLLossOptions = losses::NLLOptions;
using PoissonNLLLossOptions = losses::PoissonNLLOptions;
using GaussianNLLLossOptions = losses::GaussianNLLOptions;
using MultiMarginLossOptions = losses::MultiMarginOptions;
using TripletMarginLossOptions = losses::TripletMarginOptions;
using TripletMarginWithDistanceLossOptions = losses::TripletMarginWithDistanceOptions;

class LossModule {
 public:
  virtual ~LossModule() = default;
  virtual Tensor forward(const Tensor& input, const Tensor& target) const = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) const { return forward(input, target); }
  const LossModule* operator->() const { return this; }  // criterion->forward(x, y), as a holder
};

// A module over a functional form f(input, target, options).
template <class Options, Tensor (*F)(const Tensor&, const Tensor&, const Options&)>
struct OptionsLoss : LossModule {
  explicit OptionsLoss(Options options = {}) : options(std::move(options)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override {
    return F(input, target, options);
  }
  Options options;
};
using BCEWithLogitsLoss = OptionsLoss<BCEWithLogitsLossOptions, losses::binary_cross_entropy_with_logits>;
using CrossEntropyLoss = OptionsLoss<CrossEntropyLossOptions, losses::cross_entropy>;
using NLLLoss = OptionsLoss<NLLLossOptions, losses::nll_loss>;
using PoissonNLLLoss = OptionsLoss<PoissonNLLLossOptions, losses::poisson_nll_loss>;
using MultiMarginLoss = OptionsLoss<MultiMarginLossOptions, losses::multi_margin_loss>;

// A module over a functional form f(input, target, reduction).
template <Tensor (*F)(const Tensor&, const Tensor&, Reduction)>
struct ReductionLoss : LossModule {
  explicit ReductionLoss(Reduction reduction = Reduction::mean) : reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override {
    return F(input, target, reduction);
  }
  Reduction reduction;
};
using MSELoss = ReductionLoss<losses::mse_loss>;
using L1Loss = ReductionLoss<losses::l1_loss>;
using SoftMarginLoss = ReductionLoss<losses::soft_margin_loss>;
using MultiLabelMarginLoss = ReductionLoss<losses::multilabel_margin_loss>;

// A module over f(input, target, a, b), built as Name(a, b) and keeping a and b as public members.
#define TG_LOSS_MODULE2(Name, f, A, a, a_default, B, b, b_default)             \
  struct Name : LossModule {                                                   \
    explicit Name(A a = a_default, B b = b_default) : a(a), b(b) {}            \
    Tensor forward(const Tensor& input, const Tensor& target) const override { \
      return losses::f(input, target, a, b);                                   \
    }                                                                          \
    A a;                                                                       \
    B b;                                                                       \
  }
TG_LOSS_MODULE2(SmoothL1Loss, smooth_l1_loss, Reduction, reduction, Reduction::mean, double, beta,
                1.0);
TG_LOSS_MODULE2(HuberLoss, huber_loss, Reduction, reduction, Reduction::mean, double, delta, 1.0);
TG_LOSS_MODULE2(KLDivLoss, kl_div, Reduction, reduction, Reduction::mean, bool, log_target, false);
TG_LOSS_MODULE2(HingeEmbeddingLoss, hinge_embedding_loss, double, margin, 1.0, Reduction, reduction,
                Reduction::mean);
#undef TG_LOSS_MODULE2

// A module over f(input, target, weight, reduction).
template <Tensor (*F)(const Tensor&, const Tensor&, const Tensor&, Reduction)>
struct WeightedLoss : LossModule {
  explicit WeightedLoss(Tensor weight = {}, Reduction reduction = Reduction::mean)
      : weight(std::move(weight)), reduction(reduction) {}
  explicit WeightedLoss(Reduction reduction) : reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override {
    return F(input, target, weight, reduction);
  }
  Tensor weight;
  Reduction reduction = Reduction::mean;
};
using BCELoss = WeightedLoss<losses::binary_cross_entropy>;
using MultiLabelSoftMarginLoss = WeightedLoss<losses::multilabel_soft_margin_loss>;

// Three-input losses: (input1, input2, target) with a margin, and (input, target, var) or
// (anchor, positive, negative) with options.
template <Tensor (*F)(const Tensor&, const Tensor&, const Tensor&, double, Reduction)>
struct PairMarginLoss {
  explicit PairMarginLoss(double margin = 0.0, Reduction reduction = Reduction::mean)
      : margin(margin), reduction(reduction) {}
  Tensor operator()(const Tensor& input1, const Tensor& input2, const Tensor& target) const {
    return F(input1, input2, target, margin, reduction);
  }
  double margin;
  Reduction reduction;
};
using MarginRankingLoss = PairMarginLoss<losses::margin_ranking_loss>;
using CosineEmbeddingLoss = PairMarginLoss<losses::cosine_embedding_loss>;

template <class Options, Tensor (*F)(const Tensor&, const Tensor&, const Tensor&, const Options&)>
struct OptionsLoss3 {
  explicit OptionsLoss3(Options options = {}) : options(std::move(options)) {}
  Tensor operator()(const Tensor& a, const Tensor& b, const Tensor& c) const {
    return F(a, b, c, options);
  }
  Options options;
};
using GaussianNLLLoss = OptionsLoss3<GaussianNLLLossOptions, losses::gaussian_nll_loss>;
using TripletMarginLoss = OptionsLoss3<TripletMarginLossOptions, losses::triplet_margin_loss>;
using TripletMarginWithDistanceLoss =
    OptionsLoss3<TripletMarginWithDistanceLossOptions, losses::triplet_margin_with_distance_loss>;

using CTCLossOptions = losses::CTCOptions;
struct CTCLoss {  // loss(log_probs, targets, input_lengths, target_lengths)
  explicit CTCLoss(CTCLossOptions options = {}) : options(std::move(options)) {}
  Tensor operator()(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                    const Tensor& target_lengths) const {
    return losses::ctc_loss(log_probs, targets, input_lengths, target_lengths, options);
  }
  CTCLossOptions options;
};

}  // namespace tg::nn
