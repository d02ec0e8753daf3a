#include <tapegrad/nn/attention.hpp>

#include <cmath>
#include <limits>

#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/nn/init.hpp>

namespace tg {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A mask as the additive bias of the scores: a float mask as it is; a bool (or 0/1) one -inf
// where it equals `masked` (true for MultiheadAttention, false for sdpa), 0 elsewhere.
Tensor as_bias(const Tensor& mask, bool masked, Dtype dtype) {
  if (!mask.defined() || is_floating_point(mask.dtype())) return mask;
  return where(mask, full({}, masked ? -inf : 0, dtype), full({}, masked ? 0 : -inf, dtype));
}

// (dropout(softmax(q kᵀ / √E + bias), p) v, those weights): the one core of every attention.
std::tuple<Tensor, Tensor> attend(const char* op, const Tensor& q, const Tensor& k,
                                  const Tensor& v, const Tensor& bias, double p) {
  if (q.ndim() < 2 || k.ndim() < 2 || v.ndim() < 2 || q.size(-1) != k.size(-1) ||
      k.size(-2) != v.size(-2))
    throw ShapeError(str(op, ": query ", to_string(q.shape()), ", key ", to_string(k.shape()),
                         " and value ", to_string(v.shape()),
                         " do not fit [..., L, E], [..., S, E] and [..., S, Ev]"));
  const Tensor scores = mm(q, k, false, true) / std::sqrt(double(q.size(-1)));
  const Shape shape = scores.shape();
  if (bias.defined() && detail::broadcast_shapes(shape, bias.shape(), op) != shape)
    throw ShapeError(str(op, ": a mask of shape ", to_string(bias.shape()),
                         " does not broadcast to the scores' shape ", to_string(shape)));
  const Tensor weights = dropout(softmax(bias.defined() ? scores + bias : scores, -1), p, true);
  return {mm(weights, v), weights};
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal) {
  const char* op = "scaled_dot_product_attention";
  if (is_causal && attn_mask.defined())
    throw ValueError(str(op, ": pass either attn_mask or is_causal, not both"));
  const Tensor bias = is_causal ? triu(full({query.size(-2), key.size(-2)}, -inf, query.dtype()), 1)
                                : as_bias(attn_mask, false, query.dtype());
  return std::get<0>(attend(op, query, key, value, bias, dropout_p));
}

namespace nn {

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& o) : options(o) {
  const std::size_t e = o.embed_dim();
  if (o.num_heads() == 0 || e % o.num_heads() != 0)
    throw ValueError(str("MultiheadAttention: embed_dim ", e, " is not divisible by num_heads ",
                         o.num_heads()));
  in_proj_weight = register_parameter("in_proj_weight", zeros({3 * e, e}));
  init::xavier_uniform_(in_proj_weight);
  if (o.bias()) in_proj_bias = register_parameter("in_proj_bias", zeros({3 * e}));
  out_proj = register_module("out_proj", Linear(LinearOptions(e, e).bias(o.bias())));
  if (o.bias()) init::zeros_(out_proj->bias);
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(
    const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& key_padding_mask,
    bool need_weights, const Tensor& attn_mask, bool average_attn_weights) {
  const char* op = "MultiheadAttention";
  const bool batched = query.ndim() == 3;
  auto batch_major = [&](const Tensor& x) {  // to [N, T, E]; its own inverse when batched
    return !batched ? unsqueeze(x, 0) : options.batch_first() ? x : transpose(x, 0, 1);
  };
  const Tensor q = batch_major(query), k = batch_major(key), v = batch_major(value);
  const std::size_t e = options.embed_dim(), h = options.num_heads();
  if (q.ndim() != 3 || k.ndim() != 3 || k.shape() != v.shape() || q.size(0) != k.size(0) ||
      q.size(2) != e || k.size(2) != e)
    throw ShapeError(str(op, ": query ", to_string(query.shape()), ", key ",
                         to_string(key.shape()), " and value ", to_string(value.shape()),
                         " do not fit [L, N, E], [S, N, E], [S, N, E] (batch_first: N first; "
                         "unbatched: no N) with E = embed_dim ", e));
  using D = std::ptrdiff_t;
  const D n = D(q.size(0)), l = D(q.size(1)), s = D(k.size(1));
  const Shape kpm_shape = batched ? Shape{q.size(0), k.size(1)} : Shape{k.size(1)};
  if (key_padding_mask.defined() && key_padding_mask.shape() != kpm_shape)
    throw ShapeError(str(op, ": key_padding_mask of shape ", to_string(key_padding_mask.shape()),
                         " should be ", to_string(kpm_shape)));
  if (attn_mask.defined() && attn_mask.shape() != Shape{q.size(1), k.size(1)} &&
      attn_mask.shape() != Shape{n * h, q.size(1), k.size(1)})
    throw ShapeError(str(op, ": attn_mask of shape ", to_string(attn_mask.shape()), " should be [",
                         l, ",", s, "] or [", n * h, ",", l, ",", s, "]"));
  Tensor bias = as_bias(attn_mask, true, q.dtype());
  if (bias.defined() && bias.ndim() == 3) bias = reshape(bias, {n, D(h), l, s});
  if (key_padding_mask.defined()) {
    Tensor padding = reshape(as_bias(key_padding_mask, true, q.dtype()), {n, 1, 1, s});
    bias = bias.defined() ? bias + padding : padding;
  }
  const std::vector<Tensor> w = chunk(in_proj_weight, 3),
      b = in_proj_bias.defined() ? chunk(in_proj_bias, 3) : std::vector<Tensor>(3);
  auto heads = [&](const Tensor& x, int i) {  // [N, T, E] projected, as [N, H, T, E/H]
    return transpose(reshape(linear(x, w[i], b[i]), {n, D(x.size(1)), D(h), D(e / h)}), 1, 2);
  };
  auto [out, weights] = attend(op, heads(q, 0), heads(k, 1), heads(v, 2), bias,
                               is_training() ? options.dropout() : 0);
  out = out_proj(reshape(transpose(out, 1, 2), {n, l, D(e)}));
  out = batched ? batch_major(out) : squeeze(out, 0);
  if (!need_weights) return {out, Tensor()};
  if (average_attn_weights) weights = mean(weights, {1});
  return {out, batched ? weights : squeeze(weights, 0)};
}

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& o)
    : options(o) {
  if (o.activation() != "relu" && o.activation() != "gelu")
    throw ValueError(str("TransformerEncoderLayer: activation \"", o.activation(),
                         "\" is neither \"relu\" nor \"gelu\""));
  self_attn = register_module("self_attn", MultiheadAttention(MultiheadAttentionOptions(
      o.d_model(), o.nhead()).dropout(o.dropout()).batch_first(o.batch_first())));
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  const auto norm = LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps());
  norm1 = register_module("norm1", LayerNorm(norm));
  norm2 = register_module("norm2", LayerNorm(norm));
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  auto sa = [&](const Tensor& x) {
    return dropout1(std::get<0>(self_attn(x, x, x, src_key_padding_mask, false, src_mask)));
  };
  auto ff = [&](const Tensor& x) {
    const Tensor hidden = linear1(x);
    return dropout2(linear2(dropout(options.activation() == "gelu" ? gelu(hidden) : relu(hidden))));
  };
  if (options.norm_first()) {
    const Tensor x = src + sa(norm1(src));
    return x + ff(norm2(x));
  }
  const Tensor x = norm1(src + sa(src));
  return norm2(x + ff(x));
}

TransformerEncoderImpl::TransformerEncoderImpl(const TransformerEncoderLayer& layer,
                                               std::size_t num_layers, LayerNorm norm_module) {
  layers = register_module("layers", ModuleList());
  const std::vector<Tensor> source = layer->parameters();
  for (std::size_t i = 0; i < num_layers; ++i) {  // deep copies: own parameters, equal values
    TransformerEncoderLayer copy(layer->options);
    copy->to(source.front().dtype()).train(layer->is_training());
    for (std::size_t j = 0; j < source.size(); ++j)  // detached: a write outside the graph
      copy->parameters()[j].detach().copy_(source[j]);
    layers->push_back(copy);
  }
  if (norm_module) norm = register_module("norm", norm_module);
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& mask,
                                       const Tensor& src_key_padding_mask) {
  Tensor x = src;
  for (const auto& layer : *layers)
    x = TransformerEncoderLayer(std::static_pointer_cast<TransformerEncoderLayerImpl>(layer))(
        x, mask, src_key_padding_mask);
  return norm ? norm(x) : x;
}

}  // namespace nn
}  // namespace tg
