// Lesson 1: the smallest training loop. Fit y = 3x + 2 + noise with one Linear(1, 1) layer
// (a single weight w and bias b), the mean squared error and plain gradient descent.
//
//   ./linear_regression [--epochs 1000] [--lr 0.01] [--seed 0] [--help]
// Too large a learning rate (try --lr 1.5) makes every step overshoot: the loss grows to
// infinity, then NaN, and the program stops with a message and exit status 1.
#include <tapegrad/tapegrad.hpp>

#include "common.hpp"

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  examples::App app{"Fits y = 3x + 2 + noise with tg::nn::Linear(1, 1), MSE and SGD."};
  int epochs = 1000;
  double lr = 0.01;
  std::uint64_t seed = 0;
  app.add_option("--epochs", epochs, "full-batch gradient steps")->check(CLI::PositiveNumber);
  app.add_option("--lr", lr, "learning rate")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "random seed (data and initial weights)");
  CLI11_PARSE(app, argc, argv);

  tg::manual_seed(seed);
  // 200 points with x uniform in [-2, 2) and Gaussian noise of std 0.1: tensors of shape [200, 1].
  tg::Tensor x = tg::rand({200, 1}) * 4.0 - 2.0;
  tg::Tensor y = 3.0 * x + 2.0 + 0.1 * tg::randn({200, 1});

  tg::nn::Linear model(1, 1);  // y_hat = x · w + b
  tg::optim::SGD optimizer(model->parameters(), tg::optim::SGDOptions(lr));

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    optimizer.zero_grad();                                // forget the last step's gradients
    tg::Tensor loss = tg::losses::mse_loss(model(x), y);  // mean((y_hat - y)²), recorded on the tape
    examples::check_finite(loss.item(), lr, "epoch " + std::to_string(epoch));  // NaN or inf: stop
    loss.backward();                                      // d loss / d w and d loss / d b
    optimizer.step();                                     // w -= lr · dw, b -= lr · db
    if (epoch % 100 == 0 || epoch == epochs)
      std::printf("epoch %4d  loss %.6f\n", epoch, loss.item());
  }

  const double w = model->weight.item(), b = model->bias.item();
  std::printf("learned w = %.4f (true 3), b = %.4f (true 2)\n", w, b);
  if (std::abs(w - 3) > 0.1 || std::abs(b - 2) > 0.1) {
    std::printf("not converged yet: try more epochs or a larger --lr\n");
    return 1;
  }
  return 0;
}
