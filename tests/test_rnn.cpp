// Recurrent layers and cells: PyTorch's names and shapes, values and gradients against PyTorch
// (tests/make_rnn_reference.py writes tests/data/rnn), float64 finite-difference checks of
// every kind and option, second order on smooth ones, error messages.
#include <cmath>
#include <map>
#include <sstream>
#include <type_traits>

#include <xtensor/xarray.hpp>  // mutable_value() for in-place perturbation

#include "check.hpp"

namespace {

using Named = std::map<std::string, Tensor>;

// The module's outputs by PyTorch's names: output, h_n, c_n (layers) or h, c (cells).
template <class M> Named outputs(M& m, const Tensor& x, const Tensor& h0, const Tensor& c0) {
  if constexpr (std::is_same_v<M, nn::LSTMImpl>) {
    auto [out, state] = m.forward(x, {h0, c0});
    return {{"output", out}, {"h_n", std::get<0>(state)}, {"c_n", std::get<1>(state)}};
  } else if constexpr (std::is_same_v<M, nn::LSTMCellImpl>) {
    auto [h, c] = m.forward(x, {h0, c0});
    return {{"h", h}, {"c", c}};
  } else if constexpr (std::is_base_of_v<nn::RNNBase, M>) {
    auto [out, h] = m.forward(x, h0);
    return {{"output", out}, {"h_n", h}};
  } else {
    return {{"h", m.forward(x, h0)}};
  }
}

// Loads PyTorch's state_dict of case `name` with nn::load, runs the case's input and states,
// and compares the outputs and the gradients of L = Σ sum(output · w_output) with respect to
// the input, the states and every parameter.
template <class M> void check_reference(const std::string& name, M& m) {
  INFO("case ", name);
  m.to(f64);
  nn::load(m, "data/rnn/" + name + "_state.npz");
  Named data;
  for (auto& [key, t] : load_npz("data/rnn/" + name + "_data.npz")) data[key] = t;
  Named args;
  for (const char* key : {"input", "h0", "c0"})
    if (data.count(key)) args[key] = data[key].set_requires_grad();
  auto arg = [&](const char* key) { return args.count(key) ? args[key] : Tensor(); };
  Named out = outputs(m, arg("input"), arg("h0"), arg("c0"));
  Tensor loss = zeros({}, f64);
  for (auto& [key, t] : out) {
    check_values(key, t, data.at(key));
    loss = loss + sum(t * data.at("w_" + key));
  }
  loss.backward();
  for (auto& [key, t] : args) check_values("d/d" + key, t.grad(), data.at("grad_" + key));
  for (auto& [key, p] : m.named_parameters())
    check_values("d/d" + key, p.grad(), data.at("grad_" + key));
}

// Central differences of L = Σ <v, output> with respect to every element of the input, the
// given states and every parameter, each perturbed in place in its own storage (so this also
// checks that parameters() are what forward reads). The generator is reseeded before every
// forward: dropout draws the same masks each time.
template <class M> void check_gradients(M& m, Tensor x, Tensor h0 = {}, Tensor c0 = {}) {
  INFO(m);
  m.to(f64);
  std::vector<Tensor> wrt = m.parameters();
  for (Tensor* t : {&x, &h0, &c0})
    if (t->defined()) wrt.push_back(*t = t->detach().to(f64).clone().set_requires_grad());
  Named v;
  auto loss = [&] {
    manual_seed(11);
    Tensor l = zeros({}, f64);
    for (auto& [key, t] : outputs(m, x, h0, c0)) {
      if (!v.count(key)) v[key] = randn(t.shape(), f64);
      l = l + sum(t * v[key]);
    }
    return l;
  };
  std::vector<Tensor> analytic = autograd::grad({loss()}, wrt);
  for (std::size_t c = 0; c < wrt.size(); ++c) {
    REQUIRE(analytic[c].defined());
    Values g = to_vector(analytic[c]);
    for (std::size_t k = 0; k < g.size(); ++k) {
      NoGradGuard no_grad;
      double& value = wrt[c].mutable_value<double>().data()[k];
      const double original = value;
      value = original + 1e-6;
      const double plus = loss().item();
      value = original - 1e-6;
      const double minus = loss().item();
      value = original;
      const double numeric = (plus - minus) / 2e-6;
      INFO("tensor ", c, " (", wrt[c].name(), ") element ", k, ": analytic ", g[k],
           " vs numeric ", numeric);
      CHECK(std::abs(g[k] - numeric) <= 1e-6 + 1e-5 * std::abs(numeric));
    }
  }
}

std::vector<std::string> names(const nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& entry : m.named_parameters()) out.push_back(entry.first);
  return out;
}

}  // namespace

TEST_CASE("parameters have PyTorch's names, shapes, order and U(±1/√H) init") {
  manual_seed(0);
  nn::LSTM lstm(nn::LSTMOptions(3, 5).num_layers(2).bidirectional(true));
  CHECK(names(*lstm) == std::vector<std::string>{
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"});
  CHECK(lstm->all_weights[2][0].shape() == Shape{20, 10});  // layer 1 reads both directions
  CHECK(lstm->all_weights[3][1].shape() == Shape{20, 5});
  for (const Tensor& p : lstm->parameters())
    for (double v : to_vector(p)) CHECK(std::abs(v) <= 1 / std::sqrt(5.0));
  nn::GRU gru(nn::GRUOptions(3, 5).bias(false));
  CHECK(names(*gru) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0"});
  CHECK(gru->all_weights[0][0].shape() == Shape{15, 3});
  CHECK(names(*nn::RNNCell(3, 5)) ==
        std::vector<std::string>{"weight_ih", "weight_hh", "bias_ih", "bias_hh"});
  CHECK(nn::LSTMCell(3, 5)->weight_hh.shape() == Shape{20, 5});
  std::ostringstream printed;
  printed << nn::LSTM(nn::LSTMOptions(3, 5).num_layers(2).batch_first(true))
          << nn::RNNCell(3, 5, false, "relu");
  CHECK(printed.str().find("LSTM(3, 5, num_layers=2, batch_first=true)") != std::string::npos);
  CHECK(printed.str().find("RNNCell(3, 5, bias=false, nonlinearity=relu)") != std::string::npos);
}

TEST_CASE("output and state shapes: time-major, batch_first, unbatched, bidirectional") {
  nn::GRU gru(nn::GRUOptions(3, 4).num_layers(2).bidirectional(true));
  auto [out, h] = gru->forward(zeros({5, 2, 3}));
  CHECK(out.shape() == Shape{5, 2, 8});
  CHECK(h.shape() == Shape{4, 2, 4});
  nn::LSTM lstm(nn::LSTMOptions(3, 4).batch_first(true));
  auto [out2, state] = lstm->forward(zeros({2, 5, 3}));
  CHECK(out2.shape() == Shape{2, 5, 4});
  CHECK(std::get<1>(state).shape() == Shape{1, 2, 4});
  auto [out3, h3] = nn::RNN(3, 4)->forward(zeros({5, 3}), zeros({1, 4}));
  CHECK(out3.shape() == Shape{5, 4});
  CHECK(h3.shape() == Shape{1, 4});
  CHECK(nn::GRUCell(3, 4)->forward(zeros({3})).shape() == Shape{4});
  // The last step of the output is h_n (forward direction).
  manual_seed(1);
  auto [o, hn] = nn::RNN(3, 4)->forward(randn({5, 2, 3}));
  CHECK(to_vector(narrow(o, 0, 4, 1)) == to_vector(hn));
}

TEST_CASE("RNN, LSTM, GRU and the cells match PyTorch: outputs, input, state and parameter "
          "gradients (float64, 1e-10)") {
  nn::RNN rnn_tanh(3, 4);
  check_reference("rnn_tanh", *rnn_tanh);
  nn::RNN rnn_relu_deep(nn::RNNOptions(3, 4).nonlinearity("relu").num_layers(2).bidirectional(true)
                            .batch_first(true));
  check_reference("rnn_relu_deep", *rnn_relu_deep);
  nn::RNN rnn_unbatched(3, 4, 2);
  check_reference("rnn_unbatched", *rnn_unbatched);
  nn::LSTM lstm(3, 4);
  check_reference("lstm", *lstm);
  nn::LSTM lstm_deep(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).dropout(0.5));
  lstm_deep->eval();
  check_reference("lstm_deep", *lstm_deep);
  nn::LSTM lstm_batch_first_nobias(nn::LSTMOptions(3, 4).batch_first(true).bias(false));
  check_reference("lstm_batch_first_nobias", *lstm_batch_first_nobias);
  nn::LSTM lstm_unbatched(nn::LSTMOptions(3, 4).bidirectional(true));
  check_reference("lstm_unbatched", *lstm_unbatched);
  nn::GRU gru(3, 4, 2);
  check_reference("gru", *gru);
  nn::GRU gru_bidir_batch_first(nn::GRUOptions(3, 4).bidirectional(true).batch_first(true));
  check_reference("gru_bidir_batch_first", *gru_bidir_batch_first);
  nn::GRU gru_unbatched(3, 4);
  check_reference("gru_unbatched", *gru_unbatched);
  nn::RNNCell rnn_cell(3, 4);
  check_reference("rnn_cell", *rnn_cell);
  nn::RNNCell rnn_cell_relu(3, 4, true, "relu");
  check_reference("rnn_cell_relu", *rnn_cell_relu);
  nn::LSTMCell lstm_cell(3, 4);
  check_reference("lstm_cell", *lstm_cell);
  nn::LSTMCell lstm_cell_unbatched(3, 4, false);
  check_reference("lstm_cell_unbatched", *lstm_cell_unbatched);
  nn::GRUCell gru_cell(3, 4);
  check_reference("gru_cell", *gru_cell);
  nn::GRUCell gru_cell_unbatched(3, 4);
  check_reference("gru_cell_unbatched", *gru_cell_unbatched);
}

TEST_CASE("cells: gradients with respect to input, states and parameters (float64)") {
  manual_seed(5);
  nn::RNNCell tanh_cell(3, 4);
  check_gradients(*tanh_cell, randn({2, 3}), randn({2, 4}));
  nn::RNNCell relu_cell(3, 4, true, "relu");
  check_gradients(*relu_cell, randn({2, 3}));
  nn::LSTMCell lstm_cell(3, 4);
  check_gradients(*lstm_cell, randn({2, 3}), randn({2, 4}), randn({2, 4}));
  check_gradients(*lstm_cell, randn({3}), randn({4}), randn({4}));  // unbatched
  nn::GRUCell gru_cell(3, 4, false);
  check_gradients(*gru_cell, randn({2, 3}), randn({2, 4}));
}

TEST_CASE("layers: gradients with respect to input, initial states and parameters (float64)") {
  manual_seed(6);
  SUBCASE("RNN tanh and relu") {
    nn::RNN rnn(3, 4);
    check_gradients(*rnn, randn({3, 2, 3}), randn({1, 2, 4}));
    nn::RNN relu(nn::RNNOptions(3, 4).nonlinearity("relu").batch_first(true).bidirectional(true));
    check_gradients(*relu, randn({2, 3, 3}));
  }
  SUBCASE("LSTM: 2 layers, bidirectional, with initial states, dropout in training") {
    nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true).dropout(0.3));
    check_gradients(*lstm, randn({3, 2, 3}), randn({4, 2, 4}), randn({4, 2, 4}));
  }
  SUBCASE("LSTM batch_first and unbatched") {
    nn::LSTM lstm(nn::LSTMOptions(3, 4).batch_first(true));
    check_gradients(*lstm, randn({2, 3, 3}));
    check_gradients(*lstm, randn({3, 3}), randn({1, 4}), randn({1, 4}));
  }
  SUBCASE("GRU: 2 layers bidirectional batch_first with h0; unbatched") {
    nn::GRU gru(nn::GRUOptions(3, 4).num_layers(2).bidirectional(true).batch_first(true));
    check_gradients(*gru, randn({2, 3, 3}), randn({4, 2, 4}));
    check_gradients(*gru, randn({3, 3}));
  }
}

TEST_CASE("second derivatives through LSTM, GRU and tanh RNN (gradgradcheck)") {
  manual_seed(7);
  nn::LSTM lstm(2, 2);
  lstm->to(f64);
  CHECK(gradgradcheck([&](const Inputs& in) {
    auto [out, state] = lstm->forward(in[0], {in[1], in[2]});
    return out + std::get<1>(state);  // [2, 1, 2] + [1, 1, 2]
  }, {randn({2, 1, 2}, f64), randn({1, 1, 2}, f64), randn({1, 1, 2}, f64)}));
  nn::GRU gru(2, 2);
  gru->to(f64);
  CHECK(gradgradcheck([&](const Inputs& in) { return std::get<0>(gru->forward(in[0], in[1])); },
                      {randn({2, 1, 2}, f64), randn({1, 1, 2}, f64)}));
  nn::RNN rnn(2, 3);
  rnn->to(f64);
  CHECK(gradgradcheck([&](const Inputs& in) { return std::get<1>(rnn->forward(in[0])); },
                      {randn({3, 2, 2}, f64)}));
}

TEST_CASE("errors name the layer and the shapes") {
  nn::LSTM lstm(nn::LSTMOptions(3, 4).num_layers(2));
  CHECK_THROWS_WITH_AS(lstm->forward(zeros({5, 2, 7})),
                       "LSTM: expected a non-empty input of shape [seq, batch, 3] or unbatched "
                       "[seq, 3], got [5,2,7]", ShapeError);
  nn::GRU gru(nn::GRUOptions(3, 4).batch_first(true));
  CHECK_THROWS_WITH_AS(
      gru->forward(zeros({1, 2, 5, 3})),
      doctest::Contains("GRU: expected a non-empty input of shape [batch, seq, 3]"), ShapeError);
  CHECK_THROWS_WITH_AS(lstm->forward(zeros({5, 2, 3}), {zeros({1, 2, 4}), Tensor()}),
                       "LSTM: expected h0 of shape [2,2,4] for input of shape [5,2,3], got [1,2,4]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(lstm->forward(zeros({5, 3}), {Tensor(), zeros({2, 1, 4})}),
                       "LSTM: expected c0 of shape [2,4] for input of shape [5,3], got [2,1,4]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(nn::GRUCell(3, 4)->forward(zeros({2, 4})),
                       "GRUCell: expected input of shape [batch, 3] or unbatched [3], got [2,4]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(nn::RNNCell(3, 4)->forward(zeros({2, 3}), zeros({3, 4})),
                       "RNNCell: expected hx of shape [2,4] for input of shape [2,3], got [3,4]",
                       ShapeError);
  nn::Module& as_module = *lstm;
  CHECK_THROWS_WITH_AS(as_module(zeros({5, 2, 3})),
                       doctest::Contains("LSTM: forward takes (input, state)"), Error);
  CHECK_THROWS_WITH_AS(nn::RNN(nn::RNNOptions(3, 4).nonlinearity("sigmoid")),
                       "RNN: nonlinearity must be \"tanh\" or \"relu\", got \"sigmoid\"",
                       ValueError);
  CHECK_THROWS_WITH_AS(nn::LSTM(nn::LSTMOptions(3, 4).nonlinearity("relu")),
                       "LSTM: nonlinearity is an option of RNN only", ValueError);
  CHECK_THROWS_WITH_AS(nn::GRU(nn::GRUOptions(3, 4).dropout(1.5)),
                       "GRU: dropout must be in [0, 1], got 1.5", ValueError);
  CHECK_THROWS_WITH_AS(nn::LSTMCell(3, 0), "LSTMCell: hidden_size must be positive", ValueError);
}

TEST_CASE("float32 training: an LSTM and a GRU learn to repeat the previous input") {
  manual_seed(0);
  Tensor x = randn({16, 8, 1});  // batch_first: target[:, t] = x[:, t - 1]
  for (bool gru : {false, true}) {
    INFO((gru ? "GRU" : "LSTM"));
    nn::LSTM lstm(nn::LSTMOptions(1, 12).batch_first(true));
    nn::GRU gru_layer(nn::GRUOptions(1, 12).batch_first(true));
    nn::Linear head(12, 1);
    std::vector<Tensor> params = gru ? gru_layer->parameters() : lstm->parameters();
    for (const Tensor& p : head->parameters()) params.push_back(p);
    optim::Adam opt(params, optim::AdamOptions(2e-2));
    auto loss = [&] {
      Tensor out = gru ? std::get<0>(gru_layer->forward(x)) : std::get<0>(lstm->forward(x));
      return losses::mse_loss(slice(head(out), 1, 1, 8), slice(x, 1, 0, 7));
    };
    const double first = loss().item();
    for (int step = 0; step < 150; ++step) {
      opt.zero_grad();
      loss().backward();
      opt.step();
    }
    CHECK(loss().item() < 0.05 * first);
  }
}
