#pragma once
// Similarity, distance and ranking losses (metric learning). Targets are ±1.
#include <functional>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/losses/reduction.hpp>

namespace tg::losses {

// Σ x1·x2 / (√max(‖x1‖², eps²)·√max(‖x2‖², eps²)) along dim (inputs broadcast); the gradient
// passes through the clamps unchanged, as in PyTorch 1.13.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, std::ptrdiff_t dim = 1,
                         double eps = 1e-8);
// ‖x1 - x2 + eps‖_p along the last dim (p > 0, or infinity).
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6,
                         bool keepdim = false);

// x where target = 1, max(0, margin - x) where target = -1.
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            Reduction reduction = Reduction::mean);
// max(0, -target·(x1 - x2) + margin); x1, x2 and target of one shape.
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin = 0.0, Reduction reduction = Reduction::mean);
// 1 - cos where target = 1, max(0, cos - margin) where target = -1; cos along dim 1 of [N, D]
// inputs (dim 0 of [D]) with PyTorch's 1e-12 added to each squared norm.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin = 0.0, Reduction reduction = Reduction::mean);

struct TripletMarginOptions {
  TG_ARG(double, margin, 1.0);
  TG_ARG(double, p, 2.0);
  TG_ARG(double, eps, 1e-6);
  TG_ARG(bool, swap, false);
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// max(0, margin + d(a, p) - d(a, n)), d = pairwise_distance(·, ·, p, eps); with swap,
// d(a, n) becomes min(d(a, n), d(p, n)). The three inputs have one number of dims.
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginOptions& options = {});

using DistanceFunction = std::function<Tensor(const Tensor&, const Tensor&)>;
struct TripletMarginWithDistanceOptions {
  TG_ARG(DistanceFunction, distance_function, {});  // empty: pairwise_distance
  TG_ARG(double, margin, 1.0);
  TG_ARG(bool, swap, false);
  TG_ARG(Reduction, reduction, Reduction::mean);
};
// triplet_margin_loss with any distance written as Tensor expressions.
Tensor triplet_margin_with_distance_loss(const Tensor& anchor, const Tensor& positive,
                                         const Tensor& negative,
                                         const TripletMarginWithDistanceOptions& options = {});

}  // namespace tg::losses
