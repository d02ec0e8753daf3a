// ctc_loss: values and gradients against PyTorch's F.ctc_loss (tests/make_ctc_reference.py
// writes tests/data/ctc), float64 finite-difference checks through a log_softmax, error messages.
#include <cmath>
#include <map>

#include "check.hpp"

namespace {

using Named = std::map<std::string, Tensor>;

Named load_case(const std::string& name) {
  Named data;
  for (auto& [key, t] : load_npz("data/ctc/" + name + ".npz")) data[key] = t;
  return data;
}


const std::map<std::string, Reduction> reductions{
    {"none", Reduction::none}, {"mean", Reduction::mean}, {"sum", Reduction::sum}};

CTCOptions case_options(Named& d, Reduction reduction) {
  return CTCOptions()
      .blank(long(d["blank"].item<std::int64_t>()))
      .zero_infinity(d["zero_infinity"].item<std::int64_t>() != 0)
      .reduction(reduction);
}

// Loss and d loss / d log_probs of every reduction (none: of sum(loss · w_none)).
void check_case(const std::string& name, Dtype dtype = f64, double tol = 1e-10) {
  INFO("case ", name, " in ", std::string(to_string(dtype)));
  Named d = load_case(name);
  for (auto& [rname, reduction] : reductions) {
    INFO("reduction ", rname);
    Tensor lp = d["log_probs"].to(dtype).clone().set_requires_grad();
    Tensor loss = ctc_loss(lp, d["targets"], d["input_lengths"], d["target_lengths"],
                           case_options(d, reduction));
    CHECK(loss.dtype() == dtype);
    check_values("loss", loss, d["loss_" + rname], tol);
    (reduction == Reduction::none ? sum(loss * d["w_none"].to(dtype)) : loss).backward();
    check_values("grad", lp.grad(), d["grad_" + rname], tol);
  }
}

Tensor longs(std::initializer_list<double> v) { return from_vector(v, {v.size()}, Dtype::int64); }

}  // namespace

TEST_CASE("ctc_loss matches PyTorch: values and gradients of each reduction") {
  for (const char* name : {"padded", "concatenated", "repeats", "blank2", "unbatched"})
    check_case(name);
}

TEST_CASE("ctc_loss matches PyTorch on raw (unnormalised) inputs: the exp(log_probs) term") {
  check_case("raw");
  check_case("raw_blank3");
}

TEST_CASE("ctc_loss: an impossible alignment is inf (NaN gradient), or 0 with zero_infinity") {
  check_case("impossible");
  check_case("impossible_zero_infinity");
  Named d = load_case("impossible");
  Tensor none = ctc_loss(d["log_probs"], d["targets"], d["input_lengths"], d["target_lengths"],
                         CTCOptions().reduction(Reduction::none));
  CHECK(std::isinf(to_vector(none)[0]));
}

TEST_CASE("ctc_loss in float32, with float lengths and targets, module and ATen spellings") {
  check_case("padded", Dtype::float32, 1e-5);
  Named d = load_case("concatenated");
  Tensor expected = d["loss_mean"];
  Tensor lp = d["log_probs"];
  check_values("float lengths and targets",
               ctc_loss(lp, d["targets"].to(f64), d["input_lengths"].to(Dtype::float32),
                        d["target_lengths"].to(f64)),
               expected);
  nn::CTCLoss criterion;
  check_values("nn::CTCLoss",
               criterion(lp, d["targets"], d["input_lengths"], d["target_lengths"]), expected);
  check_values("ATen order", tg::ctc_loss(lp, d["targets"], d["input_lengths"],
                                          d["target_lengths"], 0, Reduction::sum),
               d["loss_sum"]);
  check_values("nn::functional", nn::functional::ctc_loss(lp, d["targets"], d["input_lengths"],
                                                          d["target_lengths"]),
               expected);
}

TEST_CASE("ctc_loss: input length 0 (loss 0 for an empty target, else inf) and empty target") {
  Tensor lp = log_softmax(randn({3, 2, 4}, f64), 2);
  Tensor loss = ctc_loss(lp, longs({1, 2}), longs({0, 0}), longs({0, 2}),
                         CTCOptions().reduction(Reduction::none));
  CHECK(to_vector(loss) == Values{0.0, INFINITY});
  // An empty target aligns only with all blanks: loss = -Σ_t lp[t, blank].
  Values v = to_vector(lp);
  check_close(ctc_loss(lp, longs({}), longs({3, 2}), longs({0, 0}), 2, Reduction::none),
              {-(v[2] + v[10] + v[18]), -(v[6] + v[14])});
}

TEST_CASE("ctc_loss gradcheck in float64 through log_softmax") {
  manual_seed(3);
  Tensor logits = randn({6, 3, 5}, f64).set_requires_grad();
  for (auto& [rname, reduction] : reductions) {
    INFO("reduction ", rname);
    CHECK(gradcheck(
        [&](const Inputs& in) {  // padded, with a repeat, a shorter input, an empty target
          return ctc_loss(log_softmax(in[0], 2), reshape(longs({1, 1, 2, 4, 3, 0, 0, 0, 0}), {3, 3}),
                          longs({6, 4, 5}), longs({3, 2, 0}), CTCOptions().reduction(reduction));
        },
        {logits}));
    CHECK(gradcheck(
        [&](const Inputs& in) {  // concatenated, blank 4
          return ctc_loss(log_softmax(in[0], 2), longs({1, 2, 3, 3, 0, 0}), longs({6, 6, 5}),
                          longs({3, 1, 2}), 4, reduction);
        },
        {logits}));
  }
  Tensor sequence = randn({5, 4}, f64).set_requires_grad();
  CHECK(gradcheck(  // unbatched
      [&](const Inputs& in) {
        return ctc_loss(log_softmax(in[0], 1), longs({2, 2}), scalar(5, Dtype::int64),
                        scalar(2, Dtype::int64));
      },
      {sequence}));
}

TEST_CASE("ctc_loss errors name the op and the shapes") {
  Tensor lp = zeros({4, 2, 3}, f64), targets = longs({1, 2, 1, 0});
  targets = reshape(targets, {2, 2});
  Tensor four = longs({4, 4}), two = longs({2, 2});
  auto throws = [](auto f, const char* what) {
    INFO(what);
    CHECK_THROWS_WITH(f(), doctest::Contains("ctc_loss"));
    CHECK_THROWS_WITH(f(), doctest::Contains(what));
  };
  CHECK_THROWS_AS(ctc_loss(zeros({4, 3}, f64), targets, four, two), ShapeError);
  throws([&] { return ctc_loss(zeros({4}, f64), targets, four, two); }, "[4]");
  throws([&] { return ctc_loss(zeros({1, 4, 2, 3}, f64), targets, four, two); }, "[1,4,2,3]");
  throws([&] { return ctc_loss(lp, zeros({2, 2, 2}), four, two); }, "[2,2,2]");
  throws([&] { return ctc_loss(lp, zeros({3, 2}), four, two); }, "targets [3,2]");
  throws([&] { return ctc_loss(lp, targets, longs({4, 4, 4}), two); }, "input_lengths [3]");
  throws([&] { return ctc_loss(lp, targets, four, longs({2})); }, "target_lengths [1]");
  CHECK_THROWS_AS(ctc_loss(lp, targets, longs({5, 4}), two), ValueError);
  throws([&] { return ctc_loss(lp, targets, longs({5, 4}), two); }, "input length 5");
  throws([&] { return ctc_loss(lp, targets, longs({4, -1}), two); }, "input length -1");
  throws([&] { return ctc_loss(lp, targets, four, longs({2, 3})); }, "target length 3");
  throws([&] { return ctc_loss(lp, targets, four, longs({-2, 2})); }, "target length -2");
  throws([&] { return ctc_loss(lp, targets, four, two, 3); }, "blank 3");
  throws([&] { return ctc_loss(lp, targets, four, two, -1); }, "blank -1");
  throws([&] { return ctc_loss(lp, longs({1, 2, 1}), four, two); }, "target length 2");
  throws([&] { return ctc_loss(lp, longs({1, 2, 1, 2, 1}), four, two); }, "add up to 4");
  throws([&] { return ctc_loss(lp, longs({1, 2, 1, 3}), four, two); }, "target 3");
  throws([&] { return ctc_loss(lp, tensor({1, 2, 1.5, 1}), four, two); }, "target 1.5");
  throws([&] { return ctc_loss(lp, targets, four, two, 0, Reduction::batchmean); }, "batchmean");
}
