#include <tapegrad/optim/clip_grad.hpp>

#include <algorithm>
#include <cmath>

#include <tapegrad/core/detail/impl.hpp>

namespace tg::optim {

using tg::detail::str;

// ‖x‖_p as torch.norm: p = inf max |x|, -inf min |x|, 0 the count of non-zeros.
template <class T> static double norm(const T* x, std::size_t n, double p) {
  if (std::isinf(p)) {
    double best = n == 0 ? 0 : std::abs(double(x[0]));
    for (std::size_t i = 0; i < n; ++i) {
      double a = std::abs(double(x[i]));
      if (std::isnan(a) || (p > 0 ? a > best : a < best)) best = a;  // NaN wins, as in torch
    }
    return best;
  }
  double sum = 0;
  if (p == 0) {
    for (std::size_t i = 0; i < n; ++i) sum += x[i] != 0;
    return sum;
  }
  if (p == 2) {
    for (std::size_t i = 0; i < n; ++i) sum += double(x[i]) * double(x[i]);
    return std::sqrt(sum);
  }
  for (std::size_t i = 0; i < n; ++i) sum += std::pow(std::abs(double(x[i])), p);
  return std::pow(sum, 1 / p);
}

// Calls f(T* data, n) for each defined gradient (modifying it changes the gradient).
template <class F> static void for_each_grad(const std::vector<Tensor>& parameters, F&& f) {
  for (const Tensor& p : parameters) {
    if (!p.defined() || !p.grad().defined()) continue;
    tg::detail::visit_mutable(p.grad(), "clip_grad", [&](auto& g) { f(g.data(), g.size()); });
  }
}

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<double> norms;
  for_each_grad(parameters,
                [&](auto* g, std::size_t n) { norms.push_back(norm(g, n, norm_type)); });
  if (norms.empty()) return 0;
  double total = norm(norms.data(), norms.size(), norm_type);
  if (error_if_nonfinite && !std::isfinite(total))
    throw ValueError(str("clip_grad_norm_: the total norm of order ", norm_type,
                         " of the gradients is ", total, ", so they cannot be clipped; pass "
                         "error_if_nonfinite=false to scale them by it anyway"));
  double coef = std::min(max_norm / (total + 1e-6), 1.0);
  for_each_grad(parameters, [&](auto* g, std::size_t n) {
    using T = std::remove_pointer_t<decltype(g)>;
    for (std::size_t i = 0; i < n; ++i) g[i] *= T(coef);
  });
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  for_each_grad(parameters, [&](auto* g, std::size_t n) {
    using T = std::remove_pointer_t<decltype(g)>;
    const T hi = T(clip_value), lo = -hi;
    for (std::size_t i = 0; i < n; ++i) g[i] = std::min(std::max(g[i], lo), hi);
  });
}

}  // namespace tg::optim
