// nn modules: registration and dotted names, containers, train/eval, custom modules, forward
// against hand computation, float64 gradient checks of every layer, default init, printing.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>
#include <xtensor/xarray.hpp>  // mutable_value() for in-place perturbation

#include <cmath>
#include <sstream>

using namespace tg;

namespace {

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& entry : named) out.push_back(entry.first);
  return out;
}

std::size_t count(const std::vector<Tensor>& tensors) {
  std::size_t n = 0;
  for (const Tensor& t : tensors) n += t.numel();
  return n;
}

// Float64 finite-difference check of d<v, module(x)> with respect to x (unless it holds indices)
// and every parameter, perturbing the module's own parameter storage: it also checks that
// parameters() are the tensors forward reads. The generator is reseeded before each forward
// so Dropout draws the same mask every time.
void check_gradients(nn::Module& module, Tensor x, bool wrt_input = true) {
  module.to(Dtype::float64);
  x = x.detach().to(Dtype::float64).clone();
  if (wrt_input) x.set_requires_grad();
  std::vector<Tensor> wrt = module.parameters();
  if (wrt_input) wrt.insert(wrt.begin(), x);
  REQUIRE_FALSE(wrt.empty());
  auto run = [&] {
    manual_seed(11);
    return module(x);
  };
  Tensor y = run();
  Tensor v = randn(y.shape(), Dtype::float64);
  auto analytic = autograd::grad({sum(y * v)}, wrt, {}, false, false, true);
  const double eps = 1e-6;
  for (std::size_t c = 0; c < wrt.size(); ++c) {
    auto& values = wrt[c].mutable_value<double>();
    std::vector<double> g = analytic[c].defined() ? to_vector(analytic[c])
                                                  : std::vector<double>(values.size(), 0.0);
    for (std::size_t k = 0; k < values.size(); ++k) {
      NoGradGuard no_grad;
      const double original = values.data()[k];
      values.data()[k] = original + eps;
      double plus = sum(run() * v).item();
      values.data()[k] = original - eps;
      double minus = sum(run() * v).item();
      values.data()[k] = original;
      double numeric = (plus - minus) / (2 * eps);
      INFO(module.type_name(), ": tensor ", c, " (", wrt[c].name(), ") element ", k, ": analytic ",
           g[k], " vs numeric ", numeric);
      CHECK(std::abs(g[k] - numeric) <= 1e-5 + 1e-3 * std::abs(numeric));
    }
  }
}

struct Net : nn::Module {
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Net() {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    fc2 = register_module("fc2", nn::Linear(4, 2));
  }
  Tensor forward(const Tensor& x) override { return fc2(tanh(fc1(x))); }
};

}  // namespace

TEST_CASE("Linear registers weight [out,in] and bias [out] as named leaves requiring grad") {
  nn::Linear lin(3, 5);
  CHECK(names(lin->named_parameters()) == std::vector<std::string>{"weight", "bias"});
  CHECK(lin->weight.shape() == Shape{5, 3});
  CHECK(lin->bias.shape() == Shape{5});
  CHECK(lin->weight.requires_grad());
  CHECK(lin->weight.is_leaf());
  CHECK(lin->weight.name() == "weight");
  CHECK(lin->parameters()[0].impl() == lin->weight.impl());  // the registry shares the member
  nn::Linear no_bias(3, 5, false);
  CHECK(no_bias->parameters().size() == 1);
  CHECK_FALSE(no_bias->bias.defined());
  CHECK(no_bias->buffers().empty());
  CHECK(no_bias->children().empty());
}

TEST_CASE("Sequential names children 0, 1, ... and nested modules get dotted names") {
  nn::Sequential model(nn::Linear(4, 8), nn::ReLU(), nn::Linear(8, 2));
  CHECK(model->size() == 3);
  CHECK(names(model->named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK(count(model->parameters()) == 4 * 8 + 8 + 8 * 2 + 2);
  CHECK(model[2].parameters()[0].shape() == Shape{2, 8});
  CHECK(model->at<nn::LinearImpl>(0).options.out_features() == 8);
  CHECK_THROWS_AS(model->at<nn::LinearImpl>(1), ValueError);
  CHECK_THROWS_WITH_AS(model[3], doctest::Contains("index 3"), ValueError);
  // Parameter tensors carry their full path once registered.
  CHECK(model->parameters()[2].name() == "2.weight");

  Net net;
  nn::Sequential outer(nn::Flatten(), net);
  CHECK(names(outer->named_parameters()) ==
        std::vector<std::string>{"1.fc1.weight", "1.fc1.bias", "1.fc2.weight", "1.fc2.bias"});
  CHECK(outer->named_parameters(false).empty());
  CHECK(outer->children().size() == 2);
  CHECK(net.fc1->weight.name() == "1.fc1.weight");  // the copy shares net's parameters
}

TEST_CASE("Sequential accepts shared_ptr; a module used twice is counted once") {
  auto shared = std::make_shared<nn::LinearImpl>(3, 3);
  nn::Sequential model(shared, nn::Tanh(), shared);
  CHECK(&model[0] == shared.get());
  CHECK(&model[2] == shared.get());
  CHECK(names(model->named_parameters()) == std::vector<std::string>{"0.weight", "0.bias"});
  model->push_back(nn::Linear(3, 1));
  CHECK(model->size() == 4);
  CHECK(model->parameters().size() == 4);
  std::size_t iterated = 0;
  for (const auto& m : *model) iterated += m != nullptr;
  CHECK(iterated == 4);
}

TEST_CASE("ModuleList and ModuleDict hold modules for a custom forward") {
  nn::ModuleList list(nn::Linear(2, 2), nn::Linear(2, 2));
  list->push_back(std::make_shared<nn::ReLUImpl>());
  CHECK(list->size() == 3);
  CHECK(names(list->named_parameters()) ==
        std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"});
  CHECK_THROWS_WITH_AS(list(ones({2})), doctest::Contains("ModuleList"), Error);

  nn::ModuleDict dict;
  dict->insert("encoder", nn::Linear(4, 2));
  dict->insert("act", nn::Sigmoid());
  CHECK(dict->contains("encoder"));
  CHECK_FALSE(dict->contains("decoder"));
  CHECK(dict->keys() == std::vector<std::string>{"encoder", "act"});
  CHECK(names(dict->named_parameters()) ==
        std::vector<std::string>{"encoder.weight", "encoder.bias"});
  CHECK(dict["act"](zeros({1})).item() == doctest::Approx(0.5));
  CHECK_THROWS_WITH_AS(dict["decoder"], doctest::Contains("decoder"), ValueError);
  CHECK_THROWS_AS(dict->insert("act", nn::Tanh()), ValueError);  // duplicate key
  nn::ModuleDict from_list(nn::NamedModules{{"a", std::make_shared<nn::TanhImpl>()}});
  CHECK(from_list->size() == 1);
}

TEST_CASE("a custom module is a few lines; train/eval propagates; zero_grad drops gradients") {
  Net net;
  CHECK(names(net.named_parameters()) ==
        std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  CHECK(net.fc1->weight.name() == "fc1.weight");
  Tensor y = net(ones({5, 3}));
  CHECK(y.shape() == Shape{5, 2});
  CHECK(net.is_training());
  CHECK(net.fc1->is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(net.fc2->is_training());
  net.train();
  CHECK(net.fc2->is_training());

  sum(y).backward();
  for (const Tensor& p : net.parameters()) CHECK(p.grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) CHECK_FALSE(p.grad().defined());
}

TEST_CASE("registration errors name the member") {
  struct Bad : nn::Module {};
  Bad m;
  m.register_parameter("w", ones({2}));
  CHECK_THROWS_WITH_AS(m.register_parameter("w", ones({2})), doctest::Contains("'w'"), ValueError);
  CHECK_THROWS_WITH_AS(m.register_buffer("w", ones({2})), doctest::Contains("'w'"), ValueError);
  CHECK_THROWS_AS(m.register_module("w", nn::ReLU()), ValueError);
  CHECK_THROWS_WITH_AS(m.register_parameter("a.b", ones({2})), doctest::Contains("a.b"),
                       ValueError);
  CHECK_THROWS_AS(m.register_parameter("", ones({2})), ValueError);
  CHECK_THROWS_AS(m.register_parameter("u", Tensor()), ValueError);
  Tensor leaf = ones({2}).set_requires_grad();
  CHECK_THROWS_WITH_AS(m.register_parameter("v", leaf * 2.0), doctest::Contains("leaf"),
                       ValueError);
  CHECK_THROWS_WITH_AS(m(ones({2})), doctest::Contains("Bad"), Error);
  Tensor frozen = m.register_parameter("frozen", ones({2}), false);
  CHECK_FALSE(frozen.requires_grad());
}

TEST_CASE("Sequential forward matches a hand computation") {
  // y = W2 relu(W1 x + b1) + b2
  nn::Sequential model(nn::Linear(2, 2), nn::ReLU(), nn::Linear(2, 1));
  auto& l1 = model->at<nn::LinearImpl>(0);
  auto& l2 = model->at<nn::LinearImpl>(2);
  l1.weight.mutable_value<float>() = tensor({{1.0, -2.0}, {0.5, 3.0}}).value<float>();
  l1.bias.mutable_value<float>() = tensor({0.5, -1.0}).value<float>();
  l2.weight.mutable_value<float>() = tensor({{2.0, -1.0}}).value<float>();
  l2.bias.mutable_value<float>() = tensor({0.25}).value<float>();
  Tensor x = tensor({{1.0, 1.0}, {2.0, -1.0}});
  // row 1: h = relu([1-2+0.5, 0.5+3-1]) = [0, 2.5];  y = 0 - 2.5 + 0.25 = -2.25
  // row 2: h = relu([2+2+0.5, 1-3-1]) = [4.5, 0];   y = 9 + 0.25 = 9.25
  CHECK(to_vector(model(x)) == std::vector<double>{-2.25, 9.25});
}

TEST_CASE("gradients of every layer with respect to its input and parameters (float64)") {
  manual_seed(3);
  SUBCASE("Linear on a batch and on a 3-D input") {
    nn::Linear lin(3, 2);
    check_gradients(*lin, randn({4, 3}));
    check_gradients(*lin, randn({2, 2, 3}));
  }
  SUBCASE("Conv2d with stride, padding and dilation") {
    nn::Conv2d plain(2, 3, 3);
    check_gradients(*plain, randn({2, 2, 5, 5}));
    nn::Conv2d conv(nn::Conv2dOptions(2, 2, {2, 3}).stride({2, 1}).padding(1).dilation({1, 2}));
    check_gradients(*conv, randn({1, 2, 5, 6}));
  }
  SUBCASE("pools, flatten and activations") {
    nn::MaxPool2d max(2);
    check_gradients(*max, randn({1, 2, 4, 4}));
    nn::AvgPool2d avg(nn::AvgPool2dOptions(3).stride(2).padding(1));
    check_gradients(*avg, randn({1, 1, 5, 5}));
    nn::Sequential acts(nn::Flatten(), nn::LeakyReLU(0.2), nn::Tanh(), nn::GELU(), nn::Sigmoid(),
                        nn::GELU("tanh"), nn::ReLU(), nn::Softmax(-1), nn::LogSoftmax(1));
    check_gradients(*acts, randn({3, 2, 2}) + 0.1);
  }
  SUBCASE("BatchNorm in training and eval, LayerNorm") {
    nn::BatchNorm1d bn1(3);
    check_gradients(*bn1, randn({5, 3}));
    nn::BatchNorm2d bn2(2);
    check_gradients(*bn2, randn({2, 2, 3, 3}));
    bn2->eval();
    check_gradients(*bn2, randn({2, 2, 3, 3}));
    nn::LayerNorm ln(nn::LayerNormOptions({2, 3}));
    check_gradients(*ln, randn({4, 2, 3}));
  }
  SUBCASE("Dropout (same mask every run) and Embedding (with respect to the table)") {
    nn::Dropout drop(0.3);
    check_gradients(*drop, randn({4, 5}));
    nn::Embedding emb(5, 3);
    check_gradients(*emb, tensor({{0.0, 4.0, 4.0}, {2.0, 0.0, 1.0}}), false);
  }
  SUBCASE("a whole model") {
    nn::Sequential model(nn::Conv2d(1, 2, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                         nn::Linear(8, 3), nn::LayerNorm(3));
    check_gradients(*model, randn({2, 1, 4, 4}));
  }
}

TEST_CASE("layer shapes, Dropout modes and BatchNorm running statistics") {
  nn::Conv2d conv(3, 4, 3, 2, 1);
  CHECK(conv->weight.shape() == Shape{4, 3, 3, 3});
  CHECK(conv(zeros({2, 3, 7, 7})).shape() == Shape{2, 4, 4, 4});
  CHECK(nn::MaxPool2d(2)(zeros({1, 1, 5, 4})).shape() == Shape{1, 1, 2, 2});
  CHECK(nn::Flatten()(zeros({2, 3, 4})).shape() == Shape{2, 12});
  CHECK(nn::Embedding(10, 3)(tensor({{1.0, 2.0}})).shape() == Shape{1, 2, 3});

  nn::Dropout drop(0.5);
  Tensor x = ones({1000});
  std::vector<double> y = to_vector(drop(x));
  std::size_t zeroed = 0;
  for (double v : y) zeroed += v == 0;
  CHECK(zeroed > 400);
  CHECK(zeroed < 600);
  drop->eval();
  CHECK(to_vector(drop(x)) == to_vector(x));
  CHECK_THROWS_WITH_AS(nn::Dropout(1.5), doctest::Contains("1.5"), ValueError);

  nn::BatchNorm1d bn(1);
  CHECK(names(bn->named_buffers()) ==
        std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  // Batch {1, 3}: mean 2, unbiased variance 2: r_mean = 0.9·0 + 0.1·2, r_var = 0.9·1 + 0.1·2.
  Tensor out = bn(from_vector({1, 3}, {2, 1}));
  CHECK(to_vector(bn->running_mean)[0] == doctest::Approx(0.2));
  CHECK(to_vector(bn->running_var)[0] == doctest::Approx(1.1));
  CHECK(bn->num_batches_tracked.item() == 1);
  CHECK(to_vector(out)[0] == doctest::Approx(-1 / std::sqrt(1 + 1e-5)));  // biased var 1
  bn->eval();
  CHECK(bn(from_vector({1.2}, {1, 1})).item() == doctest::Approx(1 / std::sqrt(1.1 + 1e-5)));
  CHECK(bn->num_batches_tracked.item() == 1);
  CHECK_THROWS_WITH_AS(nn::BatchNorm2d(1)(zeros({2, 1})), doctest::Contains("BatchNorm2d"),
                       ShapeError);
}

TEST_CASE("to(float64) converts parameters and buffers in place") {
  nn::Sequential model(nn::Linear(2, 3), nn::BatchNorm1d(3));
  auto& lin = model->at<nn::LinearImpl>(0);
  std::vector<double> before = to_vector(lin.weight);
  model->to(Dtype::float64);
  CHECK(lin.weight.dtype() == Dtype::float64);  // the member handle sees the new storage
  CHECK(model->buffers()[0].dtype() == Dtype::float64);
  std::vector<double> after = to_vector(lin.weight);
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(after[i] == before[i]);
  CHECK(model(ones({2, 2}, Dtype::float64)).dtype() == Dtype::float64);
}

TEST_CASE("default init: Linear and Conv2d draw U(±1/√fan_in), seeded by manual_seed") {
  manual_seed(42);
  nn::Linear lin(400, 300);
  const double bound = 1 / std::sqrt(400.0);
  auto check_uniform = [](const std::vector<double>& v, double b) {
    double lo = v[0], hi = v[0], mean = 0, sq = 0;
    for (double x : v) lo = std::min(lo, x), hi = std::max(hi, x), mean += x, sq += x * x;
    mean /= double(v.size());
    double std = std::sqrt(sq / double(v.size()) - mean * mean);
    CHECK(lo >= -b);
    CHECK(hi <= b);
    CHECK(lo < -0.98 * b);  // the range is covered
    CHECK(hi > 0.98 * b);
    CHECK(std::abs(mean) < 0.05 * b);
    CHECK(std == doctest::Approx(b / std::sqrt(3.0)).epsilon(0.05));  // U(-b, b): std b/√3
  };
  check_uniform(to_vector(lin->weight), bound);
  check_uniform(to_vector(lin->bias), bound);
  nn::Conv2d conv(8, 64, 3);
  check_uniform(to_vector(conv->weight), 1 / std::sqrt(8 * 9.0));
  check_uniform(to_vector(conv->bias), 1 / std::sqrt(8 * 9.0));

  manual_seed(42);
  nn::Linear again(400, 300);
  CHECK(to_vector(again->weight) == to_vector(lin->weight));

  nn::LayerNorm ln(4);
  CHECK(ln->weight.shape() == Shape{4});
  CHECK(to_vector(ln->weight) == std::vector<double>(4, 1.0));
  CHECK(to_vector(ln->bias) == std::vector<double>(4, 0.0));
}

TEST_CASE("init functions follow torch.nn.init formulas") {
  using namespace nn::init;
  CHECK(calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)));
  CHECK(calculate_gain("tanh") == doctest::Approx(5.0 / 3));
  CHECK(calculate_gain("leaky_relu", 0.2) == doctest::Approx(std::sqrt(2 / 1.04)));
  CHECK(calculate_gain("conv2d") == 1);
  CHECK_THROWS_WITH_AS(calculate_gain("swish"), doctest::Contains("swish"), ValueError);
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(zeros({16, 3, 5, 5}));
  CHECK(fan_in == 75);
  CHECK(fan_out == 400);
  Tensor vec = zeros({3});
  CHECK_THROWS_WITH_AS(xavier_uniform_(vec), doctest::Contains("[3]"), ValueError);

  manual_seed(0);
  auto stats = [](const Tensor& t) {
    std::vector<double> v = to_vector(t);
    double mean = 0, sq = 0, lo = v[0], hi = v[0];
    for (double x : v) mean += x, sq += x * x, lo = std::min(lo, x), hi = std::max(hi, x);
    mean /= double(v.size());
    return std::array<double, 4>{mean, std::sqrt(sq / double(v.size()) - mean * mean), lo, hi};
  };
  Tensor w = zeros({200, 300}, Dtype::float64);
  Tensor alias = w;  // in place: every handle sees the values
  kaiming_normal_(w, 0, "fan_out", "relu");
  CHECK(stats(alias)[1] == doctest::Approx(std::sqrt(2.0 / 200)).epsilon(0.03));
  kaiming_uniform_(w, 0, "fan_in", "relu");  // bound √3·√2/√300
  CHECK(stats(w)[3] <= std::sqrt(6.0 / 300));
  CHECK(stats(w)[3] > 0.98 * std::sqrt(6.0 / 300));
  xavier_normal_(w, 2.0);
  CHECK(stats(w)[1] == doctest::Approx(2 * std::sqrt(2.0 / 500)).epsilon(0.03));
  xavier_uniform_(w);
  CHECK(stats(w)[2] >= -std::sqrt(6.0 / 500));
  normal_(w, 3, 0.5);
  CHECK(stats(w)[0] == doctest::Approx(3).epsilon(0.01));
  uniform_(w, -2, -1);
  CHECK(stats(w)[2] >= -2);
  CHECK(stats(w)[3] <= -1);
  constant_(w, 0.25);
  CHECK(stats(w)[0] == 0.25);
  ones_(w);
  CHECK(stats(w)[1] == 0);
  zeros_(w);
  CHECK(stats(w)[3] == 0);
  CHECK_THROWS_AS(kaiming_uniform_(w, 0, "fan_middle"), ValueError);
  CHECK(w.dtype() == Dtype::float64);
}

TEST_CASE("printing shows the tree, parameter shapes and counts") {
  nn::Sequential model(nn::Linear(4, 8), nn::ReLU(), nn::Dropout(0.25));
  std::ostringstream os;
  os << model;
  CHECK(os.str() ==
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=8, bias=true)  # weight [8,4], bias [8]: 40 "
        "parameters\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.25)\n"
        ")  # 40 parameters");
  Net net;
  std::ostringstream custom;
  custom << net;
  CHECK(custom.str().rfind("Net(\n  (fc1): Linear(in_features=3", 0) == 0);
  CHECK(custom.str().find(")  # 26 parameters") != std::string::npos);
  std::ostringstream conv;
  conv << nn::Conv2d(1, 2, 3, 1, 1, 1, false);
  CHECK(conv.str() == "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), "
                      "dilation=(1, 1), bias=false)  # weight [2,1,3,3]: 18 parameters");
}

TEST_CASE("forward hooks see each layer's activations and may replace them") {
  tg::manual_seed(1);
  tg::nn::Sequential model(tg::nn::Linear(3, 4), tg::nn::ReLU(), tg::nn::Linear(4, 2));
  std::vector<tg::Shape> seen;
  for (const auto& layer : *model)
    layer->register_forward_hook([&](tg::nn::Module& m, const tg::Tensor&, const tg::Tensor& out) {
      seen.push_back(out.shape());
      return m.type_name() == "ReLU" ? out * 0.0 : tg::Tensor();
    });
  tg::Tensor x = tg::randn({5, 3});
  tg::Tensor y = model(x);
  CHECK(seen == std::vector<tg::Shape>{{5, 4}, {5, 4}, {5, 2}});
  // The ReLU output was replaced by zeros, so the result is the last layer's bias.
  auto& last = dynamic_cast<tg::nn::LinearImpl&>(model[2]);
  CHECK(tg::to_vector(y)[0] == doctest::Approx(tg::to_vector(last.bias)[0]));
}
