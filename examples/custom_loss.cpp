// Custom losses are plain expressions: no new class, no hand-written gradient.
// Three losses a user might want, each gradchecked with the public tg::autograd::gradcheck,
// then each trained: quantile lines, a classifier, and an embedding learnt from pairs.
//
//   ./custom_loss [--seed 3] [--margin 2] [--help]
#include <tapegrad/tapegrad.hpp>

#include "common.hpp"

#include <iomanip>
#include <iostream>

using namespace tg;

// Pinball (quantile) loss: minimised by the q-quantile of the target, not its mean.
Tensor pinball(const Tensor& pred, const Tensor& y, double q) {
  Tensor d = y - pred;
  return mean(maximum(q * d, (q - 1.0) * d));
}

// Smooth hinge for labels ±1: quadratic near the margin, linear far from it.
Tensor smooth_hinge(const Tensor& score, const Tensor& label) {
  Tensor z = label * score;
  Tensor quad = 0.5 * square(relu(1.0 - z));
  return mean(where(z < 0.0, 0.5 - z, quad));
}

// Euclidean distance between the rows of a and b (+1e-9 keeps sqrt's gradient finite at 0).
Tensor distance(const Tensor& a, const Tensor& b) { return sqrt(sum(square(a - b), {1}) + 1e-9); }

// Contrastive loss on pairs: pull same pairs (same = 1) together, push the others (same = 0)
// at least `margin` apart. Both kinds are needed: with same pairs only, mapping every point to
// one spot would be a perfect (and useless) answer.
Tensor contrastive(const Tensor& a, const Tensor& b, const Tensor& same, double margin) {
  Tensor dist = distance(a, b);
  return mean(same * square(dist) + (1.0 - same) * square(relu(margin - dist)));
}

int main(int argc, char** argv) {
  examples::App app{"Three losses written as plain expressions: gradchecked, then trained."};
  std::uint64_t seed = 3;
  double margin = 2;
  app.add_option("--seed", seed, "random seed (data and initial weights)");
  app.add_option("--margin", margin, "contrastive loss: distance wanted between different pairs")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  manual_seed(seed);
  std::cout << std::setprecision(3);
  using Inputs = std::vector<Tensor>;
  // 1. gradcheck each loss (float64, finite differences) on random inputs.
  Tensor p = randn({8}, Dtype::float64), t = randn({8}, Dtype::float64);
  Tensor labels = where(randn({8}, Dtype::float64) > 0.0, ones({8}, Dtype::float64),
                        full({8}, -1.0, Dtype::float64));
  Tensor a = randn({5, 3}, Dtype::float64), b = randn({5, 3}, Dtype::float64);
  Tensor same = tensor({1, 0, 1, 0, 0}, Dtype::float64);
  bool ok = autograd::gradcheck([&](const Inputs& in) { return pinball(in[0], t, 0.9); }, {p}) &&
            autograd::gradcheck([&](const Inputs& in) { return smooth_hinge(in[0], labels); }, {p}) &&
            autograd::gradcheck(
                [&](const Inputs& in) { return contrastive(in[0], in[1], same, 2.0); }, {a, b});
  std::cout << "gradcheck of the three losses: " << (ok ? "passed" : "FAILED") << "\n";

  // 2. Fit y = 2x + 1 (noise with a heavy right tail) with the pinball loss at q = 0.5 and 0.9:
  // the 0.9 line sits above the median line.
  Tensor x = rand({200, 1}) * 4.0;
  Tensor noise = exp(randn({200, 1}));  // log-normal, skewed
  Tensor y = 2.0 * x + 1.0 + noise;
  for (double q : {0.5, 0.9}) {
    manual_seed(seed);  // both lines start from the same weights
    nn::Linear line(1, 1);
    const double lr = 0.05;
    optim::Adam opt(line->parameters(), optim::AdamOptions(lr));
    for (int step = 1; step <= 1500; ++step) {
      opt.zero_grad();
      Tensor loss = pinball(line(x), y, q);
      examples::check_finite(loss.item(), lr, "pinball step " + std::to_string(step));
      loss.backward();
      opt.step();
    }
    Tensor above = mean(gt(y, line(x)));
    std::cout << "pinball q=" << q << ": slope " << line->weight.item() << ", intercept "
              << line->bias.item() << ", share of points above the line " << above.item()
              << " (expected about " << 1 - q << ")\n";
  }

  // 3. A linear classifier with the smooth hinge on two separable blobs.
  Tensor xs = cat({randn({50, 2}) + 2.0, randn({50, 2}) - 2.0}, 0);
  Tensor ys = cat({ones({50, 1}), full({50, 1}, -1.0)}, 0);
  nn::Linear clf(2, 1);
  const double sgd_lr = 0.1;
  optim::SGD sgd(clf->parameters(), optim::SGDOptions(sgd_lr));
  for (int step = 1; step <= 200; ++step) {
    sgd.zero_grad();
    Tensor loss = smooth_hinge(clf(xs), ys);
    examples::check_finite(loss.item(), sgd_lr, "smooth-hinge step " + std::to_string(step));
    loss.backward();
    sgd.step();
  }
  double accuracy = mean(eq(sign(clf(xs)), ys)).item();
  std::cout << "smooth-hinge classifier accuracy: " << accuracy << "\n";

  // 4. An embedding learnt from pairs with the contrastive loss. Two classes differ in the first
  // coordinate only (+1.5 or -1.5); the second is loud noise, unrelated to the class. Point i is
  // paired with point i + 25 (mod 100): half the pairs share a class, half do not. To separate
  // them, the embedding Linear(2, 2) must keep the first coordinate and drop the second.
  Tensor cls = cat({ones({50, 1}), full({50, 1}, -1.0)}, 0);
  Tensor points = cat({1.5 * cls + 0.5 * randn({100, 1}), 5.0 * randn({100, 1})}, 1);
  auto partner = [](const Tensor& t) {  // rows 25..99, then 0..24
    return cat({narrow(t, 0, 25, 75), narrow(t, 0, 0, 25)}, 0);
  };
  Tensor pair_same = reshape(eq(cls, partner(cls)), {-1});
  nn::Linear embed(2, 2);
  // Mean distance in the embedding of the same pairs, and of the different pairs.
  auto mean_distances = [&] {
    NoGradGuard no_grad;
    Tensor dist = distance(embed(points), embed(partner(points)));
    return std::make_pair(sum(dist * pair_same).item() / sum(pair_same).item(),
                          sum(dist * (1.0 - pair_same)).item() / sum(1.0 - pair_same).item());
  };
  const auto [same_before, different_before] = mean_distances();
  const double adam_lr = 0.01;
  optim::Adam adam(embed->parameters(), optim::AdamOptions(adam_lr));
  for (int step = 1; step <= 300; ++step) {
    adam.zero_grad();
    Tensor loss = contrastive(embed(points), embed(partner(points)), pair_same, margin);
    examples::check_finite(loss.item(), adam_lr, "contrastive step " + std::to_string(step));
    loss.backward();
    adam.step();
  }
  const auto [same_after, different_after] = mean_distances();
  std::cout << "contrastive embedding, mean distance of same pairs " << same_before << " -> "
            << same_after << ", of different pairs " << different_before << " -> "
            << different_after << " (margin " << margin << ")\n";
  const bool separated = different_after > 3 * same_after;
  if (!separated) std::cout << "the embedding did not separate the pairs\n";
  return ok && accuracy > 0.95 && separated ? 0 : 1;
}
