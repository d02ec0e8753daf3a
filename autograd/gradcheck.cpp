#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/gradcheck.hpp>
#include <tapegrad/autograd/graph.hpp>
#include <tapegrad/autograd/reduction.hpp>

#include <cmath>
#include <numeric>

namespace tg::autograd {

namespace {

// float64 leaves; those to check require grad.
std::vector<Tensor> prepare(const std::vector<Tensor>& inputs, std::vector<std::size_t>& checked) {
  bool any = false;
  for (const Tensor& t : inputs) any = any || t.requires_grad();
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    Tensor x = inputs[i].detach().to(Dtype::float64).clone();
    if (!any || inputs[i].requires_grad()) {
      x.set_requires_grad(true);
      checked.push_back(i);
    }
    out.push_back(x);
  }
  return out;
}

std::vector<double> evaluate(const Function& f, const std::vector<Tensor>& xs) {
  NoGradGuard no_grad;
  return to_vector(f(xs).to(Dtype::float64));
}

bool close(double analytic, double numeric, double atol, double rtol) {
  return (std::isnan(analytic) && std::isnan(numeric)) ||
         std::abs(analytic - numeric) <= atol + rtol * std::abs(numeric);
}

struct ProbeGuard {  // installs a forward probe for one scope
  explicit ProbeGuard(detail::ForwardProbe* probe) { detail::forward_probe = probe; }
  ~ProbeGuard() { detail::forward_probe = nullptr; }
};

// Finds the op whose backward is wrong. For L = <f(x), v> it compares dL/dt for every
// intermediate result t (what backward delivers to t's node) with finite differences obtained
// by perturbing t itself during a re-run of f. Walking the tape from the output back, the first
// t whose gradient is wrong received it from its consumers, whose own gradients are right: one
// of those consumers' backward is the culprit. When every t is right, the culprit reads the
// input whose gradient was wrong directly.
std::string locate_fault(const Function& f, const std::vector<Tensor>& xs, std::size_t input,
                         double eps, double atol, double rtol) {
  std::vector<std::shared_ptr<Node>> order;  // recorded ops of one run, in tape order
  Tensor y;
  {
    detail::ForwardProbe collect = [&](Tensor& out) { order.push_back(out.grad_fn()); };
    ProbeGuard probe(&collect);
    y = f(xs);
  }
  Tensor v = randn(y.shape(), Dtype::float64);
  GradientRecorder analytic;  // dL/d(output of node)
  y.backward(v, true);
  const std::vector<double> weights = to_vector(v);
  auto loss = [&](std::size_t k, std::size_t j, double delta) {
    std::size_t count = 0;
    detail::ForwardProbe nudge = [&](Tensor& out) {
      if (count++ != k) return;
      out = map(out, [&](const auto& a) {
        auto copy = a;
        copy.data()[j] += delta;
        return copy;
      });
    };
    ProbeGuard probe(&nudge);
    const std::vector<double> values = to_vector(f(xs).to(Dtype::float64));
    return std::inner_product(values.begin(), values.end(), weights.begin(), 0.0);
  };
  // The ops on the output's graph that read `is_input` (a node or the checked input).
  auto consumers = [&](auto is_input) {
    std::string names;
    for (const auto& n : order) {
      if (!analytic.grad_of(n.get()).defined()) continue;
      for (const Edge& e : n->inputs())
        if (is_input(e)) {
          names += str(names.empty() ? "" : ", ", n->name(), " (op #", n->sequence_nr(), ")");
          break;
        }
    }
    return names;
  };
  for (std::size_t k = order.size(); k-- > 0;) {
    const Node* node = order[k].get();
    const Tensor grad = analytic.grad_of(node);
    const std::vector<double> expected = grad.defined() ? to_vector(grad) : std::vector<double>();
    for (std::size_t j = 0; j < expected.size(); ++j) {
      double numeric = (loss(k, j, eps) - loss(k, j, -eps)) / (2 * eps);
      if (close(expected[j], numeric, atol, rtol)) continue;
      return str("; the gradient reaching the output of ", node->name(), " (op #",
                 node->sequence_nr(), ") is already wrong: the first backward to disagree with "
                 "finite differences is that of ",
                 consumers([&](const Edge& e) { return e.fn.get() == node; }));
    }
  }
  const TensorImpl* leaf = xs[input].impl();
  return str("; every intermediate gradient agrees with finite differences: the first backward "
             "to disagree is that of ",
             consumers([&](const Edge& e) { return e.leaf.lock().get() == leaf; }),
             ", which reads input ", input, " directly");
}

}  // namespace

bool gradcheck(const Function& f, const std::vector<Tensor>& inputs, double eps, double atol,
               double rtol, bool raise_exception) {
  std::vector<std::size_t> checked;
  std::vector<Tensor> xs = prepare(inputs, checked);
  Tensor y = f(xs);
  const std::size_t m = y.numel();
  // analytic[i][j * n_i + k] = d y_j / d x_i[k], one backward per output element.
  std::vector<std::vector<double>> analytic(checked.size());
  for (std::size_t j = 0; j < m; ++j) {
    std::vector<double> onehot(m, 0.0);
    onehot[j] = 1;
    std::vector<Tensor> wrt;
    for (auto i : checked) wrt.push_back(xs[i]);
    // An output that does not depend on any checked input has a zero Jacobian.
    auto g = y.requires_grad()
                 ? grad({y}, wrt, {from_vector(onehot, y.shape(), y.dtype())}, true, false, true)
                 : std::vector<Tensor>(wrt.size());
    for (std::size_t c = 0; c < checked.size(); ++c) {
      std::size_t n = xs[checked[c]].numel();
      std::vector<double> row = g[c].defined() ? to_vector(g[c]) : std::vector<double>(n, 0.0);
      analytic[c].insert(analytic[c].end(), row.begin(), row.end());
    }
  }
  for (std::size_t c = 0; c < checked.size(); ++c) {
    const std::size_t i = checked[c];
    auto& values = xs[i].mutable_value<double>();
    const std::size_t n = values.size();
    for (std::size_t k = 0; k < n; ++k) {
      const double orig = values.data()[k];
      values.data()[k] = orig + eps;
      auto plus = evaluate(f, xs);
      values.data()[k] = orig - eps;
      auto minus = evaluate(f, xs);
      values.data()[k] = orig;
      for (std::size_t j = 0; j < m; ++j) {
        double numeric = (plus[j] - minus[j]) / (2 * eps);
        double a = analytic[c][j * n + k];
        if (close(a, numeric, atol, rtol)) continue;
        if (!raise_exception) return false;
        throw AutogradError(str("gradcheck: Jacobian mismatch for output ", j, " with respect to "
                                "input ", i, " (shape ", to_string(xs[i].shape()), "), element ",
                                k, ": analytic ", a, " vs numerical ", numeric,
                                locate_fault(f, xs, i, eps, atol, rtol)));
      }
    }
  }
  return true;
}

bool gradgradcheck(const Function& f, const std::vector<Tensor>& inputs, double eps, double atol,
                   double rtol, bool raise_exception) {
  // The gradient of <f(x), v> for a fixed random v, projected on fixed random weights w_i:
  // a scalar whose gradient is a (Hessian-vector) product through every second derivative.
  std::vector<std::size_t> checked;
  std::vector<Tensor> xs = prepare(inputs, checked);
  const Shape out_shape = [&] {
    NoGradGuard no_grad;
    return f(xs).shape();
  }();
  Tensor v = randn(out_shape, Dtype::float64);
  std::vector<Tensor> w;
  for (auto i : checked) w.push_back(randn(xs[i].shape(), Dtype::float64));
  // Inside gradcheck's finite differences grad mode is off; the inner backward needs it on.
  Function first = [&](const std::vector<Tensor>& x) {
    EnableGradGuard enable;
    std::vector<Tensor> wrt;
    for (auto i : checked) wrt.push_back(x[i]);
    auto g = grad({f(x)}, wrt, {v}, true, true, true);
    Tensor total = zeros({}, Dtype::float64);
    for (std::size_t c = 0; c < g.size(); ++c)
      if (g[c].defined()) total = total + sum(g[c] * w[c]);
    return total;
  };
  return gradcheck(first, xs, eps, atol, rtol, raise_exception);
}

}  // namespace tg::autograd
