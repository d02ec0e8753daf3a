#pragma once
// Parameter initialisers (torch.nn.init): each overwrites the tensor's values in place (no
// gradient is recorded) and returns it. Random ones draw from gen (nullptr: the default
// generator, seeded by tg::manual_seed).
// For a weight [out, in, k...]: fan_in = in·Πk, fan_out = out·Πk (at least 2 dims needed).
#include <optional>
#include <string>
#include <utility>

#include <tapegrad/core/tensor.hpp>

namespace tg::nn::init {

// linear, conv*, sigmoid: 1; tanh: 5/3; relu: √2; leaky_relu: √(2 / (1 + slope²)) with slope
// param (0.01 when not given); selu: 3/4.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = {});
std::pair<double, double> calculate_fan_in_and_fan_out(const Tensor& t);

Tensor& uniform_(Tensor& t, double a = 0, double b = 1, Generator* gen = nullptr);  // U(a, b)
Tensor& normal_(Tensor& t, double mean = 0, double std = 1,
                Generator* gen = nullptr);  // N(mean, std²)
Tensor& constant_(Tensor& t, double value);
Tensor& zeros_(Tensor& t);
Tensor& ones_(Tensor& t);
// U(-b, b) with b = √3 · gain / √fan, gain = calculate_gain(nonlinearity, a); mode "fan_in"
// or "fan_out".
Tensor& kaiming_uniform_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                         const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
// N(0, std²) with std = gain / √fan.
Tensor& kaiming_normal_(Tensor& t, double a = 0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
// U(-b, b) with b = gain · √(6 / (fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& t, double gain = 1, Generator* gen = nullptr);
// N(0, std²) with std = gain · √(2 / (fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& t, double gain = 1, Generator* gen = nullptr);

// PyTorch's default for Linear and Conv layers: kaiming_uniform_(weight, a = √5), i.e.
// U(±1/√fan_in), and bias (if defined) U(±1/√fan_in).
void default_layer_init_(Tensor& weight, Tensor& bias, Generator* gen = nullptr);

}  // namespace tg::nn::init
