#!/usr/bin/python3
"""Reference values for tests/test_rnn.cpp, computed with PyTorch 1.13 in float64.

Run: /usr/bin/python3 tests/make_rnn_reference.py  (writes tests/data/rnn/*.npz)

For each case <name> two archives:
  <name>_state.npz  the module's state_dict exactly (the C++ test loads it with nn::load);
  <name>_data.npz   input, h0 / c0 (when the case passes them), the module's outputs
                    (output, h_n, c_n; for cells h, c), the fixed weights w_<output> of the loss
                    L = sum over outputs of sum(output * w_output), and dL/d of the input, of
                    h0 / c0 and of every parameter (grad_<name>).
The module is in eval mode, so `dropout` between layers is the identity on both sides.
"""
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "rnn")
I, H, T, N = 3, 4, 3, 2


def save(name, module, args, state_names, outputs):
    """args: the forward's input tensors by name (input, h0, c0), all requiring grad."""
    module.eval()
    np.savez(os.path.join(OUT, name + "_state.npz"),
             **{k: v.detach().numpy() for k, v in module.state_dict().items()})
    data = {k: v.detach().numpy() for k, v in args.items()}
    for k, v in outputs.items():
        w = torch.randn(v.shape)
        data[k], data["w_" + k] = v.detach().numpy(), w.numpy()
    loss = sum((v * torch.from_numpy(data["w_" + k])).sum() for k, v in outputs.items())
    loss.backward()
    for k, v in list(args.items()) + list(module.named_parameters()):
        data["grad_" + k] = v.grad.numpy()
    np.savez(os.path.join(OUT, name + "_data.npz"), **data)


def tensors(**shapes):
    return {k: torch.randn(*s, requires_grad=True) for k, s in shapes.items()}


def layer(name, cls, input_shape, states=(), **options):
    module = cls(I, H, **options)
    d = 2 if options.get("bidirectional") else 1
    batched = len(input_shape) == 3
    n = input_shape[0 if options.get("batch_first") else 1] if batched else None
    state_shape = (options.get("num_layers", 1) * d,) + ((n,) if batched else ()) + (H,)
    args = tensors(input=input_shape, **{s: state_shape for s in states})
    hx = [args[s] for s in states]
    module.eval()
    output, state = module(args["input"], (tuple(hx) if len(hx) == 2 else hx[0]) if hx else None)
    outs = {"output": output}
    if isinstance(state, tuple):
        outs["h_n"], outs["c_n"] = state
    else:
        outs["h_n"] = state
    save(name, module, args, states, outs)


def cell(name, cls, input_shape, states=(), **options):
    module = cls(I, H, **options)
    state_shape = input_shape[:-1] + (H,)
    args = tensors(input=input_shape, **{s: state_shape for s in states})
    hx = [args[s] for s in states]
    result = module(args["input"], (tuple(hx) if len(hx) == 2 else hx[0]) if hx else None)
    outs = {"h": result[0], "c": result[1]} if isinstance(result, tuple) else {"h": result}
    save(name, module, args, states, outs)


os.makedirs(OUT, exist_ok=True)
nn = torch.nn
layer("rnn_tanh", nn.RNN, (T, N, I), ["h0"])
layer("rnn_relu_deep", nn.RNN, (N, T, I), nonlinearity="relu", num_layers=2, bidirectional=True,
      batch_first=True)
layer("rnn_unbatched", nn.RNN, (T, I), ["h0"], num_layers=2)
layer("lstm", nn.LSTM, (T, N, I))
layer("lstm_deep", nn.LSTM, (T, N, I), ["h0", "c0"], num_layers=2, bidirectional=True,
      dropout=0.5)
layer("lstm_batch_first_nobias", nn.LSTM, (N, T, I), ["h0", "c0"], batch_first=True, bias=False)
layer("lstm_unbatched", nn.LSTM, (T, I), ["h0", "c0"], bidirectional=True)
layer("gru", nn.GRU, (T, N, I), ["h0"], num_layers=2)
layer("gru_bidir_batch_first", nn.GRU, (N, T, I), bidirectional=True, batch_first=True)
layer("gru_unbatched", nn.GRU, (T, I), ["h0"])
cell("rnn_cell", nn.RNNCell, (N, I), ["h0"])
cell("rnn_cell_relu", nn.RNNCell, (N, I), nonlinearity="relu")
cell("lstm_cell", nn.LSTMCell, (N, I), ["h0", "c0"])
cell("lstm_cell_unbatched", nn.LSTMCell, (I,), ["h0", "c0"], bias=False)
cell("gru_cell", nn.GRUCell, (N, I), ["h0"])
cell("gru_cell_unbatched", nn.GRUCell, (I,))
