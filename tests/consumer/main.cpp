// Fits y = 2x with one weight by gradient descent; exits 0 when it learned it.
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <iostream>

int main() {
  tg::Tensor x = tg::tensor({1.0, 2.0, 3.0}), y = x * 2.0;
  tg::Tensor w = tg::zeros({1}).set_requires_grad();
  for (int step = 0; step < 100; ++step) {
    tg::Tensor loss = tg::mean(tg::square(x * w - y));
    w.zero_grad();
    loss.backward();
    tg::NoGradGuard no_grad;
    w.mutable_value<float>() -= 0.05f * w.grad().value<float>();
  }
  std::cout << "w = " << w.item() << "\n";
  return std::abs(w.item() - 2.0) < 1e-3 ? 0 : 1;
}
