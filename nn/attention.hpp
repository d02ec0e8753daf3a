#pragma once
// Attention with PyTorch's semantics and parameter names (a PyTorch state_dict saved to .npz
// loads with nn::load): scaled_dot_product_attention, MultiheadAttention,
// TransformerEncoderLayer and TransformerEncoder. One core computes them all:
//   attention(q, k, v) = dropout(softmax(q kᵀ / √E + bias)) v,  E = q.size(-1),
// where a float mask is the bias itself and a bool mask is -inf where it masks, 0 elsewhere.
// Rows whose every key is masked give NaN, as in PyTorch.
//   auto [out, weights] = mha(x, x, x);  TransformerEncoder(TransformerEncoderLayer(64, 4), 2)
#include <cstddef>
#include <string>
#include <tuple>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/containers.hpp>
#include <tapegrad/nn/dropout.hpp>
#include <tapegrad/nn/linear.hpp>
#include <tapegrad/nn/normalization.hpp>

namespace tg {

// PyTorch 2's F.scaled_dot_product_attention: query [..., L, E], key [..., S, E], value
// [..., S, Ev] -> [..., L, Ev]. attn_mask broadcasts to [..., L, S]: bool, true = takes part
// (the opposite of MultiheadAttention's), or float, added to the scores. is_causal lets query i
// see keys j <= i only (no attn_mask then). The weights are dropped out with probability
// dropout_p whenever it is > 0, as in PyTorch (pass 0 for evaluation).
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0,
                                    bool is_causal = false);

namespace nn {

// kdim = vdim = embed_dim only (no kdim/vdim, add_bias_kv or add_zero_attn options).
struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(std::size_t embed_dim, std::size_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads) {}
  TG_ARG(std::size_t, embed_dim, 0);
  TG_ARG(std::size_t, num_heads, 1);  // must divide embed_dim
  TG_ARG(double, dropout, 0);         // on the attention weights, in training
  TG_ARG(bool, bias, true);
  TG_ARG(bool, batch_first, false);
};

// nn.MultiheadAttention: query [L, N, E], key and value [S, N, E] ([N, L, E] ... when
// batch_first; unbatched [L, E], [S, E]). The three row blocks of in_proj_weight project q, k and
// v; each of the H heads attends with E/H of their features; out_proj joins the heads.
// Masks, bool (true = masked OUT) or float (added): key_padding_mask [N, S] ([S] unbatched),
// attn_mask [L, S] or [N·H, L, S]. Returns (output shaped as query, weights [N, L, S] averaged
// over heads or [N, H, L, S]; undefined unless need_weights). Init: in_proj_weight
// xavier_uniform_, in_proj_bias and out_proj.bias zeros, out_proj.weight as Linear's.
class MultiheadAttentionImpl : public Module {
 public:
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options);
  MultiheadAttentionImpl(std::size_t embed_dim, std::size_t num_heads)
      : MultiheadAttentionImpl(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {},
                                     bool average_attn_weights = true);

  MultiheadAttentionOptions options;
  Tensor in_proj_weight, in_proj_bias;  // [3E, E], [3E] (undefined without bias)
  Linear out_proj{nullptr};
};
TG_MODULE(MultiheadAttention);

struct TransformerEncoderLayerOptions {
  TransformerEncoderLayerOptions(std::size_t d_model, std::size_t nhead)
      : d_model_(d_model), nhead_(nhead) {}
  TG_ARG(std::size_t, d_model, 0);
  TG_ARG(std::size_t, nhead, 1);
  TG_ARG(std::size_t, dim_feedforward, 2048);
  TG_ARG(double, dropout, 0.1);
  TG_ARG(std::string, activation, "relu");  // or "gelu"
  TG_ARG(double, layer_norm_eps, 1e-5);
  TG_ARG(bool, batch_first, false);
  TG_ARG(bool, norm_first, false);
};

// nn.TransformerEncoderLayer, with sa(x) = dropout1(self_attn(x, x, x)) and
// ff(x) = dropout2(linear2(dropout(activation(linear1(x))))):
//   x = norm1(x + sa(x)); x = norm2(x + ff(x))     or, norm_first: x = x + sa(norm1(x));
//   x = x + ff(norm2(x)). src as MultiheadAttention's query; masks as its attn_mask and
// key_padding_mask.
class TransformerEncoderLayerImpl : public Module {
 public:
  explicit TransformerEncoderLayerImpl(const TransformerEncoderLayerOptions& options);
  TransformerEncoderLayerImpl(std::size_t d_model, std::size_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  Tensor forward(const Tensor& src, const Tensor& src_mask = {},
                 const Tensor& src_key_padding_mask = {});

  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn{nullptr};
  Linear linear1{nullptr}, linear2{nullptr};
  Dropout dropout{nullptr}, dropout1{nullptr}, dropout2{nullptr};
  LayerNorm norm1{nullptr}, norm2{nullptr};
};
TG_MODULE(TransformerEncoderLayer);

// nn.TransformerEncoder: num_layers copies of layer (children layers.0, layers.1, ...; each with
// its own parameters, all starting equal to layer's, as PyTorch's deepcopy), then norm if given.
class TransformerEncoderImpl : public Module {
 public:
  TransformerEncoderImpl(const TransformerEncoderLayer& layer, std::size_t num_layers,
                         LayerNorm norm = nullptr);
  Tensor forward(const Tensor& src, const Tensor& mask = {},
                 const Tensor& src_key_padding_mask = {});

  ModuleList layers{nullptr};
  LayerNorm norm{nullptr};
};
TG_MODULE(TransformerEncoder);

}  // namespace nn
}  // namespace tg
