#!/usr/bin/python3
"""Reference values for tests/test_ctc.cpp, computed with PyTorch 1.13's
torch.nn.functional.ctc_loss in float64.

Run: /usr/bin/python3 tests/make_ctc_reference.py  (writes tests/data/ctc/<case>.npz)

Each archive holds the arguments (log_probs, targets, input_lengths, target_lengths as int64,
blank and zero_infinity as 0-d int64) and for each reduction r in none, mean, sum: loss_r and
grad_r = dL/d log_probs, where L = loss for mean and sum and L = sum(loss * w_none) for none.
log_probs is a leaf: log_softmax of random logits (detached) or, in the raw_* cases, plain
random numbers, whose PyTorch gradient carries an exp(log_probs) term.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "ctc")


def case(name, log_probs, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    data = {"log_probs": log_probs.numpy(), "targets": np.array(targets, dtype=np.int64),
            "input_lengths": np.array(input_lengths, dtype=np.int64),
            "target_lengths": np.array(target_lengths, dtype=np.int64),
            "blank": np.array(blank, dtype=np.int64),
            "zero_infinity": np.array(int(zero_infinity), dtype=np.int64)}
    for reduction in ("none", "mean", "sum"):
        lp = log_probs.clone().requires_grad_()
        loss = F.ctc_loss(lp, torch.tensor(data["targets"]), torch.tensor(data["input_lengths"]),
                          torch.tensor(data["target_lengths"]), blank=blank,
                          reduction=reduction, zero_infinity=zero_infinity)
        if reduction == "none":
            w = torch.randn(loss.shape)
            data["w_none"] = w.numpy()
            (loss * w).sum().backward()
        else:
            loss.backward()
        data["loss_" + reduction] = loss.detach().numpy()
        data["grad_" + reduction] = lp.grad.numpy()
    np.savez(os.path.join(OUT, name + ".npz"), **data)


def normalized(*shape):
    return torch.randn(*shape).log_softmax(-1)


os.makedirs(OUT, exist_ok=True)
# Padded targets [N, S]; sequence 1 is shorter than T, sequence 2 has an empty target.
case("padded", normalized(6, 3, 5), [[1, 2, 3], [4, 1, 0], [3, 3, 3]], [6, 4, 5], [3, 2, 0])
# The same kind of batch with the targets concatenated into one 1-D tensor.
case("concatenated", normalized(7, 3, 4), [1, 2, 3, 3, 2, 1, 1, 2], [7, 6, 7], [3, 1, 4])
# Repeated labels need a blank between them: [1, 1, 2, 2] fits exactly in T = 6 (sequence 0).
case("repeats", normalized(6, 2, 3), [[1, 1, 2, 2], [2, 2, 1, 0]], [6, 5], [4, 3])
# [1, 1, 1] needs 5 steps: impossible in 4 (sequence 0), possible in 5 (sequence 1).
case("impossible", normalized(5, 2, 3), [[1, 1, 1], [1, 1, 1]], [4, 5], [3, 3])
case("impossible_zero_infinity", normalized(5, 2, 3), [[1, 1, 1], [1, 1, 1]], [4, 5], [3, 3],
     zero_infinity=True)
# blank = 2 (the last class), labels 0 and 1.
case("blank2", normalized(5, 2, 3), [[0, 1, 1], [1, 0, 0]], [5, 5], [3, 2], blank=2)
# Unbatched: log_probs [T, C], targets [S], lengths 0-d.
case("unbatched", normalized(5, 4), [1, 3, 3], 5, 3)
# Raw (not normalised) inputs: PyTorch's gradient is exp(lp) - posterior / p.
case("raw", torch.randn(5, 2, 4), [[1, 2], [3, 3]], [5, 4], [2, 2])
case("raw_blank3", torch.randn(4, 2, 4), [1, 2, 0, 0, 1], [4, 3], [3, 2], blank=3)
