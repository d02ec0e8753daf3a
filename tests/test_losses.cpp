// Losses: every loss against PyTorch 1.13 (values and gradients, float64, from
// data/loss_reference.txt written by make_loss_reference.py), gradcheck of each, edge cases
// (empty batch, ignored targets, extreme logits, p = 0/1, bad shapes and arguments), and two custom
// losses written as plain expressions and trained by gradient descent to a known optimum.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>
#include <xtensor/xarray.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

using namespace tg;
using namespace tg::losses;

namespace {

using Inputs = std::map<std::string, Tensor>;
using LossFn = std::function<Tensor(Inputs&)>;

// case name -> key -> tensor, from the lines "<case> <key> <ndim> <dims...> <values...>".
std::map<std::string, Inputs> load_reference() {
  std::ifstream file("data/loss_reference.txt");
  REQUIRE(file);
  std::map<std::string, Inputs> cases;
  std::string line, name, key, token;
  while (std::getline(file, line)) {
    std::istringstream in(line);
    std::size_t ndim = 0;
    in >> name >> key >> ndim;
    Shape shape(ndim);
    for (auto& d : shape) in >> d;
    std::vector<double> values;
    while (in >> token) values.push_back(std::strtod(token.c_str(), nullptr));
    cases[name][key] = from_vector(values, shape, Dtype::float64);
  }
  return cases;
}

// The same losses as make_loss_reference.py, by case name.
std::map<std::string, LossFn> reference_losses() {
  std::map<std::string, LossFn> f;
  const std::pair<const char*, Reduction> reductions[] = {
      {"none", Reduction::none}, {"mean", Reduction::mean}, {"sum", Reduction::sum}};
  for (const auto& reduction : reductions) {
    std::string s = reduction.first;
    Reduction r = reduction.second;
    f["mse_" + s] = [r](Inputs& d) { return mse_loss(d["input"], d["target"], r); };
    f["l1_" + s] = [r](Inputs& d) { return l1_loss(d["input"], d["target"], r); };
    f["huber_" + s] = [r](Inputs& d) { return huber_loss(d["input"], d["target"], r); };
    f["smooth_l1_" + s] = [r](Inputs& d) { return smooth_l1_loss(d["input"], d["target"], r); };
    f["poisson_nll_" + s] = [r](Inputs& d) {
      return poisson_nll_loss(d["input"], d["target"], PoissonNLLOptions().reduction(r));
    };
    f["gaussian_nll_" + s] = [r](Inputs& d) {
      return gaussian_nll_loss(d["input"], d["target"], d["var"], GaussianNLLOptions().reduction(r));
    };
    f["bce_" + s] = [r](Inputs& d) { return binary_cross_entropy(d["input"], d["target"], r); };
    f["bce_weight_" + s] = [r](Inputs& d) {
      return binary_cross_entropy(d["input"], d["target"], d["weight"], r);
    };
    f["bce_logits_" + s] = [r](Inputs& d) {
      return binary_cross_entropy_with_logits(d["input"], d["target"], BCEWithLogitsOptions().reduction(r));
    };
    f["sigmoid_focal_" + s] = [r](Inputs& d) {
      return sigmoid_focal_loss(d["input"], d["target"], 0.25, 2.0, r);
    };
    f["dice_" + s] = [r](Inputs& d) { return dice_loss(d["input"], d["target"], 1.0, r); };
    f["cross_entropy_" + s] = [r](Inputs& d) {
      return cross_entropy(d["input"], d["target"], CrossEntropyOptions().reduction(r));
    };
    f["cross_entropy_weight_" + s] = [r](Inputs& d) {
      return cross_entropy(d["input"], d["target"], CrossEntropyOptions().weight(d["weight"]).reduction(r));
    };
    f["cross_entropy_ignore_weight_" + s] = f["cross_entropy_weight_" + s];
    f["cross_entropy_smooth_ignore_weight_" + s] = [r](Inputs& d) {
      return cross_entropy(d["input"], d["target"],
                           CrossEntropyOptions().weight(d["weight"]).reduction(r).label_smoothing(0.1));
    };
    f["cross_entropy_nd_" + s] = f["cross_entropy_smooth_ignore_weight_" + s];
    f["cross_entropy_prob_" + s] = f["cross_entropy_" + s];
    f["nll_" + s] = [r](Inputs& d) { return nll_loss(d["input"], d["target"], NLLOptions().reduction(r)); };
    f["nll_ignore_weight_" + s] = [r](Inputs& d) {
      return nll_loss(d["input"], d["target"], NLLOptions().weight(d["weight"]).reduction(r));
    };
    f["multi_margin_" + s] = [r](Inputs& d) {
      return multi_margin_loss(d["input"], d["target"], MultiMarginOptions().reduction(r));
    };
    f["multilabel_margin_" + s] = [r](Inputs& d) {
      return multilabel_margin_loss(d["input"], d["target"], r);
    };
    f["multilabel_soft_margin_" + s] = [r](Inputs& d) {
      return multilabel_soft_margin_loss(d["input"], d["target"], r);
    };
    f["soft_margin_" + s] = [r](Inputs& d) { return soft_margin_loss(d["input"], d["target"], r); };
    f["hinge_embedding_" + s] = [r](Inputs& d) {
      return hinge_embedding_loss(d["input"], d["target"], 1.0, r);
    };
    f["margin_ranking_" + s] = [r](Inputs& d) {
      return margin_ranking_loss(d["input1"], d["input2"], d["target"], 0.0, r);
    };
    f["cosine_embedding_" + s] = [r](Inputs& d) {
      return cosine_embedding_loss(d["input1"], d["input2"], d["target"], 0.0, r);
    };
    f["triplet_" + s] = [r](Inputs& d) {
      return triplet_margin_loss(d["anchor"], d["positive"], d["negative"], TripletMarginOptions().reduction(r));
    };
  }
  for (const auto& reduction : {std::pair<std::string, Reduction>{"none", Reduction::none},
                                 {"mean", Reduction::mean}, {"sum", Reduction::sum},
                                 {"batchmean", Reduction::batchmean}}) {
    const std::string& n = reduction.first;
    Reduction r = reduction.second;
    f["kl_div_" + n] = [r](Inputs& d) { return kl_div(d["input"], d["target"], r); };
    f["kl_div_log_target_" + n] = [r](Inputs& d) {
      return kl_div(d["input"], d["target"], r, true);
    };
  }
  for (double b : {0.5, 0.0, 2.0}) {
    std::ostringstream s;
    s << std::fixed;
    s.precision(1);
    s << b;
    f["smooth_l1_beta" + s.str()] = [b](Inputs& d) {
      return smooth_l1_loss(d["input"], d["target"], Reduction::mean, b);
    };
    if (b > 0)
      f["huber_delta" + s.str()] = [b](Inputs& d) {
        return huber_loss(d["input"], d["target"], Reduction::mean, b);
      };
  }
  f["poisson_nll_full"] = [](Inputs& d) {
    return poisson_nll_loss(d["input"], d["target"], PoissonNLLOptions().full(true));
  };
  f["poisson_nll_nolog"] = [](Inputs& d) {
    return poisson_nll_loss(d["input"], d["target"], PoissonNLLOptions().log_input(false));
  };
  f["poisson_nll_nolog_full_sum"] = [](Inputs& d) {
    return poisson_nll_loss(d["input"], d["target"], PoissonNLLOptions().log_input(false).full(true)
                                                         .eps(1e-3).reduction(Reduction::sum));
  };
  f["gaussian_nll_full"] = [](Inputs& d) {
    return gaussian_nll_loss(d["input"], d["target"], d["var"], GaussianNLLOptions().full(true));
  };
  f["gaussian_nll_var_per_sample"] = [](Inputs& d) {
    return gaussian_nll_loss(d["input"], d["target"], d["var"]);
  };
  f["gaussian_nll_var_column"] = [](Inputs& d) {
    return gaussian_nll_loss(d["input"], d["target"], d["var"],
                             GaussianNLLOptions().eps(1e-3).reduction(Reduction::sum));
  };
  f["bce_edge_none"] = [](Inputs& d) {
    return binary_cross_entropy(d["input"], d["target"], Reduction::none);
  };
  f["bce_logits_weight"] = [](Inputs& d) {
    return binary_cross_entropy_with_logits(d["input"], d["target"], BCEWithLogitsOptions().weight(d["weight"]));
  };
  f["bce_logits_pos_weight"] = [](Inputs& d) {
    return binary_cross_entropy_with_logits(d["input"], d["target"],
                                            BCEWithLogitsOptions().pos_weight(d["pos_weight"]));
  };
  f["bce_logits_both_sum"] = [](Inputs& d) {
    return binary_cross_entropy_with_logits(
        d["input"], d["target"],
        BCEWithLogitsOptions().weight(d["weight"]).pos_weight(d["pos_weight"]).reduction(Reduction::sum));
  };
  f["bce_logits_extreme_none"] = [](Inputs& d) {
    return binary_cross_entropy_with_logits(
        d["input"], d["target"], BCEWithLogitsOptions().pos_weight(d["pos_weight"]).reduction(Reduction::none));
  };
  f["sigmoid_focal_noalpha_gamma1_mean"] = [](Inputs& d) {
    return sigmoid_focal_loss(d["input"], d["target"], -1, 1, Reduction::mean);
  };
  f["dice_smooth0_mean"] = [](Inputs& d) { return dice_loss(d["input"], d["target"], 0.0); };
  f["cross_entropy_ignore2"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"], CrossEntropyOptions().ignore_index(2));
  };
  f["cross_entropy_smooth"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"], CrossEntropyOptions().label_smoothing(0.3));
  };
  f["cross_entropy_smooth_ignore"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"], CrossEntropyOptions().label_smoothing(0.2));
  };
  f["nll_nd_mean"] = [](Inputs& d) {
    return nll_loss(d["input"], d["target"], NLLOptions().weight(d["weight"]));
  };
  f["cross_entropy_unbatched"] = [](Inputs& d) { return cross_entropy(d["input"], d["target"]); };
  f["cross_entropy_extreme_none"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"], CrossEntropyOptions().reduction(Reduction::none));
  };
  f["cross_entropy_prob_weight_smooth"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"],
                         CrossEntropyOptions().weight(d["weight"]).label_smoothing(0.25));
  };
  f["cross_entropy_prob_weight_none"] = [](Inputs& d) {
    return cross_entropy(d["input"], d["target"],
                         CrossEntropyOptions().weight(d["weight"]).reduction(Reduction::none));
  };
  f["multi_margin_p2_margin0.5_weight"] = [](Inputs& d) {
    return multi_margin_loss(d["input"], d["target"], MultiMarginOptions().p(2).margin(0.5).weight(d["weight"]));
  };
  f["multi_margin_weight_sum"] = [](Inputs& d) {
    return multi_margin_loss(d["input"], d["target"],
                             MultiMarginOptions().weight(d["weight"]).reduction(Reduction::sum));
  };
  f["multilabel_margin_unbatched"] = [](Inputs& d) {
    return multilabel_margin_loss(d["input"], d["target"]);
  };
  f["multilabel_soft_margin_weight"] = [](Inputs& d) {
    return multilabel_soft_margin_loss(d["input"], d["target"], d["weight"]);
  };
  f["hinge_embedding_margin0.5"] = [](Inputs& d) {
    return hinge_embedding_loss(d["input"], d["target"], 0.5);
  };
  f["margin_ranking_margin0.3"] = [](Inputs& d) {
    return margin_ranking_loss(d["input1"], d["input2"], d["target"], 0.3);
  };
  f["cosine_embedding_margin0.2"] = [](Inputs& d) {
    return cosine_embedding_loss(d["input1"], d["input2"], d["target"], -0.2);
  };
  f["cosine_similarity"] = [](Inputs& d) { return cosine_similarity(d["input1"], d["input2"]); };
  f["cosine_similarity_dim0_eps"] = [](Inputs& d) {
    return cosine_similarity(d["input1"], d["input2"], 0, 1e-3);
  };
  for (const auto& degree : {std::pair<std::string, double>{"p2.0", 2}, {"p1.0", 1}, {"p3.0", 3},
                             {"pinf", INFINITY}}) {
    double p = degree.second;
    f["pairwise_distance_" + degree.first] = [p](Inputs& d) {
      return pairwise_distance(d["input1"], d["input2"], p);
    };
  }
  f["pairwise_distance_keepdim"] = [](Inputs& d) {
    return pairwise_distance(d["input1"], d["input2"], 2, 1e-3, true);
  };
  f["triplet_p1_margin2_swap"] = [](Inputs& d) {
    return triplet_margin_loss(d["anchor"], d["positive"], d["negative"],
                               TripletMarginOptions().margin(2).p(1).swap(true));
  };
  f["triplet_p3_eps"] = [](Inputs& d) {
    return triplet_margin_loss(d["anchor"], d["positive"], d["negative"],
                               TripletMarginOptions().p(3).eps(1e-2).reduction(Reduction::sum));
  };
  f["triplet_distance_default"] = [](Inputs& d) {
    return triplet_margin_with_distance_loss(d["anchor"], d["positive"], d["negative"]);
  };
  f["triplet_distance_cosine_swap"] = [](Inputs& d) {
    auto cosine_distance = [](Tensor a, Tensor b) { return 1.0 - cosine_similarity(a, b); };
    return triplet_margin_with_distance_loss(
        d["anchor"], d["positive"], d["negative"],
        TripletMarginWithDistanceOptions().distance_function(cosine_distance).margin(0.5).swap(true)
            .reduction(Reduction::sum));
  };
  return f;
}

bool is_result(const std::string& key) {
  return key == "loss" || key == "gout" || key.rfind("grad_", 0) == 0;
}

// |a - b| <= 1e-6·|b| (+1e-12 for values that are 0), NaN matching NaN, equal infinities.
void check_close(const Tensor& actual, const Tensor& expected) {
  REQUIRE(actual.defined());
  REQUIRE(actual.shape() == expected.shape());
  auto a = to_vector(actual), e = to_vector(expected);
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CAPTURE(a[i]);
    CAPTURE(e[i]);
    if (std::isnan(e[i]) || std::isinf(e[i]))
      CHECK((std::isnan(e[i]) ? std::isnan(a[i]) : a[i] == e[i]));
    else
      CHECK(std::abs(a[i] - e[i]) <= 1e-6 * std::abs(e[i]) + 1e-12);
  }
}

// The inputs of a reference case, leaves requiring grad where the reference has a gradient.
Inputs case_inputs(const Inputs& ref) {
  Inputs in;
  for (const auto& [key, t] : ref)
    if (!is_result(key))
      in[key] = t.detach().clone().set_requires_grad(ref.count("grad_" + key) > 0);
  return in;
}

bool all_finite(const Tensor& t) {
  for (double v : to_vector(t))
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE("every loss matches PyTorch 1.13: values and gradients, float64") {
  auto cases = load_reference();
  auto losses = reference_losses();
  CHECK(cases.size() == losses.size());
  for (auto& [name, ref] : cases) {
    CAPTURE(name);
    auto fn = losses.find(name);
    REQUIRE(fn != losses.end());
    Inputs in = case_inputs(ref);
    Tensor loss = fn->second(in);
    check_close(loss, ref["loss"]);
    loss.backward(ref.count("gout") ? ref["gout"] : Tensor());
    for (auto& [key, grad] : ref)
      if (key.rfind("grad_", 0) == 0) {
        CAPTURE(key);
        check_close(in[key.substr(5)].grad(), grad);
      }
  }
}

TEST_CASE("gradcheck of every loss on the reference inputs (float64)") {
  // Not differentiable at these inputs, by design: the p = 0/1 of BCE (finite differences leave
  // [0, 1]), kinks met exactly (a hinge at its margin, |d| at 0 with PyTorch's slope -1), and
  // clamps whose gradient PyTorch passes straight through (tiny norms in cosine_similarity,
  // var < eps in gaussian_nll).
  const std::vector<std::string> skip = {"bce_edge_none", "hinge_embedding", "smooth_l1_beta0.0",
                                         "cosine_similarity",
                                         "gaussian_nll_none", "gaussian_nll_mean",
                                         "gaussian_nll_sum", "gaussian_nll_full"};
  auto losses = reference_losses();
  for (auto& [name, ref] : load_reference()) {
    bool skipped = false;
    for (const auto& s : skip) skipped = skipped || name.rfind(s, 0) == 0;
    if (skipped) continue;
    CAPTURE(name);
    Inputs in = case_inputs(ref);
    std::vector<std::string> keys;
    std::vector<Tensor> values;
    for (auto& [key, t] : in) {
      keys.push_back(key);
      values.push_back(t);
    }
    LossFn fn = losses.at(name);
    CHECK(autograd::gradcheck([&](const std::vector<Tensor>& v) {
      Inputs m;
      for (std::size_t i = 0; i < v.size(); ++i) m[keys[i]] = v[i];
      return fn(m);
    }, values));
  }
}

TEST_CASE("second derivatives of the smooth losses (gradgradcheck), fused cross-entropy included") {
  manual_seed(3);
  Tensor x = randn({3, 4}, Dtype::float64), y = randn({3, 4}, Dtype::float64);
  Tensor p = rand({3, 4}, Dtype::float64) * 0.8 + 0.1, t = rand({3, 4}, Dtype::float64);
  Tensor labels = tensor({2.0, 0.0, 3.0}, Dtype::float64);
  Tensor probs = softmax(randn({3, 4}, Dtype::float64), 1);
  using Fn = std::function<Tensor(const Tensor&)>;
  std::vector<std::pair<const char*, Fn>> fns = {
      {"mse", [&](const Tensor& a) { return mse_loss(a, y); }},
      {"cross_entropy", [&](const Tensor& a) {
         return cross_entropy(a, labels, CrossEntropyOptions().label_smoothing(0.1));
       }},
      {"cross_entropy_prob", [&](const Tensor& a) { return cross_entropy(a, probs); }},
      {"bce", [&](const Tensor& a) { return binary_cross_entropy(sigmoid(a), t); }},
      {"bce_logits", [&](const Tensor& a) {
         return binary_cross_entropy_with_logits(a, t, BCEWithLogitsOptions().pos_weight(ones({4}, Dtype::float64) * 2.0));
       }},
      {"kl_div", [&](const Tensor& a) { return kl_div(log_softmax(a, 1), probs, Reduction::batchmean); }},
      {"poisson_nll", [&](const Tensor& a) { return poisson_nll_loss(a, abs(y)); }},
      {"gaussian_nll", [&](const Tensor& a) { return gaussian_nll_loss(a, y, exp(a)); }},
      {"soft_margin", [&](const Tensor& a) { return soft_margin_loss(a, sign(y)); }},
      {"multilabel_soft_margin", [&](const Tensor& a) { return multilabel_soft_margin_loss(a, t); }},
      {"sigmoid_focal", [&](const Tensor& a) { return sigmoid_focal_loss(a, t, 0.25, 2, Reduction::mean); }},
      {"dice", [&](const Tensor& a) { return dice_loss(sigmoid(a), t); }},
      {"cosine_embedding", [&](const Tensor& a) {
         return cosine_embedding_loss(a, y, tensor({1.0, -1.0, 1.0}, Dtype::float64), -1.0);
       }},
      {"pairwise_distance", [&](const Tensor& a) { return sum(pairwise_distance(a, y, 3.0)); }},
  };
  for (auto& [name, fn] : fns) {
    CAPTURE(name);
    auto f = [fn = fn](const std::vector<Tensor>& v) { return fn(v[0]); };
    CHECK(autograd::gradcheck(f, {x}));
    CHECK(autograd::gradgradcheck(f, {x}));
  }
}

TEST_CASE("gradcheck through broadcast weights and transposed inputs") {
  manual_seed(4);
  Tensor x = randn({5, 3}, Dtype::float64).set_requires_grad();  // used as [3, 5] after transpose
  Tensor t = rand({3, 5}, Dtype::float64);
  Tensor w = (rand({3, 1}, Dtype::float64) + 0.5).set_requires_grad();
  CHECK(autograd::gradcheck([&](const std::vector<Tensor>& v) {
    return binary_cross_entropy_with_logits(transpose(v[0], 0, 1), t, BCEWithLogitsOptions().weight(v[1]));
  }, {x, w}));
  Tensor labels = tensor({4.0, 0.0, 2.0}, Dtype::float64);
  CHECK(autograd::gradcheck([&](const std::vector<Tensor>& v) {
    return cross_entropy(transpose(v[0], 0, 1), labels, CrossEntropyOptions().reduction(Reduction::sum));
  }, {x}));
}

TEST_CASE("empty batch: mean is NaN, sum is 0, none is empty, and backward works (as PyTorch)") {
  Tensor x = zeros({0, 5}, Dtype::float64).set_requires_grad();
  Tensor idx = zeros({0}, Dtype::float64);
  CHECK(std::isnan(cross_entropy(x, idx).item()));
  CHECK(std::isnan(cross_entropy(x, zeros({0, 5}, Dtype::float64)).item()));
  CHECK(std::isnan(mse_loss(x, zeros({0, 5}, Dtype::float64)).item()));
  CHECK(std::isnan(kl_div(x, zeros({0, 5}, Dtype::float64), Reduction::batchmean).item()));
  CHECK(nll_loss(x, idx, NLLOptions().reduction(Reduction::sum)).item() == 0);
  CHECK(cross_entropy(x, idx, CrossEntropyOptions().reduction(Reduction::none)).shape() == Shape{0});
  Tensor loss = cross_entropy(x, idx, CrossEntropyOptions().reduction(Reduction::sum));
  CHECK(loss.item() == 0);
  loss.backward();
  CHECK(x.grad().shape() == Shape{0, 5});
  CHECK(binary_cross_entropy_with_logits(x, zeros({0, 5}), BCEWithLogitsOptions().reduction(Reduction::sum)).item() == 0);
}

TEST_CASE("all targets ignored: NaN loss with a zero gradient (as PyTorch)") {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {0.5, -1.0, 2.0}}, Dtype::float64).set_requires_grad();
  Tensor ignored = tensor({-100.0, -100.0}, Dtype::float64);
  for (double smoothing : {0.0, 0.1}) {
    CAPTURE(smoothing);
    x.zero_grad();
    Tensor loss = cross_entropy(x, ignored, CrossEntropyOptions().label_smoothing(smoothing)
                                              .weight(tensor({1.0, 2.0, 3.0}, Dtype::float64)));
    CHECK(std::isnan(loss.item()));
    loss.backward();
    CHECK(to_vector(x.grad()) == std::vector<double>(6, 0.0));
  }
  CHECK(std::isnan(nll_loss(x, ignored).item()));
  CHECK(cross_entropy(x, ignored, CrossEntropyOptions().reduction(Reduction::sum)).item() == 0);
}

TEST_CASE("extreme logits (±1000) stay finite in float32 and float64") {
  for (Dtype dt : {Dtype::float32, Dtype::float64}) {
    Tensor x = tensor({{1000.0, -1000.0, 0.0}, {-1000.0, 1000.0, 500.0}}, dt).set_requires_grad();
    Tensor loss = cross_entropy(x, tensor({1.0, 2.0}, dt), CrossEntropyOptions().label_smoothing(0.1));
    CHECK(loss.item() == doctest::Approx((0.9 * 2000 + 0.1 / 3 * 3000 + 0.9 * 500 + 0.1 / 3 * 2500) / 2));
    loss.backward();
    CHECK(all_finite(x.grad()));
    Tensor z = tensor({1000.0, -1000.0, 1000.0, -1000.0}, dt).set_requires_grad();
    Tensor bce = binary_cross_entropy_with_logits(z, tensor({0.0, 1.0, 1.0, 0.0}, dt));
    CHECK(bce.item() == doctest::Approx(500));
    bce.backward();
    CHECK(to_vector(z.grad()) == std::vector<double>{0.25, -0.25, 0, 0});
    CHECK(all_finite(soft_margin_loss(z, tensor({-1.0, 1.0, 1.0, -1.0}, dt))));
    CHECK(all_finite(sigmoid_focal_loss(z, tensor({0.0, 1.0, 1.0, 0.0}, dt))));
  }
}

TEST_CASE("a masked logit of -inf adds nothing to cross_entropy and nll_loss") {
  Tensor x = tensor({{2.0, -INFINITY, 0.5}}, Dtype::float64).set_requires_grad();
  Tensor t = tensor({0.0}, Dtype::float64);
  double p0 = std::exp(2.0) / (std::exp(2.0) + std::exp(0.5));
  Tensor loss = cross_entropy(x, t);
  CHECK(loss.item() == doctest::Approx(-std::log(p0)));
  loss.backward();
  auto g = to_vector(x.grad());
  CHECK(g[0] == doctest::Approx(p0 - 1));
  CHECK(g[1] == 0);
  CHECK(g[2] == doctest::Approx(1 - p0));
  CHECK(nll_loss(log_softmax(x.detach(), 1), t).item() == doctest::Approx(-std::log(p0)));
}

TEST_CASE("binary_cross_entropy at p = 0 and 1: clamped log (100), finite gradient") {
  Tensor p = tensor({0.0, 1.0, 0.0, 1.0}, Dtype::float64).set_requires_grad();
  Tensor loss = binary_cross_entropy(p, tensor({1.0, 0.0, 0.0, 1.0}, Dtype::float64), Reduction::none);
  CHECK(to_vector(loss) == std::vector<double>{100, 100, 0, 0});
  sum(loss).backward();
  auto grad = to_vector(p.grad());  // (p - t) / max(p(1-p), 1e-12)
  CHECK(grad[0] == doctest::Approx(-1e12));
  CHECK(grad[1] == doctest::Approx(1e12));
  CHECK(grad[2] == 0);
  CHECK(grad[3] == 0);
  Tensor p32 = tensor({0.0, 1.0}).set_requires_grad();
  binary_cross_entropy(p32, tensor({1.0, 0.0})).backward();
  CHECK(all_finite(p32.grad()));
}

TEST_CASE("float32 losses agree with the float64 reference") {
  auto cases = load_reference();
  auto losses = reference_losses();
  for (const char* name : {"cross_entropy_smooth_ignore_weight_mean", "bce_logits_both_sum",
                           "triplet_mean", "kl_div_batchmean", "mse_mean"}) {
    CAPTURE(name);
    Inputs in;
    for (auto& [key, t] : cases[name])
      if (!is_result(key)) in[key] = t.to(Dtype::float32);
    Tensor loss = losses[name](in);
    CHECK(loss.dtype() == Dtype::float32);
    CHECK(loss.item() == doctest::Approx(cases[name]["loss"].item()).epsilon(1e-5));
  }
}

TEST_CASE("mismatched shapes are a ShapeError naming the loss and both shapes") {
  Tensor a = zeros({3, 4}), b = zeros({4, 3});
  auto expect = [&](const std::function<Tensor()>& f, const std::string& op) {
    CAPTURE(op);
    CHECK_THROWS_AS(f(), ShapeError);
    CHECK_THROWS_WITH(f(), doctest::Contains(op.c_str()));
    CHECK_THROWS_WITH(f(), doctest::Contains("[3,4]"));
  };
  expect([&] { return mse_loss(a, b); }, "mse_loss");
  expect([&] { return l1_loss(a, b); }, "l1_loss");
  expect([&] { return huber_loss(a, b); }, "huber_loss");
  expect([&] { return binary_cross_entropy(a, b); }, "binary_cross_entropy");
  expect([&] { return binary_cross_entropy_with_logits(a, b); }, "binary_cross_entropy_with_logits");
  expect([&] { return kl_div(a, b); }, "kl_div");
  expect([&] { return cross_entropy(a, zeros({4})); }, "cross_entropy");
  expect([&] { return nll_loss(a, zeros({3, 1})); }, "nll_loss");
  expect([&] { return margin_ranking_loss(a, b, a); }, "margin_ranking_loss");
  expect([&] { return gaussian_nll_loss(a, a, zeros({4})); }, "gaussian_nll_loss");
  expect([&] { return multilabel_margin_loss(a, b); }, "multilabel_margin_loss");
  expect([&] { return dice_loss(a, b); }, "dice_loss");
  expect([&] { return cross_entropy(a, zeros({3}), CrossEntropyOptions().weight(ones({3}))); },
         "cross_entropy");
  expect([&] { return binary_cross_entropy_with_logits(a, a, BCEWithLogitsOptions().pos_weight(ones({3}))); },
         "binary_cross_entropy_with_logits");
  CHECK_THROWS_WITH_AS(mse_loss(a, b), "mse_loss: input shape [3,4] and target shape [4,3] differ",
                       ShapeError);
  CHECK_THROWS_AS(triplet_margin_loss(zeros({2, 3}), zeros({3}), zeros({2, 3})), ShapeError);
}

TEST_CASE("bad values and options are ValueErrors naming the loss") {
  Tensor x = zeros({2, 3});
  CHECK_THROWS_WITH_AS(cross_entropy(x, tensor({0.0, 3.0})), doctest::Contains("cross_entropy: target 3"), ValueError);
  CHECK_THROWS_AS(cross_entropy(x, tensor({0.0, -1.0})), ValueError);
  CHECK_THROWS_AS(cross_entropy(x, tensor({0.0, 1.5})), ValueError);
  CHECK_THROWS_AS(nll_loss(x, tensor({0.0, NAN})), ValueError);
  CHECK_THROWS_AS(cross_entropy(x, tensor({0.0, 1.0}), CrossEntropyOptions().label_smoothing(1.5)), ValueError);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(full({2}, 1.5), zeros({2})),
                       doctest::Contains("binary_cross_entropy"), ValueError);
  CHECK_THROWS_AS(binary_cross_entropy(full({2}, NAN), zeros({2})), ValueError);
  CHECK_THROWS_WITH_AS(mse_loss(x, x, Reduction::batchmean), doctest::Contains("mse_loss"), ValueError);
  CHECK_THROWS_AS(huber_loss(x, x, Reduction::mean, 0.0), ValueError);
  CHECK_THROWS_AS(smooth_l1_loss(x, x, Reduction::mean, -1.0), ValueError);
  CHECK_THROWS_AS(multi_margin_loss(x, tensor({0.0, 1.0}), MultiMarginOptions().p(3)), ValueError);
  CHECK_THROWS_AS(multilabel_margin_loss(x, tensor({{0.0, 5.0, -1.0}, {-1.0, 0.0, 0.0}})), ValueError);
  CHECK_THROWS_WITH_AS(gaussian_nll_loss(x, x, full({2, 3}, -1.0)), doctest::Contains("negative"), ValueError);
  CHECK_THROWS_AS(pairwise_distance(x, x, 0.0), ValueError);
}

TEST_CASE("loss modules call their functional forms") {
  manual_seed(5);
  Tensor x = randn({4, 3}, Dtype::float64), y = randn({4, 3}, Dtype::float64);
  Tensor labels = tensor({0.0, 2.0, 1.0, 2.0}, Dtype::float64);
  CHECK(nn::MSELoss()(x, y).item() == mse_loss(x, y).item());
  CHECK(nn::L1Loss(Reduction::sum)(x, y).item() == l1_loss(x, y, Reduction::sum).item());
  CHECK(nn::SmoothL1Loss(Reduction::mean, 0.5)(x, y).item() ==
        smooth_l1_loss(x, y, Reduction::mean, 0.5).item());
  CHECK(nn::HuberLoss(Reduction::sum, 2)(x, y).item() == huber_loss(x, y, Reduction::sum, 2).item());
  nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().label_smoothing(0.2));
  CHECK(ce(x, labels).item() == cross_entropy(x, labels, CrossEntropyOptions().label_smoothing(0.2)).item());
  CHECK(nn::NLLLoss()(log_softmax(x, 1), labels).item() == doctest::Approx(cross_entropy(x, labels).item()));
  CHECK(nn::BCEWithLogitsLoss()(x, sigmoid(y)).item() ==
        binary_cross_entropy_with_logits(x, sigmoid(y)).item());
  CHECK(nn::BCELoss()(sigmoid(x), sigmoid(y)).item() == binary_cross_entropy(sigmoid(x), sigmoid(y)).item());
  CHECK(nn::KLDivLoss(Reduction::batchmean)(log_softmax(x, 1), softmax(y, 1)).item() ==
        kl_div(log_softmax(x, 1), softmax(y, 1), Reduction::batchmean).item());
  CHECK(nn::MarginRankingLoss(0.1)(x, y, sign(x)).item() == margin_ranking_loss(x, y, sign(x), 0.1).item());
  CHECK(nn::TripletMarginLoss()(x, y, -x).item() == triplet_margin_loss(x, y, -x).item());
  CHECK(nn::GaussianNLLLoss()(x, y, exp(y)).item() == gaussian_nll_loss(x, y, exp(y)).item());
  Tensor pm = tensor({1.0, -1.0, 1.0, -1.0}, Dtype::float64);
  CHECK(nn::CosineEmbeddingLoss(0.2)(x, y, pm).item() == cosine_embedding_loss(x, y, pm, 0.2).item());
  CHECK(nn::BCELoss(Reduction::sum)(sigmoid(x), sigmoid(y)).item() ==
        binary_cross_entropy(sigmoid(x), sigmoid(y), Reduction::sum).item());
  CHECK(nn::MultiLabelSoftMarginLoss(ones({3}, Dtype::float64) * 2.0)(x, sigmoid(y)).item() ==
        doctest::Approx(2 * multilabel_soft_margin_loss(x, sigmoid(y)).item()));
  nn::TripletMarginWithDistanceLoss triplet(nn::TripletMarginWithDistanceLossOptions().distance_function(
      [](const Tensor& a, const Tensor& b) { return sum(abs(a - b), {1}); }));
  CHECK(triplet(x, y, -x).item() ==
        doctest::Approx(triplet_margin_loss(x, y, -x, TripletMarginOptions().p(1).eps(0)).item()));
  // chosen at run time through the common interface
  std::vector<std::unique_ptr<nn::LossModule>> pick;
  pick.push_back(std::make_unique<nn::MSELoss>());
  pick.push_back(std::make_unique<nn::HingeEmbeddingLoss>(0.5));
  CHECK((*pick[1])(x, sign(y)).item() == hinge_embedding_loss(x, sign(y), 0.5).item());
}

// --- custom losses: plain expressions, no new class, no hand-written gradient

// Pinball (quantile) loss: mean(max(q·d, (q-1)·d)), d = y - pred. Minimised by the q-quantile.
Tensor pinball(const Tensor& pred, const Tensor& y, double q) {
  Tensor d = y - pred;
  return mean(maximum(q * d, (q - 1) * d));
}

// Contrastive loss (Hadsell et al. 2006): similar pairs (s = 1) pulled together, dissimilar ones
// pushed beyond the margin m: mean(s·d² + (1-s)·max(0, m - d)²).
Tensor contrastive(const Tensor& a, const Tensor& b, const Tensor& similar, double margin) {
  Tensor d = pairwise_distance(a, b);
  Tensor gap = relu(margin - d);
  return mean(similar * d * d + (1.0 - similar) * gap * gap);
}

void gradient_step(Tensor& p, double lr) {
  NoGradGuard no_grad;
  p.mutable_value<double>() -= lr * p.grad().value<double>();
  p.zero_grad();
}

TEST_CASE("custom pinball loss: gradcheck, and gradient descent reaches the 0.9-quantile") {
  Tensor y = arange(0, 100, 1, Dtype::float64) / 100.0;  // 0.00 .. 0.99
  Tensor start = tensor({0.123}, Dtype::float64);
  CHECK(autograd::gradcheck([&](const std::vector<Tensor>& v) { return pinball(v[0], y, 0.9); }, {start}));
  Tensor pred = zeros({1}, Dtype::float64).set_requires_grad();
  for (int step = 0; step < 400; ++step) {
    pinball(pred, y, 0.9).backward();
    gradient_step(pred, 0.05);
  }
  // Every point of [0.89, 0.90] is optimal (90% of the targets below it); the gradient there is
  // 0, and one step from outside moves by lr·0.01.
  CHECK(pred.item() >= 0.89 - 1e-3);
  CHECK(pred.item() <= 0.90 + 1e-3);
}

TEST_CASE("custom contrastive loss: gradcheck, and training separates the two pairs") {
  Tensor pairs_a = tensor({0.0, 2.0, 0.0, 0.0, 1.0, 1.0}, Dtype::float64);
  Tensor pairs_b = tensor({1.0, 3.0, 2.0, 3.0, 2.0, 3.0}, Dtype::float64);
  Tensor similar = tensor({1.0, 1.0, 0.0, 0.0, 0.0, 0.0}, Dtype::float64);  // {0,1} and {2,3}
  auto loss_of = [&](const Tensor& e) {
    return contrastive(index_select(e, 0, pairs_a), index_select(e, 0, pairs_b), similar, 1.0);
  };
  manual_seed(7);
  Tensor emb = (randn({4, 2}, Dtype::float64) * 0.3).set_requires_grad();
  CHECK(autograd::gradcheck([&](const std::vector<Tensor>& v) { return loss_of(v[0]); }, {emb}));
  for (int step = 0; step < 500; ++step) {
    loss_of(emb).backward();
    gradient_step(emb, 0.5);
  }
  // The optimum has loss 0: each pair on one point, the two points at least the margin apart.
  CHECK(loss_of(emb).item() < 1e-4);
  Tensor d = pairwise_distance(index_select(emb, 0, pairs_a), index_select(emb, 0, pairs_b));
  auto dist = to_vector(d);
  CHECK(dist[0] < 0.01);
  CHECK(dist[1] < 0.01);
  for (int i = 2; i < 6; ++i) CHECK(dist[i] > 0.99);
}
