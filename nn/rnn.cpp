#include <tapegrad/nn/rnn.hpp>

#include <cmath>

#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/core/detail/simd.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg::nn {
namespace {

using Kind = RecurrentKind;
using tg::detail::sigmoid_of;

std::string kind_name(Kind kind, bool cell) {
  return str(kind == Kind::lstm ? "LSTM" : kind == Kind::gru ? "GRU" : "RNN", cell ? "Cell" : "");
}

Kind rnn_kind(const std::string& nonlinearity, const char* who) {
  if (nonlinearity == "tanh") return Kind::rnn_tanh;
  if (nonlinearity == "relu") return Kind::rnn_relu;
  throw ValueError(str(who, ": nonlinearity must be \"tanh\" or \"relu\", got \"", nonlinearity,
                       "\""));
}

// Registers {weight_ih, weight_hh, bias_ih, bias_hh} + suffix, all drawn from U(±1/√H) in that
// order (PyTorch's reset_parameters); the biases are undefined without bias.
std::vector<Tensor> add_weights(Module& m, Kind kind, bool cell, std::size_t in,
                                std::size_t hidden, bool bias, const std::string& suffix) {
  if (hidden == 0) throw ValueError(str(kind_name(kind, cell), ": hidden_size must be positive"));
  const std::size_t rows = (kind == Kind::lstm ? 4 : kind == Kind::gru ? 3 : 1) * hidden;
  std::vector<Tensor> w{m.register_parameter("weight_ih" + suffix, zeros({rows, in})),
                        m.register_parameter("weight_hh" + suffix, zeros({rows, hidden})),
                        Tensor(), Tensor()};
  if (bias) {
    w[2] = m.register_parameter("bias_ih" + suffix, zeros({rows}));
    w[3] = m.register_parameter("bias_hh" + suffix, zeros({rows}));
  }
  const double bound = 1 / std::sqrt(double(hidden));
  for (Tensor& t : w)
    if (t.defined()) init::uniform_(t, -bound, bound);
  return w;
}

struct State {
  Tensor h, c;  // c: LSTM only
};

// ---------------------------------------------------------------- fused gate steps
// The gate nonlinearities of a step and the state update as one vectorised pass over the rows
// of the pre-activation gates ([N, G·H], PyTorch's gate order) instead of a dozen recorded ops,
// and the backward as one more. A backward that is itself recorded (create_graph) is written
// with differentiable ops instead, so second derivatives work; gradcheck checks the first form
// and gradgradcheck the second.

// Outputs [N, widths[o]] made by f(at, put) for each row and each column j < h, on scalars or
// xsimd batches: at(i, k) reads block k (of h columns) of inputs[i] ([N, G·h], converted to the
// first input's dtype) and put(o, k, v) writes block k of output o.
template <class F>
std::vector<Tensor> fused_rows(const std::vector<Tensor>& inputs,
                               const std::vector<std::size_t>& widths, std::size_t h, F f) {
  return visit(inputs[0], [&](const auto& first) {
    using T = typename std::decay_t<decltype(first)>::value_type;
    const std::size_t n = first.shape()[0];
    std::vector<Tensor> in, out;
    std::vector<const T*> src;
    std::vector<std::size_t> src_width;
    std::vector<T*> dst;
    for (const Tensor& t : inputs) {
      in.push_back(t.to(inputs[0].dtype()));
      src.push_back(in.back().data<T>());
      src_width.push_back(t.size(1));
    }
    for (std::size_t w : widths) {
      out.push_back(make(tg::detail::empty_array<T>({n, w})));
      dst.push_back(out.back().mutable_value<T>().data());
    }
    for (std::size_t r = 0; r < n; ++r)
      tg::detail::simd_for<T>(h, [&](std::size_t j, auto v) {
        using V = decltype(v);
        auto at = [&](std::size_t i, std::size_t k = 0) {
          return tg::detail::read<V>(src[i] + r * src_width[i] + k * h + j);
        };
        f(at, [&](std::size_t o, std::size_t k, V value) {
          tg::detail::write(dst[o] + r * widths[o] + k * h + j, value);
        });
      });
    return out;
  });
}

// c' = σ(f) c + σ(i) tanh(g), from gates i, f, g, o. The forward keeps the activations
// (σ(i), σ(f), tanh(g)) for the one-pass backward.
Tensor lstm_cell_state(const Tensor& gates, const Tensor& c) {
  const std::size_t h = c.size(1);
  std::vector<Tensor> y = fused_rows({gates, c}, {h, 3 * h}, h, [](auto at, auto put) {
    using std::tanh;
    auto i = sigmoid_of(at(0, 0)), f = sigmoid_of(at(0, 1)), u = tanh(at(0, 2));
    put(0, 0, f * at(1) + i * u);
    put(1, 0, i), put(1, 1, f), put(1, 2, u);
  });
  return record_op("lstm_cell_state", y[0], {gates, c}, [h](const BackwardContext& ctx) {
    if (!is_grad_enabled()) {
      std::vector<Tensor> g = fused_rows({ctx.saved[2], ctx.saved[1], ctx.grad}, {4 * h, h}, h,
                                         [](auto at, auto put) {
        using V = decltype(at(0));
        V i = at(0, 0), f = at(0, 1), u = at(0, 2), d = at(2);
        put(0, 0, d * u * i * (V(1) - i));
        put(0, 1, d * at(1) * f * (V(1) - f));
        put(0, 2, d * i * (V(1) - u * u));
        put(0, 3, V(0));
        put(1, 0, d * f);
      });
      return Grads{g[0], g[1]};
    }
    std::vector<Tensor> g = chunk(ctx.saved[0], 4, 1);
    Tensor i = sigmoid(g[0]), f = sigmoid(g[1]), u = tanh(g[2]), d = ctx.grad;
    return Grads{cat({d * u * i * (1.0 - i), d * ctx.saved[1] * f * (1.0 - f),
                      d * i * (1.0 - square(u)), zeros_like(d)}, 1),
                 d * f};
  }, {gates, c, y[1]});
}

// h' = σ(o) tanh(c'); the forward keeps σ(o) and tanh(c').
Tensor lstm_cell_output(const Tensor& gates, const Tensor& c) {
  const std::size_t h = c.size(1);
  std::vector<Tensor> y = fused_rows({gates, c}, {h, 2 * h}, h, [](auto at, auto put) {
    using std::tanh;
    auto o = sigmoid_of(at(0, 3)), u = tanh(at(1));
    put(0, 0, o * u);
    put(1, 0, o), put(1, 1, u);
  });
  return record_op("lstm_cell_output", y[0], {gates, c}, [h](const BackwardContext& ctx) {
    if (!is_grad_enabled()) {
      std::vector<Tensor> g = fused_rows({ctx.saved[2], ctx.grad}, {4 * h, h}, h,
                                         [](auto at, auto put) {
        using V = decltype(at(0));
        V o = at(0, 0), u = at(0, 1), d = at(1);
        for (std::size_t k = 0; k < 3; ++k) put(0, k, V(0));
        put(0, 3, d * u * o * (V(1) - o));
        put(1, 0, d * o * (V(1) - u * u));
      });
      return Grads{g[0], g[1]};
    }
    Tensor o = sigmoid(chunk(ctx.saved[0], 4, 1)[3]), u = tanh(ctx.saved[1]), d = ctx.grad;
    Tensor zero = zeros_like(d);
    return Grads{cat({zero, zero, zero, d * u * o * (1.0 - o)}, 1), d * o * (1.0 - square(u))};
  }, {gates, c, y[1]});
}

// h' = (1 - z) n + z h with r = σ(i_r + h_r), z = σ(i_z + h_z), n = tanh(i_n + r h_n), from the
// input's gates gi and the state's gh (b_hn is in h_n: inside the reset product, as PyTorch).
// The forward keeps r, z and n.
Tensor gru_cell(const Tensor& gi, const Tensor& gh, const Tensor& h) {
  const std::size_t H = h.size(1);
  std::vector<Tensor> y = fused_rows({gi, gh, h}, {H, 3 * H}, H, [](auto at, auto put) {
    using std::tanh;
    auto r = sigmoid_of(at(0, 0) + at(1, 0)), z = sigmoid_of(at(0, 1) + at(1, 1));
    auto n = tanh(at(0, 2) + r * at(1, 2));
    put(0, 0, n + z * (at(2) - n));
    put(1, 0, r), put(1, 1, z), put(1, 2, n);
  });
  return record_op("gru_cell", y[0], {gi, gh, h}, [H](const BackwardContext& ctx) {
    if (!is_grad_enabled()) {
      std::vector<Tensor> g = fused_rows({ctx.saved[3], ctx.saved[1], ctx.saved[2], ctx.grad},
                                         {3 * H, 3 * H, H}, H, [](auto at, auto put) {
        using V = decltype(at(0));
        V r = at(0, 0), z = at(0, 1), n = at(0, 2), d = at(3);
        V dn = d * (V(1) - z) * (V(1) - n * n), dr = dn * at(1, 2) * r * (V(1) - r);
        V dz = d * (at(2) - n) * z * (V(1) - z);
        put(0, 0, dr), put(0, 1, dz), put(0, 2, dn);
        put(1, 0, dr), put(1, 1, dz), put(1, 2, dn * r);
        put(2, 0, d * z);
      });
      return Grads{g[0], g[1], g[2]};
    }
    std::vector<Tensor> i = chunk(ctx.saved[0], 3, 1), g = chunk(ctx.saved[1], 3, 1);
    Tensor r = sigmoid(i[0] + g[0]), z = sigmoid(i[1] + g[1]), n = tanh(i[2] + r * g[2]);
    Tensor d = ctx.grad, dn = d * (1.0 - z) * (1.0 - square(n));
    Tensor dr = dn * g[2] * r * (1.0 - r), dz = d * (ctx.saved[2] - n) * z * (1.0 - z);
    return Grads{cat({dr, dz, dn}, 1), cat({dr, dz, dn * r}, 1), d * z};
  }, {gi, gh, h, y[1]});
}

// One time step from gi = W_ih x + b_ih: one GEMM for all gates of the state, then the fused
// gate pass (LSTM and GRU).
State time_step(Kind kind, const Tensor& gi, const State& s, const Tensor& w_hh,
                const Tensor& b_hh) {
  Tensor gh = linear(s.h, w_hh, b_hh);
  switch (kind) {
    case Kind::rnn_tanh: return {tanh(gi + gh), {}};
    case Kind::rnn_relu: return {relu(gi + gh), {}};
    case Kind::lstm: {
      Tensor gates = gi + gh, c = lstm_cell_state(gates, s.c);
      return {lstm_cell_output(gates, c), c};
    }
    case Kind::gru: return {gru_cell(gi, gh, s.h), {}};
  }
  return {};
}

// The T blocks of n rows of x [T·n, C], by halving. The backward of a narrow fills a tensor of
// its parent's size, so T narrows of x would cost T·|x| in backward; halving costs |x|·log₂T.
void split_steps(const Tensor& x, std::size_t n, std::vector<Tensor>& steps) {
  const std::size_t count = x.size(0) / n, half = count / 2;
  if (count == 1) return steps.push_back(x);
  split_steps(narrow(x, 0, 0, half * n), n, steps);
  split_steps(narrow(x, 0, std::ptrdiff_t(half * n), (count - half) * n), n, steps);
}

// The state a forward was given, checked against `shape` (what the input implies) and given a
// batch axis of 1 at batch_axis when unbatched; zeros when not given.
Tensor initial_state(const Module& m, const Tensor& given, const char* name, const Shape& shape,
                     bool batched, std::size_t batch_axis, const Tensor& input) {
  if (!given.defined()) {
    Shape full = shape;
    if (!batched) full.insert(full.begin() + std::ptrdiff_t(batch_axis), 1);
    return zeros(full, input.dtype());
  }
  if (given.shape() != shape)
    throw ShapeError(str(m.type_name(), ": expected ", name, " of shape ", to_string(shape),
                         " for input of shape ", to_string(input.shape()), ", got ",
                         to_string(given.shape())));
  return batched ? given : unsqueeze(given, std::ptrdiff_t(batch_axis));
}

[[noreturn]] void no_single_forward(const Module& m) {
  throw Error(str(m.type_name(), ": forward takes (input, state) and returns (output, state): "
                  "call its forward(input[, state]); it cannot be a stage of a Sequential"));
}

}  // namespace

// ---------------------------------------------------------------- cells

RNNCellBase::RNNCellBase(std::size_t in, std::size_t hidden, bool bias, Kind kind)
    : input_size(in), hidden_size(hidden), kind(kind) {
  std::vector<Tensor> w = add_weights(*this, kind, true, in, hidden, bias, "");
  weight_ih = w[0], weight_hh = w[1], bias_ih = w[2], bias_hh = w[3];
}

Tensor RNNCellBase::forward(const Tensor&) { no_single_forward(*this); }

std::tuple<Tensor, Tensor> RNNCellBase::step(const Tensor& input, const Tensor& hx,
                                             const Tensor& cx) {
  if ((input.ndim() != 1 && input.ndim() != 2) || input.size(-1) != input_size)
    throw ShapeError(str(type_name(), ": expected input of shape [batch, ", input_size,
                         "] or unbatched [", input_size, "], got ", to_string(input.shape())));
  const bool batched = input.ndim() == 2;
  Tensor x = batched ? input : unsqueeze(input, 0);
  Shape shape = batched ? Shape{x.size(0), hidden_size} : Shape{hidden_size};
  State s{initial_state(*this, hx, "hx", shape, batched, 0, input),
          kind == Kind::lstm ? initial_state(*this, cx, "cx", shape, batched, 0, input) : Tensor()};
  s = time_step(kind, linear(x, weight_ih, bias_ih), s, weight_hh, bias_hh);
  if (!batched) s = {squeeze(s.h, 0), s.c.defined() ? squeeze(s.c, 0) : Tensor()};
  return {s.h, s.c};
}

std::string RNNCellBase::extra_repr() const {
  return str(input_size, ", ", hidden_size, bias_ih.defined() ? "" : ", bias=false",
             kind == Kind::rnn_relu ? ", nonlinearity=relu" : "");
}

RNNCellImpl::RNNCellImpl(std::size_t in, std::size_t hidden, bool bias, const std::string& nonlinearity)
    : RNNCellBase(in, hidden, bias, rnn_kind(nonlinearity, "RNNCell")) {}
Tensor RNNCellImpl::forward(const Tensor& input, const Tensor& hx) {
  return std::get<0>(step(input, hx, Tensor()));
}

LSTMCellImpl::LSTMCellImpl(std::size_t in, std::size_t hidden, bool bias)
    : RNNCellBase(in, hidden, bias, Kind::lstm) {}
std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input,
                                             const std::tuple<Tensor, Tensor>& hx) {
  return step(input, std::get<0>(hx), std::get<1>(hx));
}

GRUCellImpl::GRUCellImpl(std::size_t in, std::size_t hidden, bool bias)
    : RNNCellBase(in, hidden, bias, Kind::gru) {}
Tensor GRUCellImpl::forward(const Tensor& input, const Tensor& hx) {
  return std::get<0>(step(input, hx, Tensor()));
}

// ---------------------------------------------------------------- layers

RNNBase::RNNBase(const RNNOptions& o, Kind kind) : options(o), kind(kind) {
  const std::string name = kind_name(kind, false);
  if (o.num_layers() == 0) throw ValueError(name + ": num_layers must be positive");
  if (!(o.dropout() >= 0 && o.dropout() <= 1))
    throw ValueError(str(name, ": dropout must be in [0, 1], got ", o.dropout()));
  if (kind != Kind::rnn_tanh && kind != Kind::rnn_relu && o.nonlinearity() != "tanh")
    throw ValueError(name + ": nonlinearity is an option of RNN only");
  const std::size_t directions = o.bidirectional() ? 2 : 1;
  for (std::size_t layer = 0; layer < o.num_layers(); ++layer)
    for (std::size_t d = 0; d < directions; ++d)
      all_weights.push_back(add_weights(*this, kind, false,
                                        layer == 0 ? o.input_size() : directions * o.hidden_size(),
                                        o.hidden_size(), o.bias(),
                                        str("_l", layer, d ? "_reverse" : "")));
}

Tensor RNNBase::forward(const Tensor&) { no_single_forward(*this); }

// Layer by layer, each direction: the time loop (backwards for _reverse), each step projecting
// its own input; the layer's output is the h of every step (both directions side by side), the
// next layer's input after dropout. (Projecting the whole sequence as one GEMM first, as PyTorch
// does, was 4-7% slower on bench/'s lstm_char and gru_char: splitting the [T·N, G·H] result
// into steps costs more than splitting the [T·N, in] input.)
std::tuple<Tensor, Tensor, Tensor> RNNBase::run(const Tensor& input, const Tensor& hx,
                                                const Tensor& cx) {
  const RNNOptions& o = options;
  const std::size_t D = o.bidirectional() ? 2 : 1, L = o.num_layers(), H = o.hidden_size();
  if ((input.ndim() != 2 && input.ndim() != 3) || input.size(-1) != o.input_size() ||
      input.numel() == 0)
    throw ShapeError(str(type_name(), ": expected a non-empty input of shape ",
                         o.batch_first() ? "[batch, seq, " : "[seq, batch, ", o.input_size(),
                         "] or unbatched [seq, ", o.input_size(), "], got ",
                         to_string(input.shape())));
  const bool batched = input.ndim() == 3;
  Tensor x = !batched ? unsqueeze(input, 1) : o.batch_first() ? transpose(input, 0, 1) : input;
  const std::size_t T = x.size(0), N = x.size(1);
  const Shape shape = batched ? Shape{L * D, N, H} : Shape{L * D, H};
  State s0{initial_state(*this, hx, "h0", shape, batched, 1, input),
           kind == Kind::lstm ? initial_state(*this, cx, "c0", shape, batched, 1, input)
                              : Tensor()};
  auto initial = [&](const Tensor& states, std::size_t k) {  // [N, H] of layer·D + direction
    return states.defined() ? reshape(narrow(states, 0, std::ptrdiff_t(k), 1),
                                      {std::ptrdiff_t(N), std::ptrdiff_t(H)})
                            : Tensor();
  };
  std::vector<Tensor> h_n, c_n;
  for (std::size_t layer = 0; layer < L; ++layer) {
    std::vector<Tensor> outputs, xs;  // x of each step, [N, in]
    split_steps(reshape(x, {std::ptrdiff_t(T * N), -1}), N, xs);
    for (std::size_t d = 0; d < D; ++d) {
      const std::size_t k = layer * D + d;
      const std::vector<Tensor>& w = all_weights[k];
      State s{initial(s0.h, k), initial(s0.c, k)};
      std::vector<Tensor> hs(T);
      for (std::size_t i = 0; i < T; ++i) {
        const std::size_t t = d == 0 ? i : T - 1 - i;
        s = time_step(kind, linear(xs[t], w[0], w[2]), s, w[1], w[3]);
        hs[t] = s.h;
      }
      outputs.push_back(stack(hs, 0));
      h_n.push_back(s.h);
      c_n.push_back(s.c);
    }
    x = D == 1 ? outputs[0] : cat(outputs, 2);
    if (layer + 1 < L) x = dropout(x, o.dropout(), is_training());
  }
  Tensor output = !batched ? squeeze(x, 1) : o.batch_first() ? transpose(x, 0, 1) : x;
  auto final_states = [&](const std::vector<Tensor>& states) {
    if (!states[0].defined()) return Tensor();
    Tensor all = stack(states, 0);
    return batched ? all : squeeze(all, 1);
  };
  return {output, final_states(h_n), final_states(c_n)};
}

std::string RNNBase::extra_repr() const {
  const RNNOptions& o = options;
  return str(o.input_size(), ", ", o.hidden_size(),
             o.num_layers() != 1 ? str(", num_layers=", o.num_layers()) : "",
             kind == Kind::rnn_relu ? ", nonlinearity=relu" : "", o.bias() ? "" : ", bias=false",
             o.batch_first() ? ", batch_first=true" : "",
             o.dropout() != 0 ? str(", dropout=", o.dropout()) : "",
             o.bidirectional() ? ", bidirectional=true" : "");
}

RNNImpl::RNNImpl(const RNNOptions& o) : RNNBase(o, rnn_kind(o.nonlinearity(), "RNN")) {}
RNNImpl::RNNImpl(std::size_t in, std::size_t hidden, std::size_t layers)
    : RNNImpl(RNNOptions(in, hidden).num_layers(layers)) {}
std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, const Tensor& hx) {
  auto [output, h, c] = run(input, hx, Tensor());
  return {output, h};
}

LSTMImpl::LSTMImpl(const LSTMOptions& o) : RNNBase(o, Kind::lstm) {}
LSTMImpl::LSTMImpl(std::size_t in, std::size_t hidden, std::size_t layers)
    : LSTMImpl(LSTMOptions(in, hidden).num_layers(layers)) {}
std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(
    const Tensor& input, const std::tuple<Tensor, Tensor>& hx) {
  auto [output, h, c] = run(input, std::get<0>(hx), std::get<1>(hx));
  return {output, {h, c}};
}

GRUImpl::GRUImpl(const GRUOptions& o) : RNNBase(o, Kind::gru) {}
GRUImpl::GRUImpl(std::size_t in, std::size_t hidden, std::size_t layers)
    : GRUImpl(GRUOptions(in, hidden).num_layers(layers)) {}
std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, const Tensor& hx) {
  auto [output, h, c] = run(input, hx, Tensor());
  return {output, h};
}

}  // namespace tg::nn
