#!/usr/bin/python3
"""Reference values for tests/test_losses.cpp, computed with PyTorch 1.13 in float64.

Run: /usr/bin/python3 tests/make_loss_reference.py  (writes tests/data/loss_reference.txt)

Each case stores its inputs, the loss, and the gradient of the loss (backward with the stored
`gout` for unreduced losses) with respect to every input listed in `grads`. Format, one tensor a
line:  <case> <key> <ndim> <dims...> <values...>   (values in row-major order, %.17g; nan/inf as
C's strtod reads them). The C++ test rebuilds each case by name, so names here and there match.
"""
import math
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
R = ["none", "mean", "sum"]


def randn(*s):
    return torch.randn(*s)


def rand(*s):
    return torch.rand(*s)


def signs(*s):
    return torch.randint(0, 2, s).double() * 2 - 1


def focal(x, t, alpha, gamma, reduction):  # torchvision.ops.sigmoid_focal_loss
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def dice(p, t, smooth, reduction):  # 1 - (2 sum(p t) + smooth) / (sum p + sum t + smooth)
    dims = list(range(1, p.dim()))
    loss = 1 - (2 * (p * t).sum(dims) + smooth) / (p.sum(dims) + t.sum(dims) + smooth)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


cases = []  # (name, inputs dict, keys to differentiate, fn(inputs) -> loss)


def case(name, inputs, grads, fn):
    cases.append((name, inputs, grads, fn))


# --- regression
xy = {"input": randn(3, 4), "target": randn(3, 4)}
xy["target"][1, 2] = xy["input"][1, 2]  # a tie: |d|' = 0 there, as PyTorch
for r in R:
    case(f"mse_{r}", xy, ["input", "target"], lambda d, r=r: F.mse_loss(d["input"], d["target"], reduction=r))
    case(f"l1_{r}", xy, ["input", "target"], lambda d, r=r: F.l1_loss(d["input"], d["target"], reduction=r))
    case(f"huber_{r}", xy, ["input"], lambda d, r=r: F.huber_loss(d["input"], d["target"], reduction=r))
    case(f"smooth_l1_{r}", xy, ["input"], lambda d, r=r: F.smooth_l1_loss(d["input"], d["target"], reduction=r))
for b in [0.5, 0.0, 2.0]:
    case(f"smooth_l1_beta{b}", xy, ["input"], lambda d, b=b: F.smooth_l1_loss(d["input"], d["target"], beta=b))
    if b > 0:
        case(f"huber_delta{b}", xy, ["input"], lambda d, b=b: F.huber_loss(d["input"], d["target"], delta=b))

pois = {"input": randn(3, 4), "target": torch.tensor([[0., 1, 2, 3], [4, 0, 1, 5], [2, 2, 7, 0.5]])}
pois_pos = {"input": rand(3, 4) + 0.1, "target": pois["target"]}
for r in R:
    case(f"poisson_nll_{r}", pois, ["input"], lambda d, r=r: F.poisson_nll_loss(d["input"], d["target"], reduction=r))
case("poisson_nll_full", pois, ["input"], lambda d: F.poisson_nll_loss(d["input"], d["target"], full=True))
case("poisson_nll_nolog", pois_pos, ["input"], lambda d: F.poisson_nll_loss(d["input"], d["target"], log_input=False))
case("poisson_nll_nolog_full_sum", pois_pos, ["input"],
     lambda d: F.poisson_nll_loss(d["input"], d["target"], log_input=False, full=True, eps=1e-3, reduction="sum"))

g = {"input": randn(4, 3), "target": randn(4, 3), "var": rand(4, 3) + 0.1}
g["var"][0, 1] = 1e-7  # below eps: clamped, gradient passes straight through (as PyTorch)
for r in R:
    case(f"gaussian_nll_{r}", g, ["input", "var"], lambda d, r=r: F.gaussian_nll_loss(d["input"], d["target"], d["var"], reduction=r))
case("gaussian_nll_full", g, ["input", "var"], lambda d: F.gaussian_nll_loss(d["input"], d["target"], d["var"], full=True))
g_hom = {"input": g["input"], "target": g["target"], "var": rand(4) + 0.5}
case("gaussian_nll_var_per_sample", g_hom, ["input", "var"], lambda d: F.gaussian_nll_loss(d["input"], d["target"], d["var"]))
g_col = {"input": g["input"], "target": g["target"], "var": rand(4, 1) + 0.5}
case("gaussian_nll_var_column", g_col, ["input", "var"], lambda d: F.gaussian_nll_loss(d["input"], d["target"], d["var"], eps=1e-3, reduction="sum"))

# --- binary classification
pb = {"input": rand(3, 4) * 0.9 + 0.05, "target": rand(3, 4), "weight": rand(4) + 0.5}
for r in R:
    case(f"bce_{r}", pb, ["input"], lambda d, r=r: F.binary_cross_entropy(d["input"], d["target"], reduction=r))
    case(f"bce_weight_{r}", pb, ["input"], lambda d, r=r: F.binary_cross_entropy(d["input"], d["target"], d["weight"], reduction=r))
pb_edge = {"input": torch.tensor([0., 1, 0, 1, 0.5]), "target": torch.tensor([1., 0, 0, 1, 1])}
case("bce_edge_none", pb_edge, ["input"], lambda d: F.binary_cross_entropy(d["input"], d["target"], reduction="none"))

lb = {"input": randn(3, 4) * 3, "target": rand(3, 4), "weight": rand(3, 1) + 0.5, "pos_weight": rand(4) * 3}
for r in R:
    case(f"bce_logits_{r}", lb, ["input"], lambda d, r=r: F.binary_cross_entropy_with_logits(d["input"], d["target"], reduction=r))
case("bce_logits_weight", lb, ["input"], lambda d: F.binary_cross_entropy_with_logits(d["input"], d["target"], d["weight"]))
case("bce_logits_pos_weight", lb, ["input"], lambda d: F.binary_cross_entropy_with_logits(d["input"], d["target"], pos_weight=d["pos_weight"]))
case("bce_logits_both_sum", lb, ["input"],
     lambda d: F.binary_cross_entropy_with_logits(d["input"], d["target"], d["weight"], pos_weight=d["pos_weight"], reduction="sum"))
lb_edge = {"input": torch.tensor([1000., -1000, 1000, -1000, 0]), "target": torch.tensor([0., 1, 1, 0, 1]),
           "pos_weight": torch.tensor([2.])}
case("bce_logits_extreme_none", lb_edge, ["input"],
     lambda d: F.binary_cross_entropy_with_logits(d["input"], d["target"], pos_weight=d["pos_weight"], reduction="none"))

fo = {"input": randn(3, 4) * 2, "target": (rand(3, 4) > 0.5).double()}
for r in R:
    case(f"sigmoid_focal_{r}", fo, ["input"], lambda d, r=r: focal(d["input"], d["target"], 0.25, 2, r))
case("sigmoid_focal_noalpha_gamma1_mean", fo, ["input"], lambda d: focal(d["input"], d["target"], -1, 1, "mean"))

di = {"input": rand(2, 3, 4), "target": (rand(2, 3, 4) > 0.5).double()}
for r in R:
    case(f"dice_{r}", di, ["input"], lambda d, r=r: dice(d["input"], d["target"], 1.0, r))
case("dice_smooth0_mean", di, ["input"], lambda d: dice(d["input"], d["target"], 0.0, "mean"))

# --- multi-class
ce = {"input": randn(4, 5), "target": torch.tensor([1., 0, 4, 2]), "weight": rand(5) + 0.2}
ce_ign = {"input": ce["input"], "target": torch.tensor([1., -100, 4, 2]), "weight": ce["weight"]}
for r in R:
    case(f"cross_entropy_{r}", ce, ["input"], lambda d, r=r: F.cross_entropy(d["input"], d["target"].long(), reduction=r))
    case(f"cross_entropy_weight_{r}", ce, ["input"],
         lambda d, r=r: F.cross_entropy(d["input"], d["target"].long(), d["weight"], reduction=r))
    case(f"cross_entropy_ignore_weight_{r}", ce_ign, ["input"],
         lambda d, r=r: F.cross_entropy(d["input"], d["target"].long(), d["weight"], reduction=r))
    case(f"cross_entropy_smooth_ignore_weight_{r}", ce_ign, ["input"],
         lambda d, r=r: F.cross_entropy(d["input"], d["target"].long(), d["weight"], reduction=r, label_smoothing=0.1))
    case(f"nll_{r}", ce, ["input"], lambda d, r=r: F.nll_loss(d["input"], d["target"].long(), reduction=r))
    case(f"nll_ignore_weight_{r}", ce_ign, ["input"],
         lambda d, r=r: F.nll_loss(d["input"], d["target"].long(), d["weight"], reduction=r))
case("cross_entropy_ignore2", ce, ["input"], lambda d: F.cross_entropy(d["input"], d["target"].long(), ignore_index=2))
case("cross_entropy_smooth", ce, ["input"], lambda d: F.cross_entropy(d["input"], d["target"].long(), label_smoothing=0.3))
case("cross_entropy_smooth_ignore", ce_ign, ["input"],
     lambda d: F.cross_entropy(d["input"], d["target"].long(), label_smoothing=0.2))
ce_nd = {"input": randn(2, 3, 2, 2), "target": torch.tensor([[[0., 2], [1, 1]], [[2, 0], [-100, 1]]]), "weight": rand(3) + 0.2}
for r in R:
    case(f"cross_entropy_nd_{r}", ce_nd, ["input"],
         lambda d, r=r: F.cross_entropy(d["input"], d["target"].long(), d["weight"], reduction=r, label_smoothing=0.1))
case("nll_nd_mean", ce_nd, ["input"], lambda d: F.nll_loss(d["input"], d["target"].long(), d["weight"]))
ce_1d = {"input": randn(5), "target": torch.tensor(3.)}
case("cross_entropy_unbatched", ce_1d, ["input"], lambda d: F.cross_entropy(d["input"], d["target"].long()))
ce_ext = {"input": torch.tensor([[1000., -1000, 0], [-1000, 1000, 500], [0, 0, -1000]]), "target": torch.tensor([1., 1, 2])}
case("cross_entropy_extreme_none", ce_ext, ["input"], lambda d: F.cross_entropy(d["input"], d["target"].long(), reduction="none"))
ce_p = {"input": randn(4, 5), "target": torch.softmax(randn(4, 5), 1), "weight": rand(5) + 0.2}
for r in R:
    case(f"cross_entropy_prob_{r}", ce_p, ["input", "target"], lambda d, r=r: F.cross_entropy(d["input"], d["target"], reduction=r))
case("cross_entropy_prob_weight_smooth", ce_p, ["input"],
     lambda d: F.cross_entropy(d["input"], d["target"], d["weight"], label_smoothing=0.25))
case("cross_entropy_prob_weight_none", ce_p, ["input"],
     lambda d: F.cross_entropy(d["input"], d["target"], d["weight"], reduction="none"))

kl = {"input": torch.log_softmax(randn(3, 4), 1), "target": torch.softmax(randn(3, 4), 1)}
kl["target"][0, 0] = 0.0  # 0 log 0 = 0
kl_log = {"input": kl["input"], "target": torch.log_softmax(randn(3, 4), 1)}
for r in R + ["batchmean"]:
    case(f"kl_div_{r}", kl, ["input"], lambda d, r=r: F.kl_div(d["input"], d["target"], reduction=r))
    case(f"kl_div_log_target_{r}", kl_log, ["input", "target"],
         lambda d, r=r: F.kl_div(d["input"], d["target"], reduction=r, log_target=True))

mm = {"input": randn(4, 5), "target": torch.tensor([1., 0, 4, 2]), "weight": rand(5) + 0.2}
for r in R:
    case(f"multi_margin_{r}", mm, ["input"], lambda d, r=r: F.multi_margin_loss(d["input"], d["target"].long(), reduction=r))
case("multi_margin_p2_margin0.5_weight", mm, ["input"],
     lambda d: F.multi_margin_loss(d["input"], d["target"].long(), p=2, margin=0.5, weight=d["weight"]))
case("multi_margin_weight_sum", mm, ["input"],
     lambda d: F.multi_margin_loss(d["input"], d["target"].long(), weight=d["weight"], reduction="sum"))

ml = {"input": randn(3, 5), "target": torch.tensor([[3., 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 2, 3, 4]])}
for r in R:
    case(f"multilabel_margin_{r}", ml, ["input"],
         lambda d, r=r: F.multilabel_margin_loss(d["input"], d["target"].long(), reduction=r))
ml_1d = {"input": randn(4), "target": torch.tensor([2., 0, -1, 3])}
case("multilabel_margin_unbatched", ml_1d, ["input"], lambda d: F.multilabel_margin_loss(d["input"], d["target"].long()))
ms = {"input": randn(3, 5), "target": (rand(3, 5) > 0.5).double(), "weight": rand(5) + 0.5}
for r in R:
    case(f"multilabel_soft_margin_{r}", ms, ["input"], lambda d, r=r: F.multilabel_soft_margin_loss(d["input"], d["target"], reduction=r))
case("multilabel_soft_margin_weight", ms, ["input"],
     lambda d: F.multilabel_soft_margin_loss(d["input"], d["target"], d["weight"]))
sm = {"input": randn(3, 4), "target": signs(3, 4)}
for r in R:
    case(f"soft_margin_{r}", sm, ["input"], lambda d, r=r: F.soft_margin_loss(d["input"], d["target"], reduction=r))

# --- embeddings and ranking
he = {"input": randn(3, 4), "target": signs(3, 4)}
he["input"][0, 0], he["target"][0, 0] = 1.0, -1.0  # exactly at the margin: clamp passes the gradient
for r in R:
    case(f"hinge_embedding_{r}", he, ["input"], lambda d, r=r: F.hinge_embedding_loss(d["input"], d["target"], reduction=r))
case("hinge_embedding_margin0.5", he, ["input"], lambda d: F.hinge_embedding_loss(d["input"], d["target"], margin=0.5))
mr = {"input1": randn(6), "input2": randn(6), "target": signs(6)}
for r in R:
    case(f"margin_ranking_{r}", mr, ["input1", "input2"],
         lambda d, r=r: F.margin_ranking_loss(d["input1"], d["input2"], d["target"], reduction=r))
case("margin_ranking_margin0.3", mr, ["input1", "input2"],
     lambda d: F.margin_ranking_loss(d["input1"], d["input2"], d["target"], margin=0.3))
co = {"input1": randn(4, 5), "input2": randn(4, 5), "target": torch.tensor([1., -1, -1, 1])}
for r in R:
    case(f"cosine_embedding_{r}", co, ["input1", "input2"],
         lambda d, r=r: F.cosine_embedding_loss(d["input1"], d["input2"], d["target"], reduction=r))
case("cosine_embedding_margin0.2", co, ["input1", "input2"],
     lambda d: F.cosine_embedding_loss(d["input1"], d["input2"], d["target"], margin=-0.2))
cs = {"input1": randn(3, 4), "input2": randn(3, 4)}
cs["input1"][2] = torch.tensor([1e-10, 0, 2e-10, 0])  # norm below eps: clamped, straight-through
case("cosine_similarity", cs, ["input1", "input2"], lambda d: F.cosine_similarity(d["input1"], d["input2"]))
case("cosine_similarity_dim0_eps", cs, ["input1", "input2"],
     lambda d: F.cosine_similarity(d["input1"], d["input2"], dim=0, eps=1e-3))
for p in [2.0, 1.0, 3.0, math.inf]:
    case(f"pairwise_distance_p{p}", cs, ["input1", "input2"], lambda d, p=p: F.pairwise_distance(d["input1"], d["input2"], p=p))
case("pairwise_distance_keepdim", cs, ["input1", "input2"],
     lambda d: F.pairwise_distance(d["input1"], d["input2"], eps=1e-3, keepdim=True))

tr = {"anchor": randn(4, 5), "positive": randn(4, 5), "negative": randn(4, 5)}
for r in R:
    case(f"triplet_{r}", tr, ["anchor", "positive", "negative"],
         lambda d, r=r: F.triplet_margin_loss(d["anchor"], d["positive"], d["negative"], reduction=r))
case("triplet_p1_margin2_swap", tr, ["anchor", "positive", "negative"],
     lambda d: F.triplet_margin_loss(d["anchor"], d["positive"], d["negative"], margin=2.0, p=1, swap=True))
case("triplet_p3_eps", tr, ["anchor", "positive", "negative"],
     lambda d: F.triplet_margin_loss(d["anchor"], d["positive"], d["negative"], p=3, eps=1e-2, reduction="sum"))
case("triplet_distance_default", tr, ["anchor", "positive", "negative"],
     lambda d: F.triplet_margin_with_distance_loss(d["anchor"], d["positive"], d["negative"]))
cosdist = lambda a, b: 1.0 - F.cosine_similarity(a, b)
case("triplet_distance_cosine_swap", tr, ["anchor", "positive", "negative"],
     lambda d: F.triplet_margin_with_distance_loss(d["anchor"], d["positive"], d["negative"],
                                                   distance_function=cosdist, margin=0.5, swap=True, reduction="sum"))


def fmt(v):
    v = float(v)
    return "nan" if math.isnan(v) else ("inf" if v == math.inf else ("-inf" if v == -math.inf else "%.17g" % v))


def line(name, key, t):
    t = t.detach().double()
    return " ".join([name, key, str(t.dim())] + [str(s) for s in t.shape] + [fmt(v) for v in t.flatten().tolist()])


out = []
for name, inputs, grads, fn in cases:
    d = {k: v.detach().clone().requires_grad_(k in grads) for k, v in inputs.items()}
    loss = fn(d)
    for k, v in inputs.items():
        out.append(line(name, k, v))
    out.append(line(name, "loss", loss))
    if loss.dim() == 0:
        loss.backward()
    else:  # weight each element differently so misplaced gradients show
        gout = torch.linspace(0.5, 1.5, loss.numel()).reshape(loss.shape)
        out.append(line(name, "gout", gout))
        loss.backward(gout)
    for k in grads:
        out.append(line(name, "grad_" + k, d[k].grad))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "loss_reference.txt")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")
print(f"{len(cases)} cases -> {path}")
