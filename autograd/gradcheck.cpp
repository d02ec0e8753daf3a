#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/gradcheck.hpp>
#include <tapegrad/autograd/reduction.hpp>

#include <cmath>

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
    auto g = grad({y}, wrt, {from_vector(onehot, y.shape(), y.dtype())}, true, false, true);
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
        bool both_nan = std::isnan(a) && std::isnan(numeric);
        if (both_nan || std::abs(a - numeric) <= atol + rtol * std::abs(numeric)) continue;
        if (!raise_exception) return false;
        throw AutogradError(str("gradcheck: Jacobian mismatch for output ", j, " with respect to "
                                "input ", i, " (shape ", to_string(xs[i].shape()), "), element ",
                                k, ": analytic ", a, " vs numerical ", numeric));
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
  Tensor y0;
  {
    NoGradGuard no_grad;
    y0 = f(xs);
  }
  Tensor v = randn(y0.shape(), Dtype::float64);
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
