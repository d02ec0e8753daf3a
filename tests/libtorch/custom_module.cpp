// A user module written for libtorch: NetImpl + TORCH_MODULE(Net), forward(torch::Tensor x) by
// value, submodules as holders (a Sequential with Functional(torch::relu), a ModuleList, a
// Dropout), named_parameters, train()/eval(), Adam with a StepLR schedule, torch::save/load.
// It learns which points of [-1, 1)² have x·y > 0.
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <iostream>

struct NetImpl : torch::nn::Module {
  explicit NetImpl(int64_t hidden) {
    stem = register_module(
        "stem", torch::nn::Sequential(torch::nn::Linear(2, hidden), torch::nn::Functional(torch::relu)));
    for (int i = 0; i < 2; ++i) blocks->push_back(torch::nn::Linear(hidden, hidden));
    register_module("blocks", blocks);
    dropout = register_module("dropout", torch::nn::Dropout(torch::nn::DropoutOptions().p(0.1)));
    head = register_module("head", torch::nn::Linear(torch::nn::LinearOptions(hidden, 2)));
  }

  torch::Tensor forward(torch::Tensor x) {
    x = stem->forward(x);
    for (const auto& block : *blocks)  // residual blocks
      x = x + torch::relu(block->as<torch::nn::Linear>()->forward(x));
    return head(dropout(x));
  }

  torch::nn::Sequential stem{nullptr};
  torch::nn::ModuleList blocks;
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Net);

int main() {
  torch::manual_seed(0);
  auto points = torch::rand({256, 2}) * 2 - 1;
  auto labels = (points.prod(1) > 0).to(torch::kLong);

  Net net(32);
  for (const auto& parameter : net->named_parameters())
    std::cout << parameter.key() << " " << parameter.value().sizes() << "\n";
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(0.02));
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/60, /*gamma=*/0.5);

  float first_loss = 0, last_loss = 0;
  for (int epoch = 0; epoch < 150; ++epoch) {
    net->train();
    optimizer.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net(points), labels);
    loss.backward();
    optimizer.step();
    scheduler.step();
    last_loss = loss.item<float>();
    if (epoch == 0) first_loss = last_loss;
  }

  net->eval();
  torch::NoGradGuard no_grad;
  auto predictions = net(points).argmax(1);
  const double accuracy = predictions.eq(labels).sum().item<int64_t>() / 256.0;
  std::printf("loss %.4f -> %.4f, accuracy %.3f\n", first_loss, last_loss, accuracy);

  torch::save(net, "custom_module_net.pt");
  Net restored(32);
  torch::load(restored, "custom_module_net.pt");
  restored->eval();
  const bool same = torch::allclose(restored(points), net(points));
  std::cout << "restored model gives the same outputs: " << std::boolalpha << same << std::endl;
  std::remove("custom_module_net.pt");
  return last_loss < first_loss && accuracy > 0.9 && same ? 0 : 1;
}
