#pragma once
// The loss gallery: each loss and its derivative as functions of the prediction for a fixed
// target, the derivative computed by tapegrad's autograd (not by hand).
#include <string>
#include <vector>

namespace playground {

struct LossCurve {
  std::string name, formula, axis, when;  // axis: what the prediction is (value, probability, score)
  double target = 0;
  std::vector<double> prediction, loss, derivative;
};

std::vector<LossCurve> loss_gallery(int points = 161);
// All curves side by side, loss above derivative, as one standalone SVG document.
std::string gallery_svg(const std::vector<LossCurve>& curves);

}  // namespace playground
