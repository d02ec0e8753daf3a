// In-place safety: every in-place write bumps the storage's version counter, and backward through
// an op that saved a tensor written since then is an AutogradError naming the op, the tensor and
// both versions. One case per write path. Also PyTorch's defaults where tapegrad differed.
#include <cstdio>
#include <string>

#include <xtensor/xarray.hpp>

#include "check.hpp"

using doctest::Contains;

TEST_CASE("writing a saved input with mutable_value: backward refuses instead of a wrong gradient") {
  Tensor x = tensor({1.0, 2.0}, f64).set_requires_grad();
  Tensor y = sum(x * x);  // mul saves x; dy/dx0 = 2·x0 = 2 as of the forward
  CHECK(x._version() == 0);
  x.mutable_value<double>()(0) = 100;
  CHECK(x._version() == 1);
  CHECK_THROWS_WITH_AS(y.backward(), Contains("mul"), AutogradError);
  Tensor z = sum(x * x);
  try {
    x.mutable_value<double>()(1) = 3;
    z.backward();
    FAIL("backward through a modified tensor did not throw");
  } catch (const AutogradError& e) {
    const std::string m = e.what();
    CHECK(m.find("mul") != std::string::npos);
    CHECK(m.find("version 2") != std::string::npos);  // now
    CHECK(m.find("version 1") != std::string::npos);  // when saved
    CHECK(m.find("[2]") != std::string::npos);
    CHECK(m.find("clone()") != std::string::npos);  // what to do
  }
  Tensor fresh = sum(x * x);  // recorded after the writes: fine
  fresh.backward();
  check_close(x.grad(), {200, 6});
}

TEST_CASE("writing the saved output of tanh through a detach()ed handle") {
  Tensor x = tensor({0.5, -1.0}, f64).set_requires_grad();
  Tensor y = tanh(x);  // backward reads the output: 1 - tanh²
  Tensor view = y.detach();  // shares storage and counter
  CHECK(view._version() == y._version());
  view.mutable_value<double>()(0) = 0;
  CHECK(y._version() == 1);
  CHECK_THROWS_WITH_AS(sum(y).backward(), Contains("its output"), AutogradError);
  CHECK_NOTHROW(sum(tanh(x)).backward());  // a graph recorded after the write is fine
}

TEST_CASE("a detach()ed leaf written in place invalidates its saved original") {
  Tensor w = tensor({2.0, 3.0}, f64).set_requires_grad();
  Tensor y = sum(w * w);
  Tensor d = w.detach();
  d.mutable_value<double>()(1) = -1;
  CHECK(w._version() == 1);
  CHECK_THROWS_AS(y.backward(), AutogradError);
}

TEST_CASE("an optimizer step between forward and backward names the parameter") {
  nn::Linear fc(2, 1);
  optim::SGD opt(fc->parameters(), optim::SGDOptions(0.1));
  Tensor x = ones({4, 2});
  sum(fc(x)).backward();
  Tensor loss = sum(fc(x));  // linear saves x and the weight
  opt.step();                // writes the weight and the bias in place
  CHECK_THROWS_WITH_AS(loss.backward(), Contains("parameter 'weight'"), AutogradError);
  CHECK_NOTHROW(sum(fc(x)).backward());  // a graph recorded after the step is fine
}

TEST_CASE("nn::load and the init functions between forward and backward") {
  nn::Sequential model(nn::Linear(3, 2));
  const std::string path = "inplace_load_test.npz";
  nn::save(model, path);
  Tensor loss = sum(model(ones({1, 3})));
  nn::load(model, path);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(loss.backward(), Contains("parameter '0.weight'"), AutogradError);

  Tensor w = ones({2, 2}).set_requires_grad();
  Tensor y = sum(w * w);
  {
    NoGradGuard no_grad;
    nn::init::uniform_(w, -1, 1);
  }
  CHECK(w._version() == 1);
  CHECK_THROWS_AS(y.backward(), AutogradError);
}

TEST_CASE("zero_grad with set_to_none=false bumps the gradient's version, not the parameter's") {
  Tensor w = ones({2}).set_requires_grad();
  optim::SGD opt({w}, optim::SGDOptions(0.1));
  sum(w * 2.0).backward();
  Tensor g = w.grad();
  const auto before = g._version();
  opt.zero_grad(false);
  CHECK(g._version() == before + 1);
  CHECK(w._version() == 0);
}

TEST_CASE("retain_graph defaults to create_graph (gradient penalty), as in PyTorch") {
  Tensor x = tensor({1.0, 2.0}, f64).set_requires_grad();
  Tensor y = sum(x * x * x);
  Tensor g = autograd::grad({y}, {x}, {}, std::nullopt, true)[0];  // 3x², graph kept
  Tensor penalty = sum(g * g);                                       // Σ 9x⁴
  (y + penalty).backward();  // through y's graph again: it was retained by create_graph
  check_close(x.grad(), {39, 300});  // 3x² + 36x³

  Tensor a = tensor({2.0}, f64).set_requires_grad();
  Tensor b = a * a * a;
  b.backward({}, std::nullopt, true);  // create_graph: grad 3a² = 12, with history
  CHECK(a.grad().requires_grad());
  a.zero_grad();
  b.backward({}, false);  // the graph was retained; this backward frees it
  check_close(a.grad(), {12});
  CHECK_THROWS_WITH_AS(b.backward(), Contains("second time"), AutogradError);
}

TEST_CASE("errors name dtypes, transposed operands and the module") {
  CHECK_THROWS_WITH_AS(linear(ones({2, 3}, f64), ones({4, 3}), ones({4})),
                       Contains("input (float64), weight (float32) and bias (float32)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(mm(ones({3, 4}), ones({5, 6}), true, false),
                       Contains("mm: shapes [3,4] (transposed: [4,3]) and [5,6]"), ShapeError);
  CHECK_THROWS_WITH_AS(mm(ones({3, 4}), ones({6, 5}), false, true),
                       Contains("[6,5] (transposed: [5,6])"), ShapeError);
  nn::Sequential model(nn::Linear(3, 4), nn::ReLU(), nn::Linear(5, 1));
  CHECK_THROWS_WITH_AS(model(ones({2, 3})), Contains("Sequential '2' (Linear): linear: input"),
                       ShapeError);
  struct Net : nn::Module {
    nn::Sequential body{nullptr};
    Net() { body = register_module("body", nn::Sequential(nn::Linear(3, 4), nn::Linear(2, 1))); }
    Tensor forward(const Tensor& x) override { return body(x); }
  } net;
  CHECK_THROWS_WITH_AS(net(ones({2, 3})), Contains("Net 'body' (Sequential) '1' (Linear): "),
                       ShapeError);
}
