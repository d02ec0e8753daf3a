#pragma once
// One training run of the playground: data set, model, loss, optimizer, and what the page draws
// (boundary, neuron maps, weights, the recorded tape of one backward pass), written as JSON.
#include <tapegrad/tapegrad.hpp>

#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace playground {

// A setting the client got wrong: the server answers 400 with the message.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A valid request the server will not do (a network too large for interactive use): 422.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string dataset = "spirals";  // moons circles spirals xor regression
  double noise = 0.1;
  int samples = 300;
  double test_fraction = 0.3;
  std::vector<int> hidden{8, 8};
  std::string activation = "tanh";  // tanh relu sigmoid leaky_relu
  std::string loss = "bce";         // classification: mse bce hinge focal; regression: mse l1 huber
  std::string optimizer = "adam";   // sgd momentum adam
  double lr = 0.03;
  int batch = 16;
  double l2 = 0;
  unsigned seed = 1;
  bool regression() const { return dataset == "regression"; }
};

// Reads and checks every setting; `get(name)` returns the raw text or nullptr when absent.
// Throws BadRequest naming the setting and its allowed range, Refused for too large networks.
template <class Get> Config parse_config(const Get& get);

class Session {
 public:
  explicit Session(const Config& config);
  const Config& config() const { return config_; }
  std::size_t parameter_count() const;

  // Runs `steps` optimizer steps on minibatches; returns false when the loss went non-finite
  // (the run stops; reset it).
  bool train(int steps);
  // {"step", "epoch", "train_loss", "test_loss", "ms_per_step", "diverged"}
  void write_status(class Json& j);
  void write_data(Json& j);   // the points: train and test, x and label/target
  // The model's output on a grid over the data (classification: probability of class 1, or
  // sigmoid of the score; regression: the fitted curve), each hidden neuron's output on a
  // coarser grid, and every Linear layer's weights and biases.
  void write_view(Json& j);
  // One forward and backward on the next batch (sample < 0) or the one training sample, traced:
  // the tape as nodes, then the engine's events in the order it ran them, then the loss's
  // hand-derived gradient beside autograd's. Does not change the parameters.
  void write_backward(Json& j, int sample);

 private:
  tg::Tensor output(const tg::Tensor& x);  // the model's raw output [n, 1]
  tg::Tensor prediction(const tg::Tensor& out) const;  // what the loss sees (ŷ)
  tg::Tensor loss(const tg::Tensor& yhat, const tg::Tensor& y) const;
  tg::Tensor objective(const tg::Tensor& yhat, const tg::Tensor& y) const;  // loss + L2 penalty
  std::vector<std::size_t> next_batch();
  double evaluate(const tg::Tensor& x, const tg::Tensor& y);

  Config config_;
  tg::Tensor x_train_, y_train_, x_test_, y_test_;  // x [n, d], y [n, 1]
  double lo_[2], hi_[2];  // the plotted area
  std::shared_ptr<tg::nn::SequentialImpl> model_;
  std::unique_ptr<tg::optim::Optimizer> optimizer_;
  std::vector<std::size_t> order_;
  std::size_t cursor_ = 0;
  long step_ = 0, epoch_ = 0;
  double last_batch_loss_ = 0, ms_per_step_ = 0;
  bool diverged_ = false;
  std::mt19937 rng_;
};

// ---------------------------------------------------------------- parsing (template)
namespace detail {
double number(const std::string& name, const char* text, double lo, double hi);
std::string choice(const std::string& name, const char* text, const std::vector<std::string>& options);
std::vector<int> layers(const char* text);
}  // namespace detail

template <class Get> Config parse_config(const Get& get) {
  Config c;
  auto num = [&](const char* name, auto& field, double lo, double hi) {
    if (const char* t = get(name)) field = static_cast<std::decay_t<decltype(field)>>(detail::number(name, t, lo, hi));
  };
  if (const char* t = get("dataset"))
    c.dataset = detail::choice("dataset", t, {"moons", "circles", "spirals", "xor", "regression"});
  if (c.regression()) c.loss = "mse";
  num("noise", c.noise, 0, 1);
  num("samples", c.samples, 20, 2000);
  num("test_fraction", c.test_fraction, 0.1, 0.9);
  if (const char* t = get("hidden")) c.hidden = detail::layers(t);
  if (const char* t = get("activation"))
    c.activation = detail::choice("activation", t, {"tanh", "relu", "sigmoid", "leaky_relu"});
  if (const char* t = get("loss"))
    c.loss = c.regression() ? detail::choice("loss", t, {"mse", "l1", "huber"})
                            : detail::choice("loss", t, {"mse", "bce", "hinge", "focal"});
  if (const char* t = get("optimizer"))
    c.optimizer = detail::choice("optimizer", t, {"sgd", "momentum", "adam"});
  num("lr", c.lr, 1e-6, 10);
  num("batch", c.batch, 1, 2000);
  num("l2", c.l2, 0, 1);
  num("seed", c.seed, 0, 1e9);
  return c;
}

}  // namespace playground
