#include "session.hpp"

#include "json.hpp"
#include "toy_data.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <numeric>
#include <sstream>
#include <tuple>
#include <unordered_map>

namespace playground {

using tg::Tensor;
namespace losses = tg::losses;

// ---------------------------------------------------------------- settings
namespace detail {

static std::string to_text(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

double number(const std::string& name, const char* text, double lo, double hi) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v))
    throw BadRequest(name + ": '" + text + "' is not a number");
  if (v < lo || v > hi)
    throw BadRequest(name + " = " + text + " is out of range [" + to_text(lo) + ", " +
                     to_text(hi) + "]");
  return v;
}

std::string choice(const std::string& name, const char* text,
                   const std::vector<std::string>& options) {
  for (const auto& o : options)
    if (o == text) return o;
  std::string all;
  for (const auto& o : options) all += (all.empty() ? "" : ", ") + o;
  throw BadRequest(name + ": '" + text + "' is not one of " + all);
}

// "8,8" -> {8, 8}; "" -> {} (a linear model).
std::vector<int> layers(const char* text) {
  std::vector<int> widths;
  std::string s = text;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = std::min(s.find(',', start), s.size());
    std::string item = s.substr(start, end - start);
    widths.push_back(int(number("hidden", item.c_str(), 1, 1e6)));
    if (item.find('.') != std::string::npos) throw BadRequest("hidden: widths are whole numbers");
    start = end + 1;
  }
  if (widths.size() > 6)
    throw Refused("hidden: " + std::to_string(widths.size()) +
                  " hidden layers is too large for interactive use (at most 6)");
  std::size_t params = 0, in = 2;
  for (int w : widths) params += (in + 1) * w, in = w;
  params += in + 1;
  if (params > 5000)
    throw Refused("hidden: " + std::string(text) + " has " + std::to_string(params) +
                  " parameters, too large for interactive use (at most 5000)");
  return widths;
}

}  // namespace detail

// ---------------------------------------------------------------- data and model
namespace {

// The engine's backward trace is one per process, read by every backward: while one run traces
// its backward, no other run may run one (they would call into its trace from their thread).
std::mutex backward_mutex;

Tensor column(const Tensor& y) { return tg::reshape(y, {-1, 1}); }

Tensor rows(const Tensor& x, const std::vector<std::size_t>& idx) {
  return tg::index_select(x, 0, tg::from_vector(std::vector<double>(idx.begin(), idx.end()),
                                                {idx.size()}));
}

std::shared_ptr<tg::nn::Module> activation(const std::string& name) {
  if (name == "relu") return std::make_shared<tg::nn::ReLUImpl>();
  if (name == "sigmoid") return std::make_shared<tg::nn::SigmoidImpl>();
  if (name == "leaky_relu") return std::make_shared<tg::nn::LeakyReLUImpl>(0.1);
  return std::make_shared<tg::nn::TanhImpl>();
}

}  // namespace

Session::Session(const Config& c) : config_(c), rng_(c.seed) {
  std::pair<Tensor, Tensor> d;
  std::size_t n = c.samples;
  if (c.dataset == "moons") d = make_moons(n, c.noise, c.seed);
  else if (c.dataset == "circles") d = make_circles(n, c.noise, 0.5, c.seed);
  else if (c.dataset == "spirals") d = make_spirals(n, 2, c.noise, c.seed);
  else if (c.dataset == "xor") d = make_xor(n, c.noise, c.seed);
  else {  // the classic line: y = 3x + 2 + noise, x uniform in [-1, 1]
    std::uniform_real_distribution<double> u(-1, 1);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> xs(n), ys(n);
    for (std::size_t i = 0; i < n; ++i) xs[i] = u(rng_), ys[i] = 3 * xs[i] + 2 + c.noise * g(rng_);
    d = {tg::from_vector(xs, {n, 1}), tg::from_vector(ys, {n})};
  }
  std::size_t n_test = std::max<std::size_t>(1, std::size_t(std::lround(n * c.test_fraction)));
  std::size_t n_train = n - n_test;
  std::vector<std::size_t> train(n_train), test(n_test);
  std::iota(train.begin(), train.end(), 0);
  std::iota(test.begin(), test.end(), n_train);
  x_train_ = rows(d.first, train), y_train_ = column(rows(d.second, train));
  x_test_ = rows(d.first, test), y_test_ = column(rows(d.second, test));

  // The plotted area: the data's bounding box with a margin (regression: x, then y).
  std::vector<double> xs = tg::to_vector(d.first), ys = tg::to_vector(d.second);
  std::size_t dims = c.regression() ? 1 : 2;
  for (std::size_t k = 0; k < 2; ++k) lo_[k] = 1e300, hi_[k] = -1e300;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 2; ++k) {
      double v = (dims == 2 || k == 0) ? xs[i * dims + k] : ys[i];
      lo_[k] = std::min(lo_[k], v), hi_[k] = std::max(hi_[k], v);
    }
  for (std::size_t k = 0; k < 2; ++k) {
    double m = 0.1 * (hi_[k] - lo_[k]) + 1e-3;
    lo_[k] -= m, hi_[k] += m;
  }

  tg::manual_seed(c.seed);  // the caller serialises construction (one global generator)
  model_ = std::make_shared<tg::nn::SequentialImpl>();
  std::size_t in = dims;
  for (int w : c.hidden) {
    model_->push_back(tg::nn::Linear(in, w));
    model_->push_back(activation(c.activation));
    in = w;
  }
  model_->push_back(tg::nn::Linear(in, 1));
  if (c.optimizer == "adam")
    optimizer_ = std::make_unique<tg::optim::Adam>(
        model_->parameters(), tg::optim::AdamOptions(c.lr));
  else
    optimizer_ = std::make_unique<tg::optim::SGD>(
        model_->parameters(), tg::optim::SGDOptions(c.lr).momentum(
                                  c.optimizer == "momentum" ? 0.9 : 0.0));
}

std::size_t Session::parameter_count() const {
  std::size_t n = 0;
  for (const Tensor& p : model_->parameters()) n += p.numel();
  return n;
}

Tensor Session::output(const Tensor& x) { return (*model_)(x); }

// Classification: the model outputs a score s (a logit). MSE and BCE compare the probability
// ŷ = σ(s) with the label; hinge and focal take the score itself.
Tensor Session::prediction(const Tensor& out) const {
  if (!config_.regression() && (config_.loss == "mse" || config_.loss == "bce"))
    return tg::sigmoid(out);
  return out;
}

Tensor Session::loss(const Tensor& yhat, const Tensor& y) const {
  const std::string& l = config_.loss;
  if (config_.regression()) {
    if (l == "l1") return losses::l1_loss(yhat, y);
    if (l == "huber") return losses::huber_loss(yhat, y, losses::Reduction::mean, 1.0);
    return losses::mse_loss(yhat, y);
  }
  if (l == "bce") return losses::binary_cross_entropy(yhat, y);
  if (l == "hinge") return tg::mean(tg::relu(1.0 - (2.0 * y - 1.0) * yhat));  // labels ±1
  if (l == "focal") return losses::sigmoid_focal_loss(yhat, y, 0.25, 2.0, losses::Reduction::mean);
  return losses::mse_loss(yhat, y);
}

// What training minimises: the loss plus, with L2 weight decay λ, the penalty (λ/2)·Σ p² over
// every parameter — written into the graph (not hidden in the optimizer), so its gradient λ·p
// shows on the tape: each parameter then feeds two ops, and backward sums both (fan-in).
// For SGD and Adam this is exactly their weight_decay option.
Tensor Session::objective(const Tensor& yhat, const Tensor& y) const {
  Tensor l = loss(yhat, y);
  if (config_.l2 == 0) return l;
  Tensor penalty;
  for (const Tensor& p : model_->parameters()) {
    Tensor s = tg::sum(tg::square(p));
    penalty = penalty.defined() ? penalty + s : s;
  }
  return l + (0.5 * config_.l2) * penalty;
}

std::vector<std::size_t> Session::next_batch() {
  std::size_t n = x_train_.shape()[0], b = std::min<std::size_t>(config_.batch, n);
  if (order_.empty() || cursor_ + b > n) {  // a new epoch: reshuffle
    if (!order_.empty()) ++epoch_;
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), 0);
    std::shuffle(order_.begin(), order_.end(), rng_);
    cursor_ = 0;
  }
  std::vector<std::size_t> idx(order_.begin() + cursor_, order_.begin() + cursor_ + b);
  cursor_ += b;
  return idx;
}

bool Session::train(int steps) {
  if (diverged_) return false;
  std::lock_guard<std::mutex> lock(backward_mutex);
  auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    std::vector<std::size_t> idx = next_batch();
    Tensor x = rows(x_train_, idx), y = rows(y_train_, idx);
    optimizer_->zero_grad();
    Tensor l = objective(prediction(output(x)), y);
    last_batch_loss_ = l.item();
    if (!std::isfinite(last_batch_loss_)) return !(diverged_ = true);
    l.backward();
    optimizer_->step();
    ++step_;
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (steps > 0) ms_per_step_ = ms / steps;
  return true;
}

double Session::evaluate(const Tensor& x, const Tensor& y) {
  tg::NoGradGuard no_grad;
  try {
    return loss(prediction(output(x)), y).item();
  } catch (const tg::Error&) {  // e.g. BCE of a NaN probability after divergence
    return NAN;
  }
}

void Session::write_status(Json& j) {
  j.key("step").value(step_).key("epoch").value(epoch_);
  j.key("train_loss").value(evaluate(x_train_, y_train_));
  j.key("test_loss").value(evaluate(x_test_, y_test_));
  j.key("batch_loss").value(last_batch_loss_);
  j.key("ms_per_step").value(ms_per_step_, 3);
  j.key("diverged").value(diverged_);
}

void Session::write_data(Json& j) {
  j.key("regression").value(config_.regression());
  j.key("parameters").value(parameter_count());
  j.key("area").begin_array().value(lo_[0]).value(hi_[0]).value(lo_[1]).value(hi_[1]).end_array();
  j.key("train").begin_object().key("x").numbers(tg::to_vector(x_train_))
      .key("y").numbers(tg::to_vector(y_train_)).end_object();
  j.key("test").begin_object().key("x").numbers(tg::to_vector(x_test_))
      .key("y").numbers(tg::to_vector(y_test_)).end_object();
}

void Session::write_view(Json& j) {
  tg::NoGradGuard no_grad;
  // Grid points: 2-D row by row from the top (y = hi) down; regression: x from lo to hi.
  const std::size_t g = config_.regression() ? 100 : 40;
  std::vector<double> pts;
  for (std::size_t r = 0; r < (config_.regression() ? 1 : g); ++r)
    for (std::size_t c = 0; c < g; ++c) {
      pts.push_back(lo_[0] + (hi_[0] - lo_[0]) * c / (g - 1));
      if (!config_.regression()) pts.push_back(hi_[1] - (hi_[1] - lo_[1]) * r / (g - 1));
    }
  std::size_t n = config_.regression() ? g : g * g, dims = config_.regression() ? 1 : 2;
  Tensor h = tg::from_vector(pts, {n, dims});
  j.key("grid").value(g);
  j.key("neurons").begin_array();  // per hidden layer, per neuron: its output on the grid
  for (const auto& m : *model_) {  // (2-D: every other grid point, a 20x20 map)
    h = (*m)(h);
    if (m->type_name() == "Linear") continue;
    std::vector<double> v = tg::to_vector(h);
    std::size_t width = h.shape()[1];
    j.begin_array();
    for (std::size_t k = 0; k < width; ++k) {
      std::vector<double> map;
      for (std::size_t i = 0; i < n; ++i)
        if (config_.regression() || ((i / g) % 2 == 0 && (i % g) % 2 == 0))
          map.push_back(v[i * width + k]);
      j.numbers(map, 3);
    }
    j.end_array();
  }
  j.end_array();
  Tensor out = config_.regression() ? h : tg::sigmoid(h);  // colour: P(class 1) or σ(score)
  j.key("output").numbers(tg::to_vector(out), 3);
  j.key("layers").begin_array();
  for (const auto& m : *model_) {
    if (m->type_name() != "Linear") continue;
    auto& lin = static_cast<tg::nn::LinearImpl&>(*m);
    j.begin_object().key("in").value(lin.options.in_features()).key("out").value(lin.options.out_features());
    j.key("weight").numbers(tg::to_vector(lin.weight), 3);
    j.key("bias").numbers(tg::to_vector(lin.bias), 3).end_object();
  }
  j.end_array();
}

// ---------------------------------------------------------------- one traced backward
namespace {

struct Event {
  const tg::Node* node;
  Tensor grad;
  std::vector<Tensor> input_grads;
};

const char* kind_name(tg::autograd::GraphNode::Kind k) {
  using K = tg::autograd::GraphNode::Kind;
  return k == K::op ? "op" : k == K::parameter ? "parameter" : k == K::leaf ? "leaf" : "constant";
}

void tensor_info(Json& j, const char* key, const Tensor& t) {
  if (t.defined()) j.key(key).value(tg::autograd::summarize(t, 8));
}

}  // namespace

void Session::write_backward(Json& j, int sample) {
  std::size_t n_train = x_train_.shape()[0];
  if (sample >= int(n_train))
    throw BadRequest("sample: " + std::to_string(sample) + " is out of range [0, " +
                     std::to_string(n_train - 1) + "] (or -1 for the next batch)");
  std::vector<std::size_t> idx;
  if (sample >= 0) {
    idx = {std::size_t(sample)};
  } else {  // the batch the next step will use, without consuming it
    auto saved_order = order_;
    auto saved = std::make_tuple(cursor_, epoch_);
    std::mt19937 saved_rng = rng_;
    idx = next_batch();
    order_ = saved_order, std::tie(cursor_, epoch_) = saved, rng_ = saved_rng;
  }
  Tensor x = rows(x_train_, idx).set_name("x"), y = rows(y_train_, idx).set_name("y");
  model_->zero_grad();
  std::vector<Tensor> outputs;  // every module's output: the graph shows their values
  Tensor h = x;
  for (const auto& m : *model_) outputs.push_back(h = (*m)(h));
  Tensor yhat = prediction(h);
  yhat.retain_grad();
  outputs.push_back(yhat);
  Tensor data_loss = loss(yhat, y);
  Tensor l = objective(yhat, y);

  std::vector<Event> events;
  std::vector<tg::autograd::GraphNode> nodes;  // op nodes with the gradient that reached them
  {
    std::lock_guard<std::mutex> lock(backward_mutex);
    tg::autograd::GradientRecorder recorder([&](const tg::autograd::TraceEvent& e) {
      events.push_back({&e.node, e.grad, e.input_grads});
    });
    l.backward({}, true);
    nodes = tg::autograd::graph(
        l, tg::autograd::DotOptions().with_outputs(outputs).with_recorded(recorder));
  }
  std::unordered_map<const tg::Node*, std::size_t> index;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].node) index[nodes[i].node] = i;

  j.key("samples").numbers(std::vector<double>(idx.begin(), idx.end()));
  j.key("nodes").begin_array();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& g = nodes[i];
    j.begin_object().key("kind").value(kind_name(g.kind)).key("label").value(g.label);
    j.key("shape").value(tg::to_string(g.shape));
    if (g.op_index >= 0) j.key("op").value(g.op_index);
    tensor_info(j, "value", g.value);
    tensor_info(j, "grad", g.grad);
    j.key("inputs").numbers(std::vector<double>(g.inputs.begin(), g.inputs.end()));
    j.end_object();
  }
  j.end_array();

  // The events in the order the engine ran them; at fan-in a node's gradient is the sum of
  // what its consumers passed: `acc` is that running sum, `count` the contributions so far.
  std::unordered_map<std::size_t, std::pair<Tensor, int>> acc;
  j.key("events").begin_array();
  for (const Event& e : events) {
    std::size_t self = index.at(e.node);
    j.begin_object().key("node").value(self);
    tensor_info(j, "grad", e.grad);
    j.key("inputs").begin_array();
    for (std::size_t k = 0; k < e.input_grads.size(); ++k) {
      std::size_t to = nodes[self].inputs[k];
      j.begin_object().key("to").value(to);
      if (e.input_grads[k].defined()) {
        auto& [sum, count] = acc[to];
        sum = sum.defined() ? sum + e.input_grads[k] : e.input_grads[k];
        ++count;
        tensor_info(j, "grad", e.input_grads[k]);
        tensor_info(j, "acc", sum);
        j.key("count").value(count);
      }
      j.end_object();
    }
    j.end_array().end_object();
  }
  j.end_array();

  // The loss: its formula and the gradient derived by hand next to autograd's.
  tg::NoGradGuard no_grad;
  Tensor p = yhat.detach(), n = tg::scalar(double(p.numel()));
  Tensor t = 2.0 * y - 1.0;  // ±1 labels (hinge)
  const std::string& name = config_.loss;
  std::string formula, hand_formula;
  Tensor hand;
  if (name == "mse") {
    formula = "L = mean((ŷ − y)²)", hand_formula = "dL/dŷ = 2(ŷ − y)/n";
    hand = 2.0 * (p - y) / n;
  } else if (name == "bce") {
    formula = "L = −mean(y log ŷ + (1 − y) log(1 − ŷ))";
    hand_formula = "dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ)) / n";
    hand = (p - y) / (p * (1.0 - p)) / n;
  } else if (name == "hinge") {
    formula = "L = mean(max(0, 1 − t·ŷ)), t = 2y − 1", hand_formula = "dL/dŷ = −t·[t·ŷ < 1] / n";
    hand = -t * tg::lt(t * p, tg::scalar(1.0)) / n;
  } else if (name == "l1") {
    formula = "L = mean(|ŷ − y|)", hand_formula = "dL/dŷ = sign(ŷ − y) / n";
    hand = tg::sign(p - y) / n;
  } else if (name == "huber") {
    formula = "L = mean(½d² if |d| < 1 else |d| − ½), d = ŷ − y";
    hand_formula = "dL/dŷ = clamp(ŷ − y, −1, 1) / n";
    hand = tg::clamp(p - y, -1.0, 1.0) / n;
  } else {
    formula = "L = mean(−α_t (1 − p_t)^γ log p_t), p = σ(ŷ), α = 0.25, γ = 2";
    hand_formula = "(long by hand: autograd only)";
  }
  j.key("loss").begin_object().key("name").value(name).key("value").value(data_loss.item());
  if (config_.l2 > 0) j.key("objective").value(l.item()).key("l2").value(config_.l2);
  j.key("formula").value(formula).key("hand_formula").value(hand_formula);
  j.key("prediction").value(config_.regression() || name == "hinge" || name == "focal"
                                ? "ŷ = model output" : "ŷ = σ(model output)");
  j.key("yhat_node").value(yhat.grad_fn() ? long(index.at(yhat.grad_fn().get())) : -1L);
  tensor_info(j, "yhat", p);
  tensor_info(j, "y", y);
  tensor_info(j, "autograd", yhat.grad());
  tensor_info(j, "hand", hand);
  if (hand.defined())
    j.key("max_difference").value(tg::max(tg::abs(hand - yhat.grad())).item());
  j.end_object();
  model_->zero_grad();
}

}  // namespace playground
