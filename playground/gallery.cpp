#include "gallery.hpp"

#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>

namespace playground {

namespace {

using tg::Tensor;
using tg::losses::Reduction;

// Elementwise loss over a grid of predictions; one backward of the sum gives every derivative
// at once (each loss term depends on its own prediction only).
LossCurve curve(std::string name, std::string formula, std::string axis, std::string when,
                double target, double lo, double hi, int points,
                const std::function<Tensor(const Tensor&, const Tensor&)>& loss) {
  LossCurve c{std::move(name), std::move(formula), std::move(axis), std::move(when), target,
              {}, {}, {}};
  Tensor pred = tg::linspace(lo, hi, points, tg::Dtype::float64).set_requires_grad();
  Tensor t = tg::full({std::size_t(points)}, target, tg::Dtype::float64);
  Tensor l = loss(pred, t);
  tg::sum(l).backward();
  c.prediction = tg::to_vector(pred);
  c.loss = tg::to_vector(l);
  c.derivative = tg::to_vector(pred.grad());
  return c;
}

}  // namespace

std::vector<LossCurve> loss_gallery(int points) {
  using namespace tg::losses;
  std::vector<LossCurve> g;
  g.push_back(curve("MSE", "(ŷ − y)²", "prediction ŷ", "Regression with Gaussian noise: "
                    "big errors cost a lot, so outliers pull hard.", 1, -1, 3, points,
                    [](auto& p, auto& t) { return mse_loss(p, t, Reduction::none); }));
  g.push_back(curve("L1", "|ŷ − y|", "prediction ŷ", "Regression with outliers: constant "
                    "pull, fits the median; gradient does not shrink near the answer.", 1, -1, 3,
                    points, [](auto& p, auto& t) { return l1_loss(p, t, Reduction::none); }));
  g.push_back(curve("Huber (δ=1)", "½d² if |d|<δ else δ(|d|−½δ)", "prediction ŷ",
                    "Regression, robust: MSE near the answer, L1 far away.", 1, -1, 3, points,
                    [](auto& p, auto& t) { return huber_loss(p, t, Reduction::none, 1.0); }));
  g.push_back(curve("BCE", "−[y log p + (1−y) log(1−p)]", "probability p",
                    "Binary classification with probabilities: a confident mistake costs "
                    "without bound.", 1, 0.02, 0.98, points,
                    [](auto& p, auto& t) { return binary_cross_entropy(p, t, Reduction::none); }));
  g.push_back(curve("Hinge", "max(0, 1 − y·s), y = ±1", "score s",
                    "Margin classifiers (SVM): points beyond the margin cost nothing.", 1, -3, 3,
                    points, [](auto& s, auto& t) { return tg::relu(1.0 - t * s); }));
  g.push_back(curve("Focal (γ=2, α=.25)", "−α(1−p)^γ log p, p = σ(s)", "logit s",
                    "Imbalanced classes: easy, well-classified examples are down-weighted.", 1,
                    -4, 4, points, [](auto& s, auto& t) {
                      return sigmoid_focal_loss(s, t, 0.25, 2.0, Reduction::none);
                    }));
  return g;
}

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

// One small plot: polyline of ys over xs in a w×h box at (x0, y0), with a zero line.
std::string plot(double x0, double y0, double w, double h, const std::vector<double>& xs,
                 const std::vector<double>& ys, const char* colour, const std::string& title) {
  auto [lo_it, hi_it] = std::minmax_element(ys.begin(), ys.end());
  double lo = std::min(*lo_it, 0.0), hi = std::max(*hi_it, 0.0);
  if (hi - lo < 1e-9) hi = lo + 1;
  double pad = (hi - lo) * 0.08;
  lo -= pad, hi += pad;
  auto px = [&](double x) { return x0 + (x - xs.front()) / (xs.back() - xs.front()) * w; };
  auto py = [&](double y) { return y0 + h - (y - lo) / (hi - lo) * h; };
  std::string s = "<rect x='" + fmt("%.1f", x0) + "' y='" + fmt("%.1f", y0) + "' width='" +
                  fmt("%.1f", w) + "' height='" + fmt("%.1f", h) +
                  "' fill='#fafafa' stroke='#ccc'/>\n";
  s += "<line x1='" + fmt("%.1f", x0) + "' x2='" + fmt("%.1f", x0 + w) + "' y1='" +
       fmt("%.1f", py(0)) + "' y2='" + fmt("%.1f", py(0)) + "' stroke='#999' stroke-dasharray='3 3'/>\n";
  s += "<polyline fill='none' stroke='" + std::string(colour) + "' stroke-width='2' points='";
  for (std::size_t i = 0; i < xs.size(); ++i)
    s += fmt("%.1f", px(xs[i])) + "," + fmt("%.1f", py(ys[i])) + " ";
  s += "'/>\n<text x='" + fmt("%.1f", x0 + 4) + "' y='" + fmt("%.1f", y0 + 13) +
       "' font-size='11'>" + escape(title) + fmt(" (%.3g", *lo_it) + fmt(" … %.3g)", *hi_it) +
       "</text>\n";
  s += "<text x='" + fmt("%.1f", x0) + "' y='" + fmt("%.1f", y0 + h + 12) + "' font-size='10'>" +
       fmt("%.3g", xs.front()) + "</text><text x='" + fmt("%.1f", x0 + w) + "' y='" +
       fmt("%.1f", y0 + h + 12) + "' font-size='10' text-anchor='end'>" + fmt("%.3g", xs.back()) +
       "</text>\n";
  return s;
}

// Wraps `text` into lines of about `width` characters.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines{""};
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!lines.back().empty() && lines.back().size() + word.size() + 1 > width) lines.push_back("");
    lines.back() += (lines.back().empty() ? "" : " ") + word;
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string gallery_svg(const std::vector<LossCurve>& curves) {
  const double cell = 230, plot_w = 200, plot_h = 110;
  double width = cell * curves.size() + 20, height = 400;
  std::string s = "<svg xmlns='http://www.w3.org/2000/svg' width='" + fmt("%.0f", width) +
                  "' height='" + fmt("%.0f", height) + "' viewBox='0 0 " + fmt("%.0f", width) +
                  " " + fmt("%.0f", height) + "' font-family='sans-serif'>\n";
  s += "<rect width='100%' height='100%' fill='white'/>\n";
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const LossCurve& c = curves[i];
    double x0 = 20 + cell * i;
    s += "<g class='loss' data-name='" + escape(c.name) + "'>\n";
    s += "<text x='" + fmt("%.1f", x0) + "' y='20' font-size='15' font-weight='bold'>" +
         escape(c.name) + "</text>\n";
    s += "<text x='" + fmt("%.1f", x0) + "' y='38' font-size='11'>" + escape(c.formula) +
         fmt(", y = %g", c.target) + "</text>\n";
    s += plot(x0, 48, plot_w, plot_h, c.prediction, c.loss, "#1f5fbf", "loss");
    s += plot(x0, 186, plot_w, plot_h, c.prediction, c.derivative, "#c0392b",
              "d loss / d " + c.axis.substr(c.axis.rfind(' ') + 1) + " (autograd)");
    s += "<text x='" + fmt("%.1f", x0 + plot_w / 2) + "' y='314' font-size='10' "
         "text-anchor='middle'>" + escape(c.axis) + "</text>\n";
    double y = 336;
    for (const std::string& line : wrap(c.when, 36)) {
      s += "<text x='" + fmt("%.1f", x0) + "' y='" + fmt("%.1f", y) + "' font-size='11' "
           "fill='#333'>" + escape(line) + "</text>\n";
      y += 14;
    }
    s += "</g>\n";
  }
  return s + "</svg>\n";
}

}  // namespace playground
