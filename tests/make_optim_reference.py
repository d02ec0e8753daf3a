#!/usr/bin/python3
"""Writes tests/data/optim_reference.txt: PyTorch 1.13 trajectories that test_optim.cpp checks.

Problem (float64), parameters w [3], W [1,2], b [1], gradients written out by hand in the test:
  loss = 0.5 * sum(a * (w - t)^2) + mean((X W^T + b - y)^2)
Lines:
  traj CASE STEP v...          parameter values (w, W, b flattened) after optimizer step STEP
  lr CASE EPOCH METRIC lr...   group lrs after scheduler step EPOCH (0 = after construction);
                               METRIC is what ReduceLROnPlateau.step got (0 for the others)
Run: /usr/bin/python3 tests/make_optim_reference.py (from the repository root).
"""
import os
import torch

torch.set_default_dtype(torch.float64)
STEPS = 20
A = torch.tensor([1.0, 10.0, 0.1])
T = torch.tensor([1.0, -2.0, 0.5])
X = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 1.0]])
Y = torch.tensor([1.0, -0.5, 0.8, 2.5])


def make_params():
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    W = torch.tensor([[0.3, -0.2]], requires_grad=True)
    b = torch.tensor([0.1], requires_grad=True)
    return w, W, b


def loss_fn(w, W, b):
    return 0.5 * (A * (w - T) ** 2).sum() + ((X @ W.t()).squeeze(1) + b - Y).pow(2).mean()


def one_group(opt, **kw):
    return lambda w, W, b: opt([w, W, b], **kw)


def two_groups(opt, second, **kw):
    return lambda w, W, b: opt([{"params": [w]}, dict(params=[W, b], **second)], **kw)


O = torch.optim
CASES = {
    "sgd_plain": one_group(O.SGD, lr=0.05),
    "sgd_momentum": one_group(O.SGD, lr=0.05, momentum=0.9),
    "sgd_dampening": one_group(O.SGD, lr=0.05, momentum=0.9, dampening=0.5),
    "sgd_nesterov": one_group(O.SGD, lr=0.05, momentum=0.9, nesterov=True),
    "sgd_weight_decay": one_group(O.SGD, lr=0.05, weight_decay=0.1),
    "sgd_maximize": one_group(O.SGD, lr=0.01, momentum=0.5, maximize=True),
    "sgd_all": one_group(O.SGD, lr=0.03, momentum=0.8, nesterov=True, weight_decay=0.2),
    "sgd_groups": two_groups(O.SGD, {"lr": 0.01}, lr=0.05, momentum=0.9),
    "adam_default": one_group(O.Adam),
    "adam_lr": one_group(O.Adam, lr=0.1),
    "adam_betas": one_group(O.Adam, lr=0.1, betas=(0.8, 0.99), eps=1e-3),
    "adam_weight_decay": one_group(O.Adam, lr=0.1, weight_decay=0.1),
    "adam_amsgrad": one_group(O.Adam, lr=0.1, amsgrad=True),
    "adam_maximize": one_group(O.Adam, lr=0.1, maximize=True),
    "adam_all": one_group(O.Adam, lr=0.05, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True),
    "adam_groups": two_groups(O.Adam, {"lr": 0.02, "amsgrad": True, "betas": (0.5, 0.9)}, lr=0.1),
    "adamw_default": one_group(O.AdamW),
    "adamw_lr": one_group(O.AdamW, lr=0.1),
    "adamw_weight_decay": one_group(O.AdamW, lr=0.1, weight_decay=0.5),
    "adamw_amsgrad": one_group(O.AdamW, lr=0.1, amsgrad=True),
    "adamw_maximize": one_group(O.AdamW, lr=0.1, maximize=True),
    "rmsprop_default": one_group(O.RMSprop),
    "rmsprop_alpha": one_group(O.RMSprop, lr=0.01, alpha=0.9, eps=1e-4),
    "rmsprop_weight_decay": one_group(O.RMSprop, weight_decay=0.1),
    "rmsprop_momentum": one_group(O.RMSprop, lr=0.01, momentum=0.9),
    "rmsprop_centered": one_group(O.RMSprop, centered=True),
    "rmsprop_centered_momentum": one_group(O.RMSprop, lr=0.005, centered=True, momentum=0.5),
    "rmsprop_maximize": one_group(O.RMSprop, maximize=True),
    "adagrad_default": one_group(O.Adagrad),
    "adagrad_lr": one_group(O.Adagrad, lr=0.1),
    "adagrad_lr_decay": one_group(O.Adagrad, lr=0.1, lr_decay=0.1),
    "adagrad_weight_decay": one_group(O.Adagrad, lr=0.1, weight_decay=0.1),
    "adagrad_initial_accumulator": one_group(O.Adagrad, lr=0.1, initial_accumulator_value=0.5,
                                             eps=1e-3),
    "adagrad_maximize": one_group(O.Adagrad, lr=0.1, maximize=True),
}

S = O.lr_scheduler
PLATEAU_METRICS = [5, 4, 4.5, 4.2, 4.1, 3.0, 3.5, 3.2, 3.3, 3.4, 2.0, 2.5, 2.4, 2.6, 2.7, 2.8,
                   1.0, 1.1, 1.2, 1.3]
SCHEDULERS = {
    "steplr": lambda o: [S.StepLR(o, step_size=3, gamma=0.5)],
    "multisteplr": lambda o: [S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)],
    "exponentiallr": lambda o: [S.ExponentialLR(o, gamma=0.9)],
    "cosine_t6": lambda o: [S.CosineAnnealingLR(o, T_max=6, eta_min=0.01)],
    "cosine_t10": lambda o: [S.CosineAnnealingLR(o, T_max=10)],
    "linearlr_default": lambda o: [S.LinearLR(o)],
    "linearlr_custom": lambda o: [S.LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=4)],
    "chain_step_exp": lambda o: [S.StepLR(o, step_size=3, gamma=0.5), S.ExponentialLR(o, 0.9)],
    "plateau_default": lambda o: [S.ReduceLROnPlateau(o)],
    "plateau_min": lambda o: [S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1,
                                                  min_lr=[0.01, 0.004])],
    "plateau_max_abs": lambda o: [S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=1,
                                                      threshold=0.1, threshold_mode="abs")],
}


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def main():
    lines = []
    for name, make in CASES.items():
        params = make_params()
        opt = make(*params)
        for step in range(1, STEPS + 1):
            opt.zero_grad()
            loss_fn(*params).backward()
            opt.step()
            flat = torch.cat([p.detach().reshape(-1) for p in params])
            lines.append(f"traj {name} {step} {fmt(flat)}")
    for name, make in SCHEDULERS.items():
        w, W, b = make_params()
        opt = O.SGD([{"params": [w]}, {"params": [W, b], "lr": 0.02}], lr=0.1)
        scheds = make(opt)
        plateau = name.startswith("plateau")
        metrics = [1.0] * STEPS if name == "plateau_default" else PLATEAU_METRICS
        lines.append(f"lr {name} 0 0 {fmt(g['lr'] for g in opt.param_groups)}")
        for epoch in range(1, STEPS + 1):
            opt.step()
            metric = metrics[epoch - 1] if plateau else 0
            for s in scheds:
                s.step(metric) if plateau else s.step()
            lines.append(f"lr {name} {epoch} {metric!r} {fmt(g['lr'] for g in opt.param_groups)}")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "data", "optim_reference.txt"), "w") as f:
        f.write(f"# PyTorch {torch.__version__} reference for test_optim.cpp, written by "
                "tests/make_optim_reference.py\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
