// Fits y = 2x with one weight; exits 0 when it learned it.
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <iostream>

int main() {
  tg::Tensor x = tg::tensor({1.0, 2.0, 3.0}), y = x * 2.0;
  tg::Tensor w = tg::zeros({1}).set_requires_grad();
  tg::optim::SGD opt({w}, tg::optim::SGDOptions(0.05));
  for (int step = 0; step < 100; ++step) {
    opt.zero_grad();
    tg::mean(tg::square(x * w - y)).backward();
    opt.step();
  }
  std::cout << "w = " << w.item() << "\n";
  return std::abs(w.item() - 2.0) < 1e-3 ? 0 : 1;
}
