#!/usr/bin/python3
"""Reference values for tests/test_conv_groups.cpp: torch.nn.functional.conv2d with groups,
PyTorch 1.13 in float64.

Run: /usr/bin/python3 tests/make_conv_groups_reference.py  (writes tests/data/conv_groups/*.npz)

Each archive: x, w, b (when the case has a bias), the options (stride, padding, dilation as
[h, w], groups as 0-d int64), y = conv2d(...), the fixed weights wy of L = sum(y * wy), and
grad_x, grad_w, grad_b = dL/d of each input.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "conv_groups")


def case(name, x_shape, w_shape, bias, stride, padding, dilation, groups):
    args = {"x": torch.randn(*x_shape), "w": torch.randn(*w_shape)}
    if bias:
        args["b"] = torch.randn(w_shape[0])
    for t in args.values():
        t.requires_grad_()
    y = F.conv2d(args["x"], args["w"], args.get("b"), stride, padding, dilation, groups)
    wy = torch.randn(y.shape)
    (y * wy).sum().backward()
    data = {k: v.detach().numpy() for k, v in args.items()}
    data.update({"grad_" + k: v.grad.numpy() for k, v in args.items()})
    data.update(y=y.detach().numpy(), wy=wy.numpy(), groups=np.array(groups, dtype=np.int64),
                stride=np.array(stride, dtype=np.int64), padding=np.array(padding, dtype=np.int64),
                dilation=np.array(dilation, dtype=np.int64))
    np.savez(os.path.join(OUT, name + ".npz"), **data)


os.makedirs(OUT, exist_ok=True)
case("groups2", (2, 4, 5, 6), (6, 2, 3, 2), True, (2, 1), (1, 0), (1, 2), 2)
case("depthwise", (2, 3, 5, 5), (6, 1, 3, 3), False, (1, 1), (1, 1), (2, 1), 3)  # multiplier 2
case("groups4_unbatched", (4, 4, 4), (8, 1, 2, 2), True, (1, 1), (0, 0), (1, 1), 4)
case("groups3_1x1", (3, 6, 3, 3), (3, 2, 1, 1), True, (1, 1), (0, 0), (1, 1), 3)
