// Custom losses are plain expressions: no new class, no hand-written gradient.
// Three losses a user might want, each gradchecked with the public tg::autograd::gradcheck,
// then each used to fit a line to noisy data with outliers.
#include <tapegrad/tapegrad.hpp>

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

// Contrastive loss on pairs: pull similar pairs together, push others beyond a margin.
Tensor contrastive(const Tensor& a, const Tensor& b, const Tensor& same, double margin) {
  Tensor dist = sqrt(sum(square(a - b), {1}) + 1e-9);
  return mean(same * square(dist) + (1.0 - same) * square(relu(margin - dist)));
}

int main() {
  manual_seed(3);
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
    manual_seed(0);
    nn::Linear line(1, 1);
    optim::Adam opt(line.parameters(), optim::AdamOptions(0.05));
    for (int step = 0; step < 1500; ++step) {
      opt.zero_grad();
      Tensor loss = pinball(line(x), y, q);
      loss.backward();
      opt.step();
    }
    Tensor above = mean(gt(y, line(x)));
    std::cout << "pinball q=" << q << ": slope " << line.weight.item() << ", intercept "
              << line.bias.item() << ", share of points above the line " << above.item()
              << " (expected about " << 1 - q << ")\n";
  }

  // 3. A linear classifier with the smooth hinge on two separable blobs.
  Tensor xs = cat({randn({50, 2}) + 2.0, randn({50, 2}) - 2.0}, 0);
  Tensor ys = cat({ones({50, 1}), full({50, 1}, -1.0)}, 0);
  nn::Linear clf(2, 1);
  optim::SGD sgd(clf.parameters(), optim::SGDOptions(0.1));
  for (int step = 0; step < 200; ++step) {
    sgd.zero_grad();
    smooth_hinge(clf(xs), ys).backward();
    sgd.step();
  }
  double accuracy = mean(eq(sign(clf(xs)), ys)).item();
  std::cout << "smooth-hinge classifier accuracy: " << accuracy << "\n";

  // 4. An embedding trained with the contrastive loss: pairs from the same blob end close.
  nn::Linear embed(2, 2);
  optim::Adam adam(embed.parameters(), optim::AdamOptions(0.01));
  Tensor left = index_select(xs, 0, arange(0, 100, 2)), right = index_select(xs, 0, arange(1, 100, 2));
  Tensor pair_same = reshape(eq(index_select(ys, 0, arange(0, 100, 2)),
                                index_select(ys, 0, arange(1, 100, 2))), {-1});
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    adam.zero_grad();
    Tensor loss = contrastive(embed(left), embed(right), pair_same, 2.0);
    loss.backward();
    adam.step();
    (step == 0 ? first : last) = loss.item();
  }
  std::cout << "contrastive loss: " << first << " -> " << last << "\n";
  return ok && accuracy > 0.95 && last < first ? 0 : 1;
}
