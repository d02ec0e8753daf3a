// libtorch's spellings: ATen-style losses at the top level, tg::nn::functional, implicit optimizer
// options, devices that are the CPU, one-number kernel sizes, tg::save / tg::load.
#include <cmath>
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
  tg::Tensor image = tg::arange(16, tg::kFloat).reshape({1, 1, 4, 4});
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

TEST_CASE("std::cout << t.sizes() without using namespace tg") {
  std::ostringstream os;
  os << tg::zeros({2, 3}).sizes();
  CHECK(os.str() == "[2,3]");
  CHECK(tg::zeros({2, 3}).sizes() == tg::Shape{2, 3});
}

TEST_CASE("indexing methods: x[i], select, narrow, slice (values, gradients, errors)") {
  tg::Tensor x = tg::arange(0, 12, 1, tg::kFloat64).reshape({3, 4});
  CHECK(tg::to_vector(x[1]) == std::vector<double>{4, 5, 6, 7});
  CHECK(x[-1][2].item<double>() == 10);  // negative counts from the end; x[i][j] is a 0-d tensor
  CHECK(x[1].sizes() == tg::Shape{4});
  CHECK(tg::to_vector(x.select(1, 2)) == std::vector<double>{2, 6, 10});
  CHECK(tg::to_vector(x.narrow(1, 1, 2)) == std::vector<double>{1, 2, 5, 6, 9, 10});
  CHECK(tg::to_vector(x.slice(0, 1, 100, 2)) == std::vector<double>{4, 5, 6, 7});  // end clipped
  CHECK(x.slice(1, 2, 2).sizes() == tg::Shape{3, 0});
  CHECK(tg::to_vector(tg::tensor({5, 6, 7}, tg::kLong)[2]) == std::vector<double>{7});
  using Inputs = std::vector<tg::Tensor>;
  CHECK(tg::autograd::gradcheck([](const Inputs& in) { return in[0][1] * in[0].select(1, -1)[2]; },
                                {tg::randn({3, 4}, tg::kFloat64)}));
  CHECK(tg::autograd::gradcheck([](const Inputs& in) { return in[0].slice(1, 1, 4, 2); },
                                {tg::randn({2, 5}, tg::kFloat64)}));
  CHECK_THROWS_WITH_AS(x[3], Contains("narrow: start 3 and length 1"), tg::ValueError);
  CHECK_THROWS_WITH_AS(x.select(2, 0), Contains("axis 2 is out of range"), tg::Error);
  CHECK_THROWS_AS(tg::scalar(1.0)[0], tg::Error);
}

TEST_CASE("all() and allclose") {
  CHECK(tg::tensor({1, 2, -1}).all().item<bool>());
  CHECK_FALSE(tg::tensor({1, 0, 1}).all().item<bool>());
  CHECK(tg::zeros({0}).all().item<bool>());  // as PyTorch: true for no elements
  CHECK(tg::tensor({1, 2}).all().scalar_type() == tg::kBool);
  tg::Tensor a = tg::tensor({1.0, 100.0});
  CHECK(tg::allclose(a, a + 1e-6));                // within rtol·|b|
  CHECK_FALSE(tg::allclose(a, a + tg::tensor({1e-3, 0})));
  CHECK(tg::allclose(a, tg::tensor({1.0}) * a));  // broadcast
  CHECK_FALSE(tg::allclose(tg::tensor({std::nan("")}), tg::tensor({std::nan("")})));
  CHECK_THROWS_AS(tg::allclose(a, tg::zeros({3})), tg::ShapeError);
}

struct TwoLayerImpl : tg::nn::Module {
  TwoLayerImpl() : fc(register_module("fc", tg::nn::Linear(2, 3))) {
    blocks->push_back(tg::nn::Linear(3, 3));
    blocks->push_back(tg::nn::ReLU());
    register_module("blocks", blocks);
  }
  tg::Tensor forward(tg::Tensor x) { return fc(x); }
  tg::nn::Linear fc;
  tg::nn::ModuleList blocks;
};
TG_MODULE(TwoLayer);

TEST_CASE("module->as<T>(), named_parameters' key()/value(), nn::utils, cpu()") {
  TwoLayer net;
  auto& first = *net->blocks->begin();
  REQUIRE(first->as<tg::nn::Linear>() != nullptr);  // a holder type names its Impl
  CHECK(first->as<tg::nn::Linear>()->weight.sizes() == tg::Shape{3, 3});
  CHECK(first->as<tg::nn::LinearImpl>() == first->as<tg::nn::Linear>());
  CHECK(first->as<tg::nn::ReLU>() == nullptr);
  CHECK(net->as<TwoLayer>() == net.get());
  std::vector<std::string> names;
  for (auto& p : net->named_parameters()) {
    names.push_back(p.key());
    CHECK(p.value().sizes() == p.second.sizes());
  }
  CHECK(names == std::vector<std::string>{"fc.weight", "fc.bias", "blocks.0.weight", "blocks.0.bias"});
  for (const auto& [name, module] : net->named_children()) CHECK(module->type_name() != name);
  CHECK(net->named_children()[1].key() == "blocks");

  tg::Tensor w = tg::ones({2}).requires_grad_();
  (w * 3).sum().backward();  // gradient [3, 3], norm 3√2
  CHECK(tg::nn::utils::clip_grad_norm_({w}, 1.0) == doctest::Approx(3 * std::sqrt(2.0)));
  CHECK(w.grad().pow(2).sum().item() == doctest::Approx(1).epsilon(1e-5));
  tg::nn::utils::clip_grad_value_({w}, 0.5);
  CHECK(w.grad().max().item() <= 0.5);
  CHECK(tg::to_vector(w.cpu()) == tg::to_vector(w));
}

TEST_CASE("TensorOptions: dtype, requires_grad and device in every factory") {
  tg::Tensor a = tg::zeros({2, 3}, tg::dtype(tg::kFloat64).requires_grad(true));
  CHECK(a.dtype() == tg::kFloat64);
  CHECK(a.requires_grad());
  CHECK(a.is_leaf());
  tg::Tensor b = tg::ones({2, 2}, tg::requires_grad());
  CHECK(b.dtype() == tg::kFloat32);
  CHECK(b.requires_grad());
  (b * 3.0).sum().backward();
  CHECK(tg::to_vector(b.grad()) == std::vector<double>(4, 3.0));
  tg::Tensor c = tg::arange(0, 4, 1, tg::TensorOptions().dtype(tg::kLong));
  CHECK(c.dtype() == tg::kLong);
  CHECK(tg::to_vector(c) == std::vector<double>{0, 1, 2, 3});
  CHECK(tg::randn({3}, tg::device(tg::Device(tg::kCPU))).dtype() == tg::kFloat32);
  CHECK(tg::randint(0, 5, {4}).dtype() == tg::kLong);  // int64 by default, as libtorch
  CHECK(tg::tensor({1.0, 2.0}, tg::kFloat64).dtype() == tg::kFloat64);  // a Dtype still works
  CHECK_THROWS_WITH_AS(tg::zeros({2}, tg::Device(tg::kCUDA)), doctest::Contains("zeros"),
                       tg::Error);
  CHECK_THROWS_AS(tg::zeros({2}, tg::dtype(tg::kLong).requires_grad(true)), tg::Error);
}

TEST_CASE("empty, arange with PyTorch's dtype rule, and nested lists of one-element rows") {
  // PyTorch: arange(5) is int64, arange(0., 5) and arange(0, 5, 0.5) float32
  tg::Tensor r = tg::arange(5);
  CHECK(r.dtype() == tg::kLong);
  CHECK(tg::to_vector(r) == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(tg::arange(2, 5).dtype() == tg::kLong);
  CHECK(tg::arange(0.0, 5).dtype() == tg::kFloat);
  CHECK(tg::to_vector(tg::arange(1, 2.5, 0.5)) == std::vector<double>{1, 1.5, 2});
  CHECK(tg::arange(0, 5, 2).dtype() == tg::kLong);
  CHECK(tg::arange(5, tg::kFloat64).dtype() == tg::kDouble);
  CHECK(tg::arange(0, 5, tg::dtype(tg::kFloat)).dtype() == tg::kFloat);
  CHECK(tg::arange(3, tg::TensorOptions().requires_grad(true).dtype(tg::kFloat)).requires_grad());
  CHECK_THROWS_AS(tg::arange(3, tg::requires_grad()), tg::AutogradError);  // int64, as PyTorch
  CHECK(tg::arange(3.0, tg::requires_grad()).requires_grad());
  tg::Tensor e = tg::empty({2, 3});
  CHECK(e.dtype() == tg::kFloat);
  CHECK(e.sizes() == tg::Shape{2, 3});
  CHECK(tg::empty({2}, tg::kLong).dtype() == tg::kLong);
  tg::Tensor col = tg::tensor({{1.0}, {2.0}});
  CHECK(col.sizes() == tg::Shape{2, 1});
  CHECK(tg::to_vector(col) == std::vector<double>{1, 2});
  CHECK(tg::tensor({{{1.0}}, {{2.0}}}).sizes() == tg::Shape{2, 1, 1});
  CHECK(tg::tensor({{1, 2}}, tg::kFloat64).sizes() == tg::Shape{1, 2});
  CHECK(tg::tensor({1, 2.5}).sizes() == tg::Shape{2});
  CHECK(tg::tensor({{1.0}}).sizes() == tg::Shape{1, 1});
}
