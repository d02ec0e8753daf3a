#include <tapegrad/nn/init.hpp>

#include <tapegrad/autograd/detail/op.hpp>

#include <cmath>

namespace tg::nn::init {

namespace {
double fan(const Tensor& t, const std::string& mode) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  if (mode == "fan_in") return fan_in;
  if (mode == "fan_out") return fan_out;
  throw ValueError(str("kaiming init: mode '", mode, "' is not 'fan_in' or 'fan_out'"));
}
}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity.rfind("conv", 0) == 0)
    return 1;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 0.75;
  throw ValueError(str("calculate_gain: unsupported nonlinearity '", nonlinearity, "'"));
}

std::pair<double, double> calculate_fan_in_and_fan_out(const Tensor& t) {
  if (t.ndim() < 2)
    throw ValueError(str("init: fan in and fan out need at least 2 dimensions, got shape ",
                         to_string(t.shape())));
  double receptive = 1;
  for (std::size_t d = 2; d < t.ndim(); ++d) receptive *= double(t.size(d));
  return {double(t.size(1)) * receptive, double(t.size(0)) * receptive};
}

// The Tensor methods, with grad mode off (parameters require grad), as torch.nn.init does.
Tensor& uniform_(Tensor& t, double a, double b, Generator* gen) {
  NoGradGuard no_grad;
  return t.uniform_(a, b, gen);
}
Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  NoGradGuard no_grad;
  return t.normal_(mean, std, gen);
}
Tensor& constant_(Tensor& t, double value) {
  NoGradGuard no_grad;
  return t.fill_(value);
}
Tensor& zeros_(Tensor& t) { return constant_(t, 0); }
Tensor& ones_(Tensor& t) { return constant_(t, 1); }

// A tensor with no elements is left alone (its fan may be 0), as PyTorch does.
Tensor& kaiming_uniform_(Tensor& t, double a, const std::string& mode,
                         const std::string& nonlinearity, Generator* gen) {
  if (t.numel() == 0) return t;
  double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode));
  return uniform_(t, -bound, bound, gen);
}
Tensor& kaiming_normal_(Tensor& t, double a, const std::string& mode,
                        const std::string& nonlinearity, Generator* gen) {
  if (t.numel() == 0) return t;
  return normal_(t, 0, calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode)), gen);
}
Tensor& xavier_uniform_(Tensor& t, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  double bound = gain * std::sqrt(6.0 / (fan_in + fan_out));
  return uniform_(t, -bound, bound, gen);
}
Tensor& xavier_normal_(Tensor& t, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return normal_(t, 0, gain * std::sqrt(2.0 / (fan_in + fan_out)), gen);
}

void default_layer_init_(Tensor& weight, Tensor& bias, Generator* gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (!bias.defined()) return;
  double fan_in = calculate_fan_in_and_fan_out(weight).first;
  double bound = fan_in > 0 ? 1 / std::sqrt(fan_in) : 0;
  uniform_(bias, -bound, bound, gen);
}

}  // namespace tg::nn::init
