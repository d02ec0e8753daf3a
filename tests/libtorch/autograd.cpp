// Autograd as a libtorch user meets it: requires_grad, backward, grad, vector-Jacobian
// products, NoGradGuard and detach, autograd::grad with create_graph (a gradient of a
// gradient) and a gradient penalty, each checked against its value worked out by hand.
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <iostream>

int failures = 0;
void expect_near(double actual, double expected, const char* what) {
  const bool ok = std::abs(actual - expected) < 1e-4 * (1 + std::abs(expected));
  std::cout << (ok ? "ok   " : "FAIL ") << what << ": " << actual << " (expected " << expected
            << ")\n";
  failures += !ok;
}

int main() {
  torch::manual_seed(0);

  // out = mean(3 (x + 2)²) over four ones: d out / dx = 6 (x + 2) / 4 = 4.5 everywhere.
  auto x = torch::ones({2, 2}).requires_grad_();
  auto y = x + 2;
  auto out = (y * y * 3).mean();
  out.backward();
  std::cout << x.grad() << std::endl;
  expect_near(out.item<float>(), 27, "mean(3 (x + 2)^2)");
  expect_near(x.grad().sum().item<float>(), 4 * 4.5, "sum of its gradient");

  // A vector-Jacobian product: y = 2x, backward(v) gives 2v.
  auto a = torch::randn({3}).requires_grad_(true);
  auto b = a * 2;
  auto v = torch::tensor({0.1, 1.0, 0.0001}, torch::kFloat);
  b.backward(v);
  expect_near(a.grad()[1].item<float>(), 2.0, "vector-Jacobian product, element 1");

  // No history under NoGradGuard, nor for a detached tensor.
  {
    torch::NoGradGuard no_grad;
    expect_near(a.pow(2).requires_grad(), 0, "requires_grad under NoGradGuard");
  }
  expect_near(a.pow(2).requires_grad(), 1, "requires_grad outside it");
  expect_near(a.detach().requires_grad(), 0, "requires_grad of detach()");
  expect_near(a.eq(a.detach()).all().item<bool>(), 1, "detach() keeps the values");

  // f(t) = sin(t) exp(-t²) at t = 0.5, by autograd::grad twice (create_graph for the second).
  auto t = torch::full({1}, 0.5, torch::kFloat64).requires_grad_();
  auto f = torch::sin(t) * torch::exp(-t * t);
  auto df = torch::autograd::grad({f}, {t}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                  /*create_graph=*/true)[0];
  auto d2f = torch::autograd::grad({df}, {t})[0];
  const double s = std::sin(0.5), c = std::cos(0.5), e = std::exp(-0.25);
  expect_near(df.item<double>(), (c - 2 * 0.5 * s) * e, "f'(0.5)");
  expect_near(d2f.item<double>(), (-3 * s - 4 * 0.5 * c + 4 * 0.25 * s) * e, "f''(0.5)");

  // A gradient penalty: (|d sum(W x) / dx|² - 1)² for a linear map, whose input gradient is
  // the column sums of W, so the penalty's gradient reaches W.
  auto model = torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false));
  auto input = torch::randn({4, 3}).requires_grad_(true);
  auto output = model(input);
  auto gradient = torch::autograd::grad({output}, {input}, {torch::ones_like(output)},
                                        /*retain_graph=*/true, /*create_graph=*/true)[0];
  auto column_sums = model->weight.sum(0);
  expect_near((gradient[0] - column_sums).abs().max().item<float>(), 0, "input gradient");
  auto penalty = torch::pow(gradient.pow(2).sum(1) - 1, 2).mean();
  penalty.backward();
  // d/dW of (|s|² - 1)² with s the column sums: 4 (|s|² - 1) s_j for every row of W.
  const double squared = column_sums.pow(2).sum().item<double>();
  expect_near(model->weight.grad()[1][2].item<float>(),
              4 * (squared - 1) * column_sums[2].item<double>(), "penalty gradient of W[1][2]");

  std::cout << (failures ? "FAILED" : "all ok") << std::endl;
  return failures ? 1 : 0;
}
