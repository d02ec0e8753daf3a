#!/usr/bin/python3
"""Reference values for tests/test_attention.cpp, computed with PyTorch 1.13 in float64.

Run: /usr/bin/python3 tests/make_attention_reference.py  (writes tests/data/attention/*.npz)

For each module case <name> two archives:
  <name>_state.npz  the module's state_dict exactly (the C++ test loads it with nn::load);
  <name>_data.npz   the inputs (query, key, value or src), the masks (key_padding_mask,
                    attn_mask; bool or float64), the outputs (output; weights when returned), the
                    fixed weights w_<output> of the loss L = sum over outputs of
                    sum(output * w_output), and dL/d of every input and parameter (grad_<name>).
Modules are in eval mode (dropout is the identity on both sides); every input requires grad, so
PyTorch takes its general path (not the inference fast path).
scaled_dot_product_attention: torch 1.13 has none, so <name>_data.npz holds the formula
softmax(q kᵀ / √E + bias) v written with torch ops (bias: the float mask, or -inf where a bool
mask is False, or where j > i when is_causal), with the same outputs and gradients.
"""
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "attention")
nn = torch.nn
E, H, L, S, N = 6, 2, 3, 4, 2


def save(name, module, args, masks, outputs):
    """args: the input tensors by name, all requiring grad; masks: by name (no gradient)."""
    if module is not None:
        np.savez(os.path.join(OUT, name + "_state.npz"),
                 **{k: v.detach().numpy() for k, v in module.state_dict().items()})
    data = {k: v.detach().numpy() for k, v in args.items()}
    data.update({k: v.numpy() for k, v in masks.items() if v is not None})
    for k, v in outputs.items():
        w = torch.randn(v.shape)
        data[k], data["w_" + k] = v.detach().numpy(), w.numpy()
    loss = sum((v * torch.from_numpy(data["w_" + k])).sum() for k, v in outputs.items())
    loss.backward()
    params = list(module.named_parameters()) if module is not None else []
    for k, v in list(args.items()) + params:
        data["grad_" + k] = v.grad.numpy()
    np.savez(os.path.join(OUT, name + "_data.npz"), **data)


def tensors(**shapes):
    return {k: torch.randn(*s, requires_grad=True) for k, s in shapes.items()}


def random_biases(module):
    """PyTorch initialises the biases to zero: random ones check that they are used."""
    with torch.no_grad():
        for k, p in module.named_parameters():
            if k.endswith("bias"):
                p.normal_()


def bool_mask(*shape):
    """A random bool mask with at least one False in every row (row = last dim)."""
    m = torch.rand(*shape) < 0.4
    m[..., 0] = False
    return m


def mha(name, shapes, self_attention=False, kpm=None, attn_mask=None, need_weights=True,
        average=True, **options):
    module = nn.MultiheadAttention(E, H, **options)
    random_biases(module)
    module.eval()
    args = tensors(query=shapes[0]) if self_attention else tensors(
        query=shapes[0], key=shapes[1], value=shapes[1])
    q = args["query"]
    k, v = (q, q) if self_attention else (args["key"], args["value"])
    out, weights = module(q, k, v, key_padding_mask=kpm, need_weights=need_weights,
                          attn_mask=attn_mask, average_attn_weights=average)
    outs = {"output": out}
    if weights is not None:
        outs["weights"] = weights
    save(name, module, args, {"key_padding_mask": kpm, "attn_mask": attn_mask}, outs)


def encoder_layer(name, src_shape, src_mask=None, kpm=None, **options):
    module = nn.TransformerEncoderLayer(E, H, dim_feedforward=5, **options)
    random_biases(module)
    module.eval()
    args = tensors(src=src_shape)
    out = module(args["src"], src_mask=src_mask, src_key_padding_mask=kpm)
    save(name, module, args, {"attn_mask": src_mask, "key_padding_mask": kpm}, {"output": out})


def encoder(name, src_shape, src_mask=None, kpm=None, **options):
    layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=5, **options)
    module = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(E))
    random_biases(module)  # also makes the two layers differ
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.1 * torch.randn(p.shape))
    module.eval()
    args = tensors(src=src_shape)
    out = module(args["src"], mask=src_mask, src_key_padding_mask=kpm)
    save(name, module, args, {"attn_mask": src_mask, "key_padding_mask": kpm}, {"output": out})


def sdpa(name, q_shape, k_shape, v_shape, attn_mask=None, is_causal=False):
    args = tensors(query=q_shape, key=k_shape, value=v_shape)
    q, k, v = args["query"], args["key"], args["value"]
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask
    if is_causal:
        causal = torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril()
        scores = scores.masked_fill(causal.logical_not(), float("-inf"))
    out = torch.softmax(scores, -1) @ v
    save(name, None, args, {"attn_mask": attn_mask}, {"output": out})


os.makedirs(OUT, exist_ok=True)
mha("mha_cross", [(L, N, E), (S, N, E)])
mha("mha_batch_first_kpm", [(N, L, E)], self_attention=True, kpm=bool_mask(N, L),
    average=False, batch_first=True)
mha("mha_bool_mask_kpm", [(L, N, E), (S, N, E)], kpm=bool_mask(N, S),
    attn_mask=bool_mask(L, S))
mha("mha_float_mask_3d", [(N, L, E), (N, S, E)], kpm=bool_mask(N, S),
    attn_mask=torch.randn(N * H, L, S), average=False, batch_first=True)
mha("mha_unbatched", [(L, E), (S, E)], kpm=bool_mask(S), attn_mask=torch.randn(L, S))
mha("mha_unbatched_3d_mask", [(L, E)], self_attention=True, attn_mask=bool_mask(H, L, L),
    average=False)
mha("mha_no_weights_no_bias", [(L, N, E), (S, N, E)], need_weights=False, bias=False)
causal = torch.triu(torch.full((S, S), float("-inf")), 1)
encoder_layer("encoder_layer_relu", (S, N, E), src_mask=causal, kpm=bool_mask(N, S))
encoder_layer("encoder_layer_gelu_norm_first", (N, S, E), src_mask=bool_mask(S, S),
              kpm=bool_mask(N, S), activation="gelu", norm_first=True, batch_first=True)
encoder_layer("encoder_layer_unbatched_eps", (S, E), layer_norm_eps=1e-3)
encoder("encoder", (S, N, E), src_mask=causal, kpm=bool_mask(N, S))
encoder("encoder_gelu_batch_first", (N, S, E), activation="gelu", batch_first=True,
        norm_first=True)
sdpa("sdpa", (L, E), (S, E), (S, 5))
sdpa("sdpa_bool_mask_4d", (N, H, L, E), (N, H, S, E), (N, H, S, 5),
     attn_mask=~bool_mask(N, 1, L, S))  # true = takes part: every row keeps its first key
sdpa("sdpa_float_mask_broadcast_batch", (N, H, L, E), (1, H, S, E), (1, H, S, 5),
     attn_mask=torch.randn(L, S))
sdpa("sdpa_causal", (N, S, E), (N, S, E), (N, S, E), is_causal=True)
