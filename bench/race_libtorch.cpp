// The libtorch side of the training-step race (see race.cpp), in libtorch's own idiom, built
// without tapegrad: race_libtorch --side libtorch --model M --threads N --rounds R --data DIR
#include "race.hpp"

#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;
namespace optim = torch::optim;
using torch::Tensor;

Tensor from(const std::vector<double>& values, torch::IntArrayRef shape,
            torch::ScalarType dtype = torch::kFloat) {
  return torch::tensor(values, torch::kDouble).reshape(shape).to(dtype);
}

// Embedding(65, 64) -> LSTM or GRU(64 -> 128, batch_first) -> Linear(128 -> 65) at every step:
// logits [N·T, 65].
template <class RNN, class Options> struct CharModelImpl : nn::Module {
  nn::Embedding embed{nullptr};
  RNN rnn{nullptr};
  nn::Linear head{nullptr};
  CharModelImpl() {
    embed = register_module("embed", nn::Embedding(race::vocab, 64));
    rnn = register_module("rnn", RNN(Options(64, 128).batch_first(true)));
    head = register_module("head", nn::Linear(128, race::vocab));
  }
  Tensor forward(const Tensor& tokens) {
    return head(std::get<0>(rnn(embed(tokens)))).reshape({-1, race::vocab});
  }
};

// tokens [T, N] (libtorch 1.13's TransformerEncoderLayer has no batch_first: sequence first,
// its native layout) -> Embedding(65, 64) + positional embedding [T, 64] -> encoder layer ->
// mean over time -> Linear(64 -> 10).
struct AttnTinyImpl : nn::Module {
  nn::Embedding embed{nullptr};
  Tensor pos;
  nn::TransformerEncoderLayer encoder{nullptr};
  nn::Linear head{nullptr};
  AttnTinyImpl() {
    embed = register_module("embed", nn::Embedding(race::vocab, 64));
    pos = register_parameter("pos", torch::randn({race::seq_len, 1, 64}));
    encoder = register_module("encoder", nn::TransformerEncoderLayer(
        nn::TransformerEncoderLayerOptions(64, 4).dim_feedforward(128).dropout(0)));
    head = register_module("head", nn::Linear(64, race::attn_classes));
  }
  Tensor forward(const Tensor& tokens) { return head(encoder(embed(tokens) + pos).mean(0)); }
};

race::Step libtorch_step(const std::string& model, const std::string& data) {
  torch::manual_seed(0);
  std::function<Tensor(const Tensor&)> forward;
  std::vector<Tensor> params;
  std::shared_ptr<optim::Optimizer> opt;
  std::vector<std::pair<Tensor, Tensor>> batches;
  bool classify = model != "mlp_tiny" && model != "linreg", clip = false;
  auto use = [&](auto net) {  // any module holder
    forward = [net](const Tensor& x) mutable { return net->forward(x); };
    params = net->parameters();
  };
  if (model == "mlp_fmnist") {
    use(nn::Sequential(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                       nn::Linear(128, 10)));
    opt = std::make_shared<optim::SGD>(params, optim::SGDOptions(0.01).momentum(0.9));
  } else if (model == "mlp_bn") {
    use(nn::Sequential(nn::Linear(784, 256), nn::BatchNorm1d(256), nn::ReLU(),
                       nn::Linear(256, 128), nn::BatchNorm1d(128), nn::ReLU(),
                       nn::Linear(128, 10)));
    opt = std::make_shared<optim::Adam>(params, optim::AdamOptions(1e-3));
  } else if (model == "cnn_fmnist") {
    use(nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 8, 3).padding(1)), nn::ReLU(),
                       nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)),
                       nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(784, 10)));
    opt = std::make_shared<optim::Adam>(params, optim::AdamOptions(1e-3));
  } else if (model == "mlp_tiny") {
    use(nn::Sequential(nn::Linear(2, 16), nn::Tanh(), nn::Linear(16, 16), nn::Tanh(),
                       nn::Linear(16, 1)));
    opt = std::make_shared<optim::Adam>(params, optim::AdamOptions(1e-3));
    batches = {{from(race::uniform(64, -2, 2, 1), {32, 2}), from(race::uniform(32, -1, 1, 2), {32, 1})}};
  } else if (model == "linreg") {  // the linear-regression example's step: 200 points, full batch
    use(nn::Linear(1, 1));
    opt = std::make_shared<optim::SGD>(params, optim::SGDOptions(0.01));
    Tensor x = from(race::uniform(200, -2, 2, 1), {200, 1});
    batches = {{x, 3 * x + 2}};
  } else if (model == "lstm_char" || model == "gru_char") {
    if (model == "lstm_char")
      use(std::make_shared<CharModelImpl<nn::LSTM, nn::LSTMOptions>>());
    else
      use(std::make_shared<CharModelImpl<nn::GRU, nn::GRUOptions>>());
    opt = std::make_shared<optim::Adam>(params, optim::AdamOptions(2e-3));
    clip = true;
    const int n = race::char_batch, t = race::seq_len;
    Tensor tokens = from(race::integers(n * (t + 1), race::vocab, 3), {n, t + 1}, torch::kLong);
    batches = {{tokens.narrow(1, 0, t).contiguous(), tokens.narrow(1, 1, t).reshape({-1})}};
  } else if (model == "attn_tiny") {
    use(std::make_shared<AttnTinyImpl>());
    opt = std::make_shared<optim::AdamW>(params, optim::AdamWOptions(1e-3));
    const int n = race::attn_batch, t = race::seq_len;
    batches = {{from(race::integers(n * t, race::vocab, 4), {n, t}, torch::kLong).t().contiguous(),
                from(race::integers(n, race::attn_classes, 5), {n}, torch::kLong)}};
  } else {
    return nullptr;
  }
  if (race::uses_fmnist(model)) {
    const int size = race::fmnist_batch_size(model);
    torch::data::datasets::MNIST train(data);
    for (int k = 0; k < race::fmnist_batches; ++k) {
      Tensor x = train.images().narrow(0, k * size, size).clone();
      batches.push_back({model == "cnn_fmnist" ? x : x.reshape({size, 784}),
                         train.targets().narrow(0, k * size, size).clone()});
    }
  }
  return [=, k = std::size_t(0)]() mutable {
    const auto& [x, y] = batches[k++ % batches.size()];
    for (auto& p : params) p.mutable_grad().reset();  // zero_grad(set_to_none), as tapegrad's
    Tensor out = forward(x);
    Tensor loss = classify ? F::cross_entropy(out, y) : F::mse_loss(out, y);
    loss.backward();
    if (clip) nn::utils::clip_grad_norm_(params, 1.0);
    opt->step();
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto args = race::parse_args(argc, argv, {{"--side", "libtorch"}, {"--model", "none"},
                                            {"--threads", "1"}, {"--rounds", "15"},
                                            {"--data", ""}});
  if (args.empty() || args["--side"] != "libtorch") {
    std::fprintf(stderr, "usage: race_libtorch --side libtorch --model M --threads N "
                         "[--rounds R] [--data DIR]\n");
    return 2;
  }
  torch::set_num_threads(std::stoi(args["--threads"]));
  at::set_num_interop_threads(1);
  return race::run_side("libtorch", args["--model"], std::stoi(args["--rounds"]),
                        [&] { return libtorch_step(args["--model"], args["--data"]); });
}
