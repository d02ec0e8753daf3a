// Optimizers, LR schedulers and gradient clipping. Trajectories and lr sequences are compared
// with PyTorch 1.13 numbers in data/optim_reference.txt (written by make_optim_reference.py).
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

using namespace tg;
using namespace tg::optim;

namespace {

// ---------------------------------------------------------------- the reference file
struct Reference {
  std::map<std::string, std::vector<std::vector<double>>> traj;  // case -> step-1 -> values
  std::map<std::string, std::vector<std::vector<double>>> lr;    // case -> epoch -> lrs
  std::map<std::string, std::vector<double>> metric;             // case -> epoch -> metric
};

const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    std::ifstream in("data/optim_reference.txt");
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream s(line);
      std::string kind, name;
      std::size_t index = 0;
      s >> kind >> name >> index;
      std::vector<double> values;
      double metric = 0, v = 0;
      if (kind == "lr") s >> metric;
      while (s >> v) values.push_back(v);
      if (kind == "traj") r.traj[name].push_back(values);
      if (kind == "lr") {
        r.lr[name].push_back(values);
        r.metric[name].push_back(metric);
      }
    }
    return r;
  }();
  return ref;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double rel) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(got[i] - want[i]) <= rel * std::abs(want[i]) + 1e-12);
  }
}

// ---------------------------------------------------------------- the problem
// loss = 0.5 * sum(a * (w - t)^2) + mean((X W^T + b - y)^2), gradients by hand.
const std::vector<double> A{1, 10, 0.1}, T{1, -2, 0.5}, Y{1, -0.5, 0.8, 2.5};
const double X[4][2] = {{1, 2}, {0.5, -1}, {-1.5, 0.3}, {2, 1}};

struct Problem {
  Tensor w, W, b;
  explicit Problem(Dtype dtype = Dtype::float64,
                   const std::vector<double>& v = {0.5, -1.0, 2.0, 0.3, -0.2, 0.1})
      : w(from_vector({v[0], v[1], v[2]}, {3}, dtype).set_requires_grad()),
        W(from_vector({v[3], v[4]}, {1, 2}, dtype).set_requires_grad()),
        b(from_vector({v[5]}, {1}, dtype).set_requires_grad()) {}
  std::vector<Tensor> params() const { return {w, W, b}; }
  void set_grads() const {
    std::vector<double> vw = to_vector(w), vW = to_vector(W), gw(3), gW(2, 0.0);
    double vb = b.item(), gb = 0;
    for (int i = 0; i < 3; ++i) gw[i] = A[i] * (vw[i] - T[i]);
    for (int i = 0; i < 4; ++i) {
      double r = X[i][0] * vW[0] + X[i][1] * vW[1] + vb - Y[i];
      gW[0] += 0.5 * r * X[i][0];
      gW[1] += 0.5 * r * X[i][1];
      gb += 0.5 * r;
    }
    w.set_grad(from_vector(gw, {3}, w.dtype()));
    W.set_grad(from_vector(gW, {1, 2}, W.dtype()));
    b.set_grad(from_vector({gb}, {1}, b.dtype()));
  }
  std::vector<double> values() const {
    std::vector<double> out;
    for (const Tensor& p : params())
      for (double v : to_vector(p)) out.push_back(v);
    return out;
  }
};

using Factory = std::function<std::unique_ptr<Optimizer>(const Problem&)>;
template <class Opt, class Options> Factory one(Options options) {
  return [options](const Problem& p) { return std::make_unique<Opt>(p.params(), options); };
}
template <class Opt, class Options> Factory two(Options defaults, Options second) {
  return [=](const Problem& p) {
    std::vector<ParamGroup> groups{ParamGroup({p.w}), ParamGroup({p.W, p.b}, second)};
    return std::make_unique<Opt>(groups, defaults);
  };
}

// The same cases as make_optim_reference.py.
const std::map<std::string, Factory>& cases() {
  static const std::map<std::string, Factory> c{
      {"sgd_plain", one<SGD>(SGDOptions(0.05))},
      {"sgd_momentum", one<SGD>(SGDOptions(0.05).momentum(0.9))},
      {"sgd_dampening", one<SGD>(SGDOptions(0.05).momentum(0.9).dampening(0.5))},
      {"sgd_nesterov", one<SGD>(SGDOptions(0.05).momentum(0.9).nesterov(true))},
      {"sgd_weight_decay", one<SGD>(SGDOptions(0.05).weight_decay(0.1))},
      {"sgd_maximize", one<SGD>(SGDOptions(0.01).momentum(0.5).maximize(true))},
      {"sgd_all", one<SGD>(SGDOptions(0.03).momentum(0.8).nesterov(true).weight_decay(0.2))},
      {"sgd_groups", two<SGD>(SGDOptions(0.05).momentum(0.9), SGDOptions(0.01).momentum(0.9))},
      {"adam_default", one<Adam>(AdamOptions())},
      {"adam_lr", one<Adam>(AdamOptions(0.1))},
      {"adam_betas", one<Adam>(AdamOptions(0.1).betas({0.8, 0.99}).eps(1e-3))},
      {"adam_weight_decay", one<Adam>(AdamOptions(0.1).weight_decay(0.1))},
      {"adam_amsgrad", one<Adam>(AdamOptions(0.1).amsgrad(true))},
      {"adam_maximize", one<Adam>(AdamOptions(0.1).maximize(true))},
      {"adam_all",
       one<Adam>(AdamOptions(0.05).betas({0.5, 0.9}).weight_decay(0.3).amsgrad(true))},
      {"adam_groups",
       two<Adam>(AdamOptions(0.1), AdamOptions(0.02).amsgrad(true).betas({0.5, 0.9}))},
      {"adamw_default", one<AdamW>(AdamWOptions())},
      {"adamw_lr", one<AdamW>(AdamWOptions(0.1))},
      {"adamw_weight_decay", one<AdamW>(AdamWOptions(0.1).weight_decay(0.5))},
      {"adamw_amsgrad", one<AdamW>(AdamWOptions(0.1).amsgrad(true))},
      {"adamw_maximize", one<AdamW>(AdamWOptions(0.1).maximize(true))},
      {"rmsprop_default", one<RMSprop>(RMSpropOptions())},
      {"rmsprop_alpha", one<RMSprop>(RMSpropOptions(0.01).alpha(0.9).eps(1e-4))},
      {"rmsprop_weight_decay", one<RMSprop>(RMSpropOptions().weight_decay(0.1))},
      {"rmsprop_momentum", one<RMSprop>(RMSpropOptions(0.01).momentum(0.9))},
      {"rmsprop_centered", one<RMSprop>(RMSpropOptions().centered(true))},
      {"rmsprop_centered_momentum",
       one<RMSprop>(RMSpropOptions(0.005).centered(true).momentum(0.5))},
      {"rmsprop_maximize", one<RMSprop>(RMSpropOptions().maximize(true))},
      {"adagrad_default", one<Adagrad>(AdagradOptions())},
      {"adagrad_lr", one<Adagrad>(AdagradOptions(0.1))},
      {"adagrad_lr_decay", one<Adagrad>(AdagradOptions(0.1).lr_decay(0.1))},
      {"adagrad_weight_decay", one<Adagrad>(AdagradOptions(0.1).weight_decay(0.1))},
      {"adagrad_initial_accumulator",
       one<Adagrad>(AdagradOptions(0.1).initial_accumulator_value(0.5).eps(1e-3))},
      {"adagrad_maximize", one<Adagrad>(AdagradOptions(0.1).maximize(true))},
  };
  return c;
}

void run(Optimizer& opt, const Problem& p, int steps) {
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    p.set_grads();
    opt.step();
  }
}

}  // namespace

TEST_CASE("every optimizer and option combination follows PyTorch's trajectory (float64)") {
  REQUIRE(reference().traj.size() == cases().size());
  for (const auto& [name, make] : cases()) {
    CAPTURE(name);
    const auto& want = reference().traj.at(name);
    REQUIRE(want.size() == 20);
    Problem p;
    auto opt = make(p);
    for (int step = 0; step < 20; ++step) {
      CAPTURE(step + 1);
      run(*opt, p, 1);
      check_close(p.values(), want[step], 1e-6);
    }
  }
}

TEST_CASE("float32 parameters follow the float64 trajectory closely and stay float32") {
  for (const char* name : {"sgd_nesterov", "adam_all", "adamw_amsgrad",
                           "rmsprop_centered_momentum", "adagrad_lr_decay"}) {
    CAPTURE(name);
    Problem p(Dtype::float32);
    auto opt = cases().at(name)(p);
    run(*opt, p, 20);
    for (const Tensor& t : p.params()) CHECK(t.dtype() == Dtype::float32);
    check_close(p.values(), reference().traj.at(name)[19], 1e-4);
  }
}

TEST_CASE("parameter groups keep their own options; defaults fill groups without options") {
  Problem p;
  SGD opt({ParamGroup({p.w}), ParamGroup({p.W, p.b}, SGDOptions(0.01).momentum(0.9))},
          SGDOptions(0.05));
  REQUIRE(opt.param_groups().size() == 2);
  CHECK(opt.param_groups()[0].options().get_lr() == 0.05);
  CHECK(opt.param_groups()[1].options().get_lr() == 0.01);
  CHECK(static_cast<const SGDOptions&>(opt.param_groups()[0].options()).momentum() == 0);
  CHECK(static_cast<const SGDOptions&>(opt.param_groups()[1].options()).momentum() == 0.9);
  CHECK(opt.defaults().get_lr() == 0.05);

  Tensor extra = tensor({1.0}, Dtype::float64).set_requires_grad();
  opt.add_param_group(ParamGroup({extra}, SGDOptions(0.5)));
  extra.set_grad(tensor({2.0}, Dtype::float64));
  opt.step();
  CHECK(extra.item() == doctest::Approx(0.0));  // 1 - 0.5 * 2
  CHECK_THROWS_WITH_AS(opt.add_param_group(ParamGroup({p.w})),
                       doctest::Contains("more than once"), ValueError);
  CHECK_THROWS_WITH_AS(SGD({p.w * 2.0}, SGDOptions(0.1)), doctest::Contains("non-leaf"),
                       ValueError);
  CHECK_THROWS_WITH_AS(SGD(std::vector<Tensor>{}, SGDOptions(0.1)),
                       doctest::Contains("empty parameter list"), ValueError);
}

TEST_CASE("parameters without a gradient are skipped and get no state") {
  Problem p;
  Tensor frozen = tensor({1.0, 2.0}, Dtype::float64).set_requires_grad();
  std::vector<Tensor> params = p.params();
  params.push_back(frozen);
  Adam opt(params, AdamOptions(0.1));
  run(opt, p, 3);
  CHECK(to_vector(frozen) == std::vector<double>{1, 2});
  check_close(p.values(), reference().traj.at("adam_lr")[2], 1e-6);
  for (const auto& [key, value] : opt.state_dict()) CHECK(key.rfind("state.3.", 0) != 0);
}

TEST_CASE("zero_grad drops gradients by default, or zeroes them in place") {
  Problem p;
  SGD opt(p.params(), SGDOptions(0.1));
  p.set_grads();
  opt.zero_grad();
  for (const Tensor& t : p.params()) CHECK_FALSE(t.grad().defined());
  p.set_grads();
  Tensor held = p.W.grad();
  opt.zero_grad(false);
  CHECK(to_vector(p.W.grad()) == std::vector<double>{0, 0});
  CHECK(p.W.grad().shape() == Shape{1, 2});
  CHECK(to_vector(held) == std::vector<double>{0, 0});  // in place, like PyTorch
  opt.step();  // zero gradients: the parameters stay put
  CHECK(to_vector(p.W) == std::vector<double>{0.3, -0.2});
}

TEST_CASE("step with a closure re-evaluates the loss with grad mode on") {
  Tensor x = tensor({3.0}, Dtype::float64).set_requires_grad();
  SGD opt({x}, SGDOptions(0.25));
  Tensor loss = opt.step([&] {
    opt.zero_grad();
    Tensor l = sum(x * x);
    l.backward();
    return l;
  });
  CHECK(loss.item() == 9);
  CHECK(x.item() == doctest::Approx(1.5));  // 3 - 0.25 * 6
}

TEST_CASE("state_dict -> npz -> load_state_dict into a fresh optimizer continues the trajectory") {
  for (const char* name : {"sgd_groups", "adam_all", "adamw_amsgrad", "rmsprop_centered_momentum",
                           "adagrad_lr_decay"}) {
    CAPTURE(name);
    const auto& want = reference().traj.at(name);
    Problem first;
    auto opt = cases().at(name)(first);
    run(*opt, first, 10);
    NamedTensors state = opt->state_dict();
    run(*opt, first, 1);  // the saved copies must not follow the live state
    auto path = (std::filesystem::temp_directory_path() / "tapegrad_optim_state.npz").string();
    save_npz(path, state);
    state = load_npz(path);
    std::filesystem::remove(path);

    Problem second(Dtype::float64, want[9]);  // fresh parameters at the values after step 10
    auto fresh = cases().at(name)(second);
    fresh->load_state_dict(state);
    for (int step = 10; step < 20; ++step) {
      CAPTURE(step + 1);
      run(*fresh, second, 1);
      check_close(second.values(), want[step], 1e-6);
    }
  }
}

TEST_CASE("state_dict names: group lrs, step counts as 0-d tensors, named buffers") {
  Problem p;
  Adam opt(p.params(), AdamOptions(0.1).amsgrad(true));
  run(opt, p, 4);
  std::map<std::string, Tensor> state;
  for (const auto& [key, value] : opt.state_dict()) state[key] = value;
  CHECK(state.size() == 1 + 3 * 4);
  CHECK(state.at("param_groups.0.lr").item() == 0.1);
  CHECK(state.at("state.1.step").ndim() == 0);
  CHECK(state.at("state.1.step").item() == 4);
  CHECK(state.at("state.1.exp_avg").shape() == Shape{1, 2});
  CHECK(state.count("state.2.max_exp_avg_sq") == 1);

  SGD plain(p.params(), SGDOptions(0.1));  // no momentum: no buffers, only step counts
  run(plain, p, 1);
  for (const auto& [key, value] : plain.state_dict()) CHECK(key.find("momentum") == key.npos);

  // A scheduler's lr comes back with the state.
  Adam restored(p.params(), AdamOptions(0.5));
  restored.load_state_dict(opt.state_dict());
  CHECK(restored.param_groups()[0].options().get_lr() == 0.1);
}

TEST_CASE("load_state_dict rejects unknown names, bad indices and bad shapes") {
  Problem p;
  Adam opt(p.params());
  auto load = [&](const std::string& key, const Tensor& value) {
    opt.load_state_dict({{key, value}});
  };
  CHECK_THROWS_WITH_AS(load("state.0.momentum", zeros({3}, Dtype::float64)),
                       doctest::Contains("state.0.momentum"), ValueError);
  CHECK_THROWS_WITH_AS(load("state.7.exp_avg", zeros({3}, Dtype::float64)),
                       doctest::Contains("there are 3"), ValueError);
  CHECK_THROWS_WITH_AS(load("state.0.exp_avg", zeros({2}, Dtype::float64)),
                       doctest::Contains("[2]"), ShapeError);
  CHECK_THROWS_AS(load("param_groups.1.lr", scalar(0.1)), ValueError);
  CHECK_THROWS_AS(load("param_groups.x.lr", scalar(0.1)), ValueError);
  CHECK_THROWS_AS(load("weights", scalar(0.1)), ValueError);
  CHECK_NOTHROW(load("state.0.exp_avg", zeros({3}, Dtype::float32)));  // cast to float64
}

TEST_CASE("schedulers follow PyTorch's lr sequences (two groups, lr 0.1 and 0.02)") {
  using Make = std::function<std::vector<std::unique_ptr<LRScheduler>>(Optimizer&)>;
  auto single = [](auto make) -> Make {
    return [make](Optimizer& o) {
      std::vector<std::unique_ptr<LRScheduler>> s;
      s.push_back(make(o));
      return s;
    };
  };
  std::map<std::string, Make> schedulers{
      {"steplr", single([](Optimizer& o) { return std::make_unique<StepLR>(o, 3, 0.5); })},
      {"multisteplr", single([](Optimizer& o) {
         return std::make_unique<MultiStepLR>(o, std::vector<long>{2, 5, 5, 9}, 0.3);
       })},
      {"exponentiallr",
       single([](Optimizer& o) { return std::make_unique<ExponentialLR>(o, 0.9); })},
      {"cosine_t6",
       single([](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 6, 0.01); })},
      {"cosine_t10",
       single([](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 10); })},
      {"linearlr_default", single([](Optimizer& o) { return std::make_unique<LinearLR>(o); })},
      {"linearlr_custom",
       single([](Optimizer& o) { return std::make_unique<LinearLR>(o, 0.5, 0.1, 4); })},
      {"chain_step_exp", [](Optimizer& o) {
         std::vector<std::unique_ptr<LRScheduler>> s;
         s.push_back(std::make_unique<StepLR>(o, 3, 0.5));
         s.push_back(std::make_unique<ExponentialLR>(o, 0.9));
         return s;
       }},
  };
  for (const auto& [name, make] : schedulers) {
    CAPTURE(name);
    Problem p;
    SGD opt({ParamGroup({p.w}), ParamGroup({p.W, p.b}, SGDOptions(0.02))}, SGDOptions(0.1));
    auto scheds = make(opt);
    const auto& want = reference().lr.at(name);
    REQUIRE(want.size() == 21);
    check_close(scheds.back()->get_last_lr(), want[0], 1e-12);
    for (int epoch = 1; epoch <= 20; ++epoch) {
      CAPTURE(epoch);
      for (auto& s : scheds) s->step();
      CHECK(scheds.back()->last_epoch() == epoch);
      check_close(scheds.back()->get_last_lr(), want[epoch], 1e-12);
      check_close({opt.param_groups()[0].options().get_lr(),
                   opt.param_groups()[1].options().get_lr()},
                  want[epoch], 1e-12);
    }
  }
}

TEST_CASE("ReduceLROnPlateau follows PyTorch (modes, thresholds, patience, cooldown, min_lr)") {
  using Plateau = ReduceLROnPlateau;
  std::map<std::string, std::function<std::unique_ptr<Plateau>(Optimizer&)>> schedulers{
      {"plateau_default", [](Optimizer& o) { return std::make_unique<Plateau>(o); }},
      {"plateau_min", [](Optimizer& o) {
         return std::make_unique<Plateau>(o, Plateau::min, 0.5, 2, 1e-4, Plateau::rel, 1,
                                          std::vector<double>{0.01, 0.004});
       }},
      {"plateau_max_abs", [](Optimizer& o) {
         return std::make_unique<Plateau>(o, Plateau::max, 0.3, 1, 0.1, Plateau::abs);
       }},
  };
  for (const auto& [name, make] : schedulers) {
    CAPTURE(name);
    Problem p;
    SGD opt({ParamGroup({p.w}), ParamGroup({p.W, p.b}, SGDOptions(0.02))}, SGDOptions(0.1));
    auto sched = make(opt);
    const auto& want = reference().lr.at(name);
    const auto& metric = reference().metric.at(name);
    check_close(sched->get_last_lr(), want[0], 1e-12);
    for (int epoch = 1; epoch <= 20; ++epoch) {
      CAPTURE(epoch);
      sched->step(metric[epoch]);
      check_close(sched->get_last_lr(), want[epoch], 1e-12);
    }
  }
}

TEST_CASE("clip_grad_norm_ scales all gradients by max_norm / total norm") {
  Tensor a = zeros({2}, Dtype::float64).set_requires_grad();
  Tensor b = zeros({1}, Dtype::float32).set_requires_grad();
  Tensor none = zeros({3}).set_requires_grad();  // no gradient: skipped
  auto reset = [&] {
    a.set_grad(tensor({3.0, -4.0}, Dtype::float64));
    b.set_grad(tensor({12.0}, Dtype::float32));
  };
  reset();
  double total = clip_grad_norm_({a, b, none}, 6.5);
  CHECK(total == doctest::Approx(13.0));  // sqrt(9 + 16 + 144)
  double coef = 6.5 / (13.0 + 1e-6);
  CHECK(to_vector(a.grad())[0] == doctest::Approx(3 * coef).epsilon(1e-12));
  CHECK(to_vector(a.grad())[1] == doctest::Approx(-4 * coef).epsilon(1e-12));
  CHECK(b.grad().item() == doctest::Approx(12 * coef).epsilon(1e-6));
  CHECK(b.grad().dtype() == Dtype::float32);
  CHECK_FALSE(none.grad().defined());

  reset();
  CHECK(clip_grad_norm_({a, b}, 100.0) == doctest::Approx(13.0));
  CHECK(to_vector(a.grad()) == std::vector<double>{3, -4});  // coefficient clamped to 1

  reset();
  CHECK(clip_grad_norm_({a, b}, 6.0, INFINITY) == doctest::Approx(12.0));
  CHECK(b.grad().item() == doctest::Approx(6.0 * 12 / (12 + 1e-6)).epsilon(1e-6));

  reset();
  CHECK(clip_grad_norm_({a, b}, 100.0, 1.0) == doctest::Approx(19.0));
  reset();
  CHECK(clip_grad_norm_({a, b}, 100.0, 3.0) ==
        doctest::Approx(std::cbrt(27.0 + 64.0 + 1728.0)).epsilon(1e-12));

  CHECK(clip_grad_norm_({none}, 1.0) == 0);
  a.set_grad(tensor({INFINITY, 1.0}, Dtype::float64));
  CHECK_THROWS_WITH_AS(clip_grad_norm_({a}, 1.0, 2.0, true),
                       doctest::Contains("clip_grad_norm_"), ValueError);
  CHECK(to_vector(a.grad())[1] == 1);  // untouched by the failed call
}

TEST_CASE("clip_grad_value_ clamps every gradient element") {
  Tensor a = zeros({3}).set_requires_grad();
  a.set_grad(tensor({-3.0, 0.5, 7.0}));
  Tensor none = zeros({1}).set_requires_grad();
  clip_grad_value_({a, none}, 1.0);
  CHECK(to_vector(a.grad()) == std::vector<double>{-1, 0.5, 1});
  CHECK_FALSE(none.grad().defined());
}

TEST_CASE("bad options are ValueErrors naming the optimizer and the option") {
  Problem p;
  auto params = p.params();
  CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(-0.1)),
                       doctest::Contains("SGD: invalid learning rate -0.1"), ValueError);
  CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(0.1).nesterov(true)),
                       doctest::Contains("nesterov momentum requires a momentum"), ValueError);
  CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)),
                       doctest::Contains("zero dampening"), ValueError);
  CHECK_THROWS_WITH_AS(SGD(params, SGDOptions(0.1).momentum(-1)),
                       doctest::Contains("momentum"), ValueError);
  CHECK_THROWS_WITH_AS(Adam(params, AdamOptions().betas({1.0, 0.999})),
                       doctest::Contains("Adam: invalid beta parameter at index 0"), ValueError);
  CHECK_THROWS_WITH_AS(Adam(params, AdamOptions().betas({0.9, -0.1})),
                       doctest::Contains("index 1"), ValueError);
  CHECK_THROWS_WITH_AS(Adam(params, AdamOptions(-1e-3)), doctest::Contains("learning rate"),
                       ValueError);
  CHECK_THROWS_WITH_AS(Adam(params, AdamOptions().eps(-1)), doctest::Contains("epsilon"),
                       ValueError);
  CHECK_THROWS_WITH_AS(AdamW(params, AdamWOptions().weight_decay(-1)),
                       doctest::Contains("AdamW: invalid weight_decay"), ValueError);
  CHECK_THROWS_WITH_AS(RMSprop(params, RMSpropOptions().alpha(-0.5)),
                       doctest::Contains("RMSprop: invalid alpha"), ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(params, AdagradOptions().lr_decay(-1)),
                       doctest::Contains("Adagrad: invalid lr_decay"), ValueError);
  CHECK_THROWS_WITH_AS(Adagrad(params, AdagradOptions().initial_accumulator_value(-1)),
                       doctest::Contains("initial_accumulator_value"), ValueError);
  // A bad per-group option is caught too.
  CHECK_THROWS_WITH_AS(SGD({ParamGroup({p.w}), ParamGroup({p.b}, SGDOptions(-1))},
                           SGDOptions(0.1)),
                       doctest::Contains("learning rate -1"), ValueError);

  SGD opt(params, SGDOptions(0.1));
  CHECK_THROWS_WITH_AS(StepLR(opt, 0), doctest::Contains("StepLR: step_size"), ValueError);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(opt, 0), doctest::Contains("T_max"), ValueError);
  CHECK_THROWS_WITH_AS(LinearLR(opt, 0.0), doctest::Contains("start_factor"), ValueError);
  CHECK_THROWS_WITH_AS(LinearLR(opt, 0.5, 1.5), doctest::Contains("end_factor"), ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(opt, ReduceLROnPlateau::min, 1.0),
                       doctest::Contains("factor"), ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(opt, ReduceLROnPlateau::min, 0.1, 10, 1e-4,
                                         ReduceLROnPlateau::rel, 0, {0.1, 0.2, 0.3}),
                       doctest::Contains("min_lr"), ValueError);
}
