// CTC loss (Graves et al. 2006) as PyTorch computes it, in double. A target l of length L is
// extended with blanks, l' = (blank, l_1, blank, ..., l_L, blank), and the alignments of l' to
// the T steps are summed in log space by the forward recursion
//   alpha[t][s] = lp[t][l'_s] + log Σ_k exp(alpha[t-1][s-k]),  k = 0, 1, and 2 if l'_s != l'_{s-2},
//   alpha[0][s] = lp[0][l'_s] for s < 2,
//   -log p(l) = -log(exp(alpha[T-1][2L]) + exp(alpha[T-1][2L-1])).
// beta is the same recursion run backwards (in time and along l'). PyTorch's gradient is
//   d/dlp[t][c] = exp(lp[t][c]) - Σ_{s: l'_s = c} exp(alpha[t][s] + beta[t][s] - lp[t][c]) / p:
// the true derivative plus exp(lp), the softmax term of the gradient through a log_softmax; it
// cancels after one (the posterior term sums to 1 over c at every t) but shows for raw inputs.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/losses/classification.hpp>

#include <cmath>
#include <limits>

namespace tg::losses {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
double log_add(double a, double b) {  // log(exp(a) + exp(b)), -inf + -inf included
  if (a < b) std::swap(a, b);
  return b == -inf ? a : a + std::log1p(std::exp(b - a));
}

// alpha [steps][l'.size()] of lp (lp(t, c) = lp[t][c]) or, backwards, beta.
template <class LogProbs>
std::vector<double> lattice(const LogProbs& lp, std::size_t steps,
                            const std::vector<std::size_t>& ext, bool backwards) {
  const std::size_t width = ext.size();
  std::vector<double> a(steps * width, -inf);
  for (std::size_t i = 0; i < steps; ++i) {
    const std::size_t t = backwards ? steps - 1 - i : i;
    const double* prev = i == 0 ? nullptr : a.data() + (backwards ? t + 1 : t - 1) * width;
    for (std::size_t j = 0; j < width; ++j) {
      const std::size_t s = backwards ? width - 1 - j : j;
      auto before = [&](std::size_t k) { return backwards ? s + k : s - k; };  // k back along l'
      double sum = i > 0 ? prev[s] : j < 2 ? 0 : -inf;
      if (i > 0 && j > 0) sum = log_add(sum, prev[before(1)]);
      if (i > 0 && j > 1 && ext[s] != ext[before(2)]) sum = log_add(sum, prev[before(2)]);
      a[t * width + s] = sum + lp(t, ext[s]);
    }
  }
  return a;
}

// The CTC problems of a batch over log-probabilities [T, N, C].
struct Batch {
  std::size_t batch, classes;
  std::vector<std::vector<std::size_t>> extended;  // l' of each sequence
  std::vector<std::size_t> steps;                  // its input length
  bool zero_infinity;

  // -log p(l_n) of each sequence; with grad (zeros, [T, N, C]), also PyTorch's d/dlp.
  std::vector<double> solve(const std::vector<double>& log_probs,
                            std::vector<double>* grad) const {
    std::vector<double> nll(batch);
    for (std::size_t n = 0; n < batch; ++n) {
      const std::vector<std::size_t>& ext = extended[n];
      const std::size_t steps_n = steps[n], width = ext.size();
      auto lp = [&](std::size_t t, std::size_t c) {
        return log_probs[(t * batch + n) * classes + c];
      };
      std::vector<double> alpha = lattice(lp, steps_n, ext, false);
      auto end = [&](std::size_t s) { return alpha[(steps_n - 1) * width + s]; };  // alpha[T-1][s]
      nll[n] = steps_n == 0 ? (width == 1 ? 0 : inf)  // (as PyTorch 2)
                            : -log_add(end(width - 1), width > 1 ? end(width - 2) : -inf);
      if (zero_infinity && nll[n] == inf) nll[n] = 0;  // and the gradient stays 0
      else if (grad) {
        std::vector<double> beta = lattice(lp, steps_n, ext, true),
                            collected(steps_n * classes, -inf);
        for (std::size_t t = 0; t < steps_n; ++t)
          for (std::size_t s = 0; s < width; ++s) {
            double& c = collected[t * classes + ext[s]];
            c = log_add(c, alpha[t * width + s] + beta[t * width + s]);
          }
        for (std::size_t t = 0; t < steps_n; ++t)
          for (std::size_t c = 0; c < classes; ++c)
            (*grad)[(t * batch + n) * classes + c] =
                std::exp(lp(t, c)) - std::exp(collected[t * classes + c] + nll[n] - lp(t, c));
      }
    }
    return nll;
  }
};

}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, const CTCOptions& options) {
  const Shape shape = log_probs.shape();
  const bool batched = shape.size() == 3, padded = targets.ndim() == 2;
  const std::size_t steps = shape.empty() ? 0 : shape[0], batch = batched ? shape[1] : 1;
  auto shapes = [&] {
    return str("log_probs ", to_string(shape), ", targets ", to_string(targets.shape()),
               ", input_lengths ", to_string(input_lengths.shape()), " and target_lengths ",
               to_string(target_lengths.shape()));
  };
  const std::vector<double> inputs = to_vector(input_lengths), lengths = to_vector(target_lengths),
                            labels = to_vector(targets);
  if ((!batched && shape.size() != 2) || (!padded && targets.ndim() != 1) ||
      (padded && targets.size(0) != batch) || inputs.size() != batch || lengths.size() != batch)
    throw ShapeError(str("ctc_loss: expected log_probs [T, N, C] (or [T, C]), targets [N, S] or "
                         "1-D and N input and target lengths, got ", shapes()));
  const std::size_t classes = shape.back(), width = padded ? targets.size(1) : labels.size();
  const long blank = options.blank();
  if (blank < 0 || blank >= long(classes))
    throw ValueError(str("ctc_loss: blank ", blank, " is not a class of ", shapes()));
  auto whole = [&](double v, double max, const char* what, std::size_t n) {
    if (!(v >= 0 && v <= max && v == std::floor(v)))
      throw ValueError(str("ctc_loss: ", what, " ", v, " of sequence ", n,
                           " is not an integer in [0, ", max, "] for ", shapes()));
    return std::size_t(v);
  };
  Batch problems{batch, classes, {}, {}, options.zero_infinity()};
  std::size_t offset = 0;  // of target n in concatenated targets
  for (std::size_t n = 0; n < batch; ++n) {
    problems.steps.push_back(whole(inputs[n], double(steps), "input length", n));
    const std::size_t length =
        whole(lengths[n], double(padded ? width : width - offset), "target length", n);
    std::vector<std::size_t>& ext =
        problems.extended.emplace_back(2 * length + 1, std::size_t(blank));
    for (std::size_t i = 0; i < length; ++i)
      ext[2 * i + 1] = whole(labels[(padded ? n * width : offset) + i], double(classes - 1),
                             "target", n);
    offset += length;
  }
  if (!padded && offset != width)
    throw ShapeError(str("ctc_loss: target_lengths add up to ", offset, ", but the concatenated ",
                         "targets hold ", width, " labels, for ", shapes()));

  const Tensor x = batched ? log_probs : reshape(log_probs, {std::ptrdiff_t(steps), 1, -1});
  Tensor nll = from_vector(problems.solve(to_vector(x), nullptr), {batch}, x.dtype());
  nll = record_op("ctc_loss", nll, {x}, [problems = std::move(problems)](const BackwardContext& c) {
    const Tensor& x = c.saved[0];
    std::vector<double> grad(x.numel(), 0.0);
    problems.solve(to_vector(x), &grad);
    return Grads{from_vector(grad, x.shape(), x.dtype()) * reshape(c.grad, {1, -1, 1})};
  }, {x});
  if (options.reduction() == Reduction::mean)
    return mean(nll / clamp(from_vector(lengths, {batch}, nll.dtype()), 1.0, std::nullopt));
  Tensor loss = reduce(nll, options.reduction(), "ctc_loss");
  return batched || options.reduction() != Reduction::none ? loss : reshape(loss, {});
}

}  // namespace tg::losses
