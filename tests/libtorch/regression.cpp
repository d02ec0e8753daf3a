// Fits a cubic y = w·[x, x², x³] + b with one Linear layer, written for libtorch: the
// gradient-descent step is written by hand, in place under NoGradGuard; the loss is MSE, and
// smooth L1 is reported beside it.
#include <torch/torch.h>

#include <cstdint>
#include <iostream>
#include <vector>

const int64_t kDegree = 3;

// [N] -> [N, kDegree]: the columns x, x², x³.
torch::Tensor make_features(torch::Tensor x) {
  x = x.unsqueeze(1);
  std::vector<torch::Tensor> columns;
  for (int64_t i = 1; i <= kDegree; ++i) columns.push_back(x.pow(i));
  return torch::cat(columns, 1);
}

int main() {
  torch::manual_seed(0);
  auto w_target = torch::tensor({0.5, -1.5, 2.0}).view({kDegree, 1});
  auto b_target = torch::tensor({0.25});

  torch::nn::Linear fc(kDegree, 1);
  const double learning_rate = 0.1;
  float first_loss = 0, loss_value = 0;
  int64_t step = 0;
  for (; step < 2000; ++step) {
    auto x = make_features(torch::rand({64}) * 2 - 1);  // x in [-1, 1)
    auto y = x.mm(w_target) + b_target.item<float>();
    auto loss = torch::mse_loss(fc(x), y);
    fc->zero_grad();
    loss.backward();
    {
      torch::NoGradGuard no_grad;
      for (auto& parameter : fc->parameters()) parameter.sub_(learning_rate * parameter.grad());
    }
    loss_value = loss.item<float>();
    if (step == 0) first_loss = loss_value;
    if (loss_value < 1e-4f) break;
  }

  torch::NoGradGuard no_grad;
  auto x = make_features(torch::linspace(-1, 1, 50));
  auto y = x.mm(w_target) + b_target;
  float smooth_l1 = torch::smooth_l1_loss(fc->forward(x), y).item<float>();
  auto weight_error = (fc->weight.view({-1}) - w_target.view({-1})).abs().max();
  std::cout << "loss " << first_loss << " -> " << loss_value << " after " << step
            << " steps, smooth L1 " << smooth_l1 << "\nlearned weight " << fc->weight
            << "\nlearned bias " << fc->bias << "\nlargest weight error "
            << weight_error.item<float>() << std::endl;
  // The fit is checked, not each weight: x and x³ are nearly collinear on [-1, 1].
  return loss_value < 1e-3f && smooth_l1 < 1e-3f ? 0 : 1;
}
