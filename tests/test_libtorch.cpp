// libtorch's spellings: ATen-style losses at the top level, tg::nn::functional, implicit optimizer
// options, devices that are the CPU, one-number kernel sizes, tg::save / tg::load.
#include <cstdint>
#include <cstdio>

#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

namespace F = tg::nn::functional;
using doctest::Contains;

TEST_CASE("a loop written the libtorch way trains (classes are int64, accuracy counted in int64)") {
  tg::manual_seed(1);
  tg::Device device(tg::cuda::is_available() ? tg::kCUDA : tg::kCPU);
  CHECK(device.is_cpu());
  tg::nn::Sequential model(tg::nn::Linear(4, 16), tg::nn::ReLU(), tg::nn::Linear(16, 3));
  model->to(device);
  tg::optim::SGD optimizer(model->parameters(), tg::optim::SGDOptions(0.1).momentum(0.5));
  tg::Tensor data = tg::randn({90, 4}).to(device);
  tg::Tensor targets = data.argmax(1).clamp(std::nullopt, 2.0).to(tg::kLong);  // a learnable rule
  std::int64_t correct = 0;
  for (int epoch = 0; epoch < 200; ++epoch) {
    optimizer.zero_grad();
    tg::Tensor output = F::log_softmax(model(data), /*dim=*/1);
    tg::Tensor loss = tg::nll_loss(output, targets);
    loss.backward();
    optimizer.step();
    correct = output.argmax(1).eq(targets).sum().item<std::int64_t>();
  }
  CHECK(correct > 80);
  tg::Tensor summed = tg::nll_loss(F::log_softmax(model(data), 1), targets, {}, tg::Reduction::Sum);
  tg::Tensor mean = tg::nll_loss(F::log_softmax(model(data), 1), targets);
  CHECK(summed.item() == doctest::Approx(mean.item() * 90).epsilon(1e-5));
  CHECK_THROWS_WITH_AS(data.to(tg::Device(tg::kCUDA)), Contains("CPU only"), tg::ValueError);
}

TEST_CASE("ATen and functional names forward to tapegrad's") {
  tg::Tensor a = tg::tensor({1.0, 2.0, 4.0}), b = tg::tensor({1.0, 0.0, 2.0});
  CHECK(tg::mse_loss(a, b).item() == doctest::Approx(8.0 / 3));  // (0² + 2² + 2²) / 3
  CHECK(F::mse_loss(a, b, tg::Reduction::Sum).item() == doctest::Approx(8));
  CHECK(F::l1_loss(a, b).item() == doctest::Approx(4.0 / 3));
  CHECK(tg::to_vector(F::relu(a - 2.0)) == std::vector<double>{0, 0, 2});
  tg::Tensor image = tg::arange(0, 16, 1).reshape({1, 1, 4, 4});
  CHECK(tg::to_vector(F::max_pool2d(image, 2)) == std::vector<double>{5, 7, 13, 15});
  CHECK(tg::max_pool2d(image, {2, 4}).sizes() == tg::Shape{1, 1, 2, 1});
  tg::optim::Adam adam({a.detach().requires_grad_()}, 1e-3);  // options from a learning rate
  CHECK(adam.param_groups().size() == 1);
}

TEST_CASE("tg::save and tg::load a module") {
  tg::nn::Sequential one(tg::nn::Linear(2, 2)), two(tg::nn::Linear(2, 2));
  const char* path = "libtorch_save_test.npz";
  tg::save(one, path);
  tg::load(two, path);
  std::remove(path);
  CHECK(tg::to_vector(one->parameters()[0]) == tg::to_vector(two->parameters()[0]));
}
