// A small convolutional classifier over MNIST-format files (Fashion-MNIST's here), written for
// libtorch: conv + Dropout2d + max_pool2d + log_softmax + nll_loss, SGD with momentum, the
// datasets::MNIST / Normalize / Stack / make_data_loader pipeline and a NoGradGuard test loop.
// A few hundred samples per epoch keep it short. Usage: mnist_convnet [DATA_ROOT]
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <iostream>

const int64_t kTrainBatchSize = 32;
const int64_t kTrainBatchesPerEpoch = 12;  // 384 samples an epoch
const int64_t kTestSamples = 500;
const int64_t kEpochs = 3;

struct ConvNet : torch::nn::Module {
  ConvNet()
      : conv1(torch::nn::Conv2dOptions(1, 8, /*kernel_size=*/3).padding(1)),
        conv2(torch::nn::Conv2dOptions(8, 16, /*kernel_size=*/3)),
        fc1(16 * 6 * 6, 64),
        fc2(64, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv2_drop", conv2_drop);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));                     // [N, 8, 14, 14]
    x = torch::relu(torch::max_pool2d(conv2_drop->forward(conv2->forward(x)), 2));  // [N, 16, 6, 6]
    x = x.view({-1, 16 * 6 * 6});
    x = torch::dropout(torch::relu(fc1->forward(x)), /*p=*/0.25, /*train=*/is_training());
    return torch::log_softmax(fc2->forward(x), /*dim=*/1);
  }

  torch::nn::Conv2d conv1, conv2;
  torch::nn::Dropout2d conv2_drop{0.1};
  torch::nn::Linear fc1, fc2;
};

int main(int argc, char** argv) {
  const char* root = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  torch::manual_seed(1);
  torch::Device device(torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  ConvNet model;
  model.to(device);
  torch::optim::SGD optimizer(model.parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));

  try {  // no data: skipped (CTest's SKIP_RETURN_CODE)
    torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest);
  } catch (const std::exception& e) {
    std::cout << "skipped: " << e.what() << std::endl;
    return 77;
  }
  auto train_set = torch::data::datasets::MNIST(root)
                       .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                       .map(torch::data::transforms::Stack<>());
  auto test_set = torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest)
                      .map(torch::data::transforms::Normalize<>(0.2860, 0.3530))
                      .map(torch::data::transforms::Stack<>());
  std::cout << train_set.size().value() << " training images\n";
  auto train_loader = torch::data::make_data_loader(std::move(train_set), kTrainBatchSize);
  auto test_loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(test_set), torch::data::DataLoaderOptions().batch_size(100));

  float first_loss = 0, last_loss = 0;
  double accuracy = 0;
  for (int64_t epoch = 1; epoch <= kEpochs; ++epoch) {
    model.train();
    int64_t batch_index = 0;
    for (auto& batch : *train_loader) {
      auto data = batch.data.to(device), targets = batch.target.to(device);
      optimizer.zero_grad();
      auto loss = torch::nll_loss(model.forward(data), targets);
      loss.backward();
      optimizer.step();
      last_loss = loss.item<float>();
      if (epoch == 1 && batch_index == 0) first_loss = last_loss;
      if (++batch_index == kTrainBatchesPerEpoch) break;
    }

    torch::NoGradGuard no_grad;
    model.eval();
    double test_loss = 0;
    int64_t correct = 0, seen = 0;
    for (const auto& batch : *test_loader) {
      auto data = batch.data.to(device), targets = batch.target.to(device);
      auto output = model.forward(data);
      test_loss += torch::nll_loss(output, targets, /*weight=*/{}, torch::Reduction::Sum)
                       .item<float>();
      correct += output.argmax(1).eq(targets).sum().item<int64_t>();
      seen += data.size(0);
      if (seen >= kTestSamples) break;
    }
    accuracy = static_cast<double>(correct) / seen;
    std::printf("epoch %d: train loss %.4f, test loss %.4f, accuracy %.3f\n",
                static_cast<int>(epoch), last_loss, test_loss / seen, accuracy);
  }
  const bool learned = last_loss < first_loss && accuracy > 0.4;  // chance is 0.1
  std::cout << (learned ? "learned" : "did NOT learn") << std::endl;
  return learned ? 0 : 1;
}
