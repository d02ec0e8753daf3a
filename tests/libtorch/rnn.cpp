// A sequence model written for libtorch: Embedding -> LSTM (batch_first) -> Linear, trained with
// cross_entropy over every step, Adam and clip_grad_norm_. The task needs memory: at each step,
// output the token seen two steps earlier (0 for the first two steps).
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <tuple>

const int64_t kVocabulary = 6, kSteps = 10, kBatch = 32;

struct EchoImpl : torch::nn::Module {
  EchoImpl(int64_t vocabulary, int64_t embedding_dim, int64_t hidden)
      : embedding(register_module("embedding", torch::nn::Embedding(vocabulary, embedding_dim))),
        lstm(register_module(
            "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(embedding_dim, hidden).batch_first(true)))),
        out(register_module("out", torch::nn::Linear(hidden, vocabulary))) {}

  torch::Tensor forward(torch::Tensor tokens) {
    auto [output, state] = lstm->forward(embedding(tokens));  // output [N, T, hidden]
    return out(output);                                       // [N, T, vocabulary]
  }

  torch::nn::Embedding embedding;
  torch::nn::LSTM lstm;
  torch::nn::Linear out;
};
TORCH_MODULE(Echo);

// Random tokens [N, T] and their targets: the tokens shifted two steps to the right.
std::tuple<torch::Tensor, torch::Tensor> make_batch() {
  auto tokens = torch::randint(0, kVocabulary, {kBatch, kSteps}, torch::kLong);
  auto targets = torch::cat({torch::zeros({kBatch, 2}, torch::kLong),
                             tokens.narrow(1, 0, kSteps - 2)}, /*dim=*/1);
  return {tokens, targets};
}

int main() {
  torch::manual_seed(0);
  Echo model(kVocabulary, 8, 32);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.01));

  float first_loss = 0, last_loss = 0;
  for (int step = 0; step < 300; ++step) {
    auto [tokens, targets] = make_batch();
    optimizer.zero_grad();
    auto logits = model(tokens);
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, kVocabulary}),
                                                     targets.reshape({-1}));
    loss.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), /*max_norm=*/1.0);
    optimizer.step();
    last_loss = loss.item<float>();
    if (step == 0) first_loss = last_loss;
  }

  torch::NoGradGuard no_grad;
  auto [tokens, targets] = make_batch();
  auto predictions = model(tokens).argmax(/*dim=*/2);
  const double accuracy =
      predictions.eq(targets).sum().item<int64_t>() / static_cast<double>(targets.numel());
  std::printf("loss %.4f -> %.4f, accuracy %.3f\n", first_loss, last_loss, accuracy);
  return last_loss < first_loss && accuracy > 0.9 ? 0 : 1;
}
