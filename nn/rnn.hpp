#pragma once
// Recurrent layers with PyTorch's parameters, gate orders and numerics: a PyTorch state_dict
// saved to .npz loads with nn::load and gives the same outputs and gradients. With G gates
// (RNN 1; LSTM 4: i, f, g, o; GRU 3: r, z, n) and gi = W_ih x + b_ih, gh = W_hh h + b_hh:
//   RNN:  h' = tanh(gi + gh)  (or relu)
//   LSTM: i, f, g, o = σ, σ, tanh, σ of the four slices of gi + gh;
//         c' = f c + i g;  h' = o tanh(c')
//   GRU:  r, z = σ of the first two slices of gi + gh;  n = tanh(gi_n + r ⊙ gh_n)  (b_hn inside
//         the reset product, as PyTorch);  h' = (1 - z) n + z h
// Parameters weight_ih [G·H, I], weight_hh [G·H, H], bias_ih, bias_hh [G·H], all ~ U(±1/√H).
// Their forward takes (input, state) and returns (output, state), as libtorch's, so they are
// not stages of a Sequential (forward(x) through Module throws).
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

enum class RecurrentKind { rnn_tanh, rnn_relu, lstm, gru };

// Cells: one step. input [N, I] or unbatched [I]; states [N, H] / [H], zeros when undefined.
class RNNCellBase : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // throws: call forward(input, hx)
  std::string extra_repr() const override;

  std::size_t input_size, hidden_size;
  RecurrentKind kind;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;  // biases undefined without bias

 protected:
  RNNCellBase(std::size_t input_size, std::size_t hidden_size, bool bias, RecurrentKind kind);
  std::tuple<Tensor, Tensor> step(const Tensor& input, const Tensor& hx, const Tensor& cx);
};

// nonlinearity "tanh" or "relu"
struct RNNCellImpl : RNNCellBase {
  RNNCellImpl(std::size_t input_size, std::size_t hidden_size, bool bias = true,
          const std::string& nonlinearity = "tanh");
  Tensor forward(const Tensor& input, const Tensor& hx = {});  // h'
};
struct LSTMCellImpl : RNNCellBase {
  LSTMCellImpl(std::size_t input_size, std::size_t hidden_size, bool bias = true);
  // (h', c') from (h, c); either state undefined means zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input,
                                     const std::tuple<Tensor, Tensor>& hx = {});
};
struct GRUCellImpl : RNNCellBase {
  GRUCellImpl(std::size_t input_size, std::size_t hidden_size, bool bias = true);
  Tensor forward(const Tensor& input, const Tensor& hx = {});  // h'
};

// RNNOptions(64, 128).num_layers(2).batch_first(true).bidirectional(true); nonlinearity is for
// RNN only ("tanh" or "relu"). dropout: applied to the outputs of every layer but the last, in
// training mode.
struct RNNOptions {
  RNNOptions(std::size_t input_size, std::size_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  TG_ARG(std::size_t, input_size, 0);
  TG_ARG(std::size_t, hidden_size, 0);
  TG_ARG(std::size_t, num_layers, 1);
  TG_ARG(std::string, nonlinearity, "tanh");
  TG_ARG(bool, bias, true);
  TG_ARG(bool, batch_first, false);
  TG_ARG(double, dropout, 0);
  TG_ARG(bool, bidirectional, false);
};
using LSTMOptions = RNNOptions;
using GRUOptions = RNNOptions;

// Layers: input [T, N, I] ([N, T, I] when batch_first) or unbatched [T, I]; states
// [L·D, N, H] (unbatched [L·D, H]) with D = 2 when bidirectional, zeros when undefined.
// output [T, N, D·H] (batch_first: [N, T, D·H]; unbatched [T, D·H]): the last layer's h at every
// step, both directions concatenated; h_n, c_n: the final states of every layer and direction.
// Parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, and the same with
// suffix _reverse, per layer k; layer k > 0 reads D·H inputs.
class RNNBase : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // throws: call forward(input, state)
  std::string extra_repr() const override;

  RNNOptions options;
  RecurrentKind kind;
  // {weight_ih, weight_hh, bias_ih, bias_hh} per layer and direction, in PyTorch's order.
  std::vector<std::vector<Tensor>> all_weights;

 protected:
  RNNBase(const RNNOptions& options, RecurrentKind kind);
  // (output, h_n, c_n); c_n is undefined but for LSTM.
  std::tuple<Tensor, Tensor, Tensor> run(const Tensor& input, const Tensor& h0, const Tensor& c0);
};

struct RNNImpl : RNNBase {
  explicit RNNImpl(const RNNOptions& options);
  RNNImpl(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});  // (output, h_n)
};
struct LSTMImpl : RNNBase {
  explicit LSTMImpl(const LSTMOptions& options);
  LSTMImpl(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1);
  // (output, (h_n, c_n)) from (h0, c0)
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(
      const Tensor& input, const std::tuple<Tensor, Tensor>& hx = {});
};
struct GRUImpl : RNNBase {
  explicit GRUImpl(const GRUOptions& options);
  GRUImpl(std::size_t input_size, std::size_t hidden_size, std::size_t num_layers = 1);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});  // (output, h_n)
};
TG_MODULE(RNNCell);
TG_MODULE(LSTMCell);
TG_MODULE(GRUCell);
TG_MODULE(RNN);
TG_MODULE(LSTM);
TG_MODULE(GRU);

}  // namespace tg::nn
