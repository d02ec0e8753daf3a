// The tape and the engine: accumulation, fan-out, hooks, retain_grad, retain_graph, grad(),
// higher-order gradients, grad mode, deep graphs.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

using namespace tg;

TEST_CASE("backward of a product leaves gradients on the leaves") {
  Tensor a = tensor({1.0, 2.0, 3.0}, Dtype::float64).set_requires_grad();
  Tensor b = tensor({4.0, 5.0, 6.0}, Dtype::float64).set_requires_grad();
  sum(a * b).backward();
  CHECK(to_vector(a.grad()) == std::vector<double>{4, 5, 6});
  CHECK(to_vector(b.grad()) == std::vector<double>{1, 2, 3});
}

TEST_CASE("fan-out accumulates: d(a*a)/da = 2a, and leaves accumulate across backward calls") {
  Tensor a = tensor({3.0}, Dtype::float64).set_requires_grad();
  sum(a * a).backward();
  CHECK(a.grad().item() == 6);
  sum(a * a + a).backward();
  CHECK(a.grad().item() == 6 + 7);
  a.zero_grad();
  CHECK_FALSE(a.grad().defined());
}

TEST_CASE("a gradient shared by two inputs is not aliased between their .grad()") {
  Tensor a = tensor({1.0}).set_requires_grad();
  Tensor b = tensor({1.0}).set_requires_grad();
  sum(a + b).backward();
  sum(a * 3.0).backward();
  CHECK(a.grad().item() == 4);
  CHECK(b.grad().item() == 1);
}

TEST_CASE("gradcheck catches a wrong derivative and passes a right one") {
  Tensor x = randn({3, 4}, Dtype::float64);
  Tensor w = randn({5, 4}, Dtype::float64);
  Tensor bias = randn({5}, Dtype::float64);
  CHECK(autograd::gradcheck([](const std::vector<Tensor>& in) {
    return linear(in[0], in[1], in[2]);
  }, {x, w, bias}));
  auto wrong = [](const std::vector<Tensor>& in) {
    Tensor y = in[0] * in[0];
    return record_op("wrong_square", y.detach(), {in[0]}, [](const BackwardContext& c) {
      return std::vector<Tensor>{c.grad * 3.0};
    });
  };
  CHECK_THROWS_AS(autograd::gradcheck(wrong, {x}), AutogradError);
}

TEST_CASE("second backward through a freed graph is a clear error; retain_graph allows it") {
  Tensor a = tensor({2.0}).set_requires_grad();
  Tensor y = sum(a * a);
  y.backward({}, true);
  y.backward();
  CHECK(a.grad().item() == 8);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("second time"), AutogradError);
}

TEST_CASE("backward on a non-scalar needs a gradient") {
  Tensor a = ones({2, 2}).set_requires_grad();
  Tensor y = a * 2.0;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("[2,2]"), AutogradError);
  y.backward(ones({2, 2}));
  CHECK(to_vector(a.grad()) == std::vector<double>{2, 2, 2, 2});
}

TEST_CASE("no_grad records nothing; detach cuts history") {
  Tensor a = ones({2}).set_requires_grad();
  {
    NoGradGuard guard;
    Tensor y = a * 2.0;
    CHECK_FALSE(y.requires_grad());
  }
  Tensor d = (a * 2.0).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
}

TEST_CASE("retain_grad and hooks on non-leaf tensors") {
  Tensor a = tensor({1.0, 2.0}, Dtype::float64).set_requires_grad();
  Tensor h = a * 3.0;
  h.retain_grad();
  std::vector<double> seen;
  h.register_hook([&](const Tensor& g) {
    seen = to_vector(g);
    return g * 10.0;  // replaces the gradient flowing on
  });
  sum(h * h).backward();
  CHECK(seen == std::vector<double>{6, 12});
  CHECK(to_vector(a.grad()) == std::vector<double>{180, 360});
}

TEST_CASE("autograd::grad leaves .grad() alone and supports higher order") {
  Tensor x = tensor({2.0}, Dtype::float64).set_requires_grad();
  Tensor y = sum(x * x * x);
  auto g = autograd::grad({y}, {x}, {}, true, true);
  CHECK(g[0].item() == doctest::Approx(12));  // 3x²
  auto gg = autograd::grad({sum(g[0])}, {x});
  CHECK(gg[0].item() == doctest::Approx(12));  // 6x
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradgradcheck on smooth compositions") {
  Tensor a = randn({2, 3}, Dtype::float64), b = randn({3, 2}, Dtype::float64);
  CHECK(autograd::gradgradcheck([](const std::vector<Tensor>& in) {
    return matmul(in[0], in[1]) * matmul(in[0], in[1]);
  }, {a, b}));
}

TEST_CASE("a chain of 100000 ops neither overflows backward nor destruction") {
  Tensor x = tensor({1.0}).set_requires_grad();
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0;
    sum(y).backward();
  }
  CHECK(x.grad().item() == 1);
  Tensor z = x;
  for (int i = 0; i < 100000; ++i) z = z + 0.0;
  z = Tensor();  // destroyed without backward
  CHECK_FALSE(z.defined());
}

TEST_CASE("gradcheck names the op whose backward is wrong") {
  // wrong_square claims d(x²)/dx = 3 instead of 2x; it sits between correct ops.
  auto f = [](const std::vector<Tensor>& in) {
    Tensor h = exp(in[0] * 0.5);
    Tensor sq = record_op("wrong_square", (h * h).detach(), {h}, [](const BackwardContext& c) {
      return std::vector<Tensor>{c.grad * 3.0};
    });
    return sum(sq * 2.0);
  };
  Tensor x = randn({3}, Dtype::float64);
  CHECK_THROWS_WITH_AS(autograd::gradcheck(f, {x}), doctest::Contains("that of wrong_square"),
                       AutogradError);
  auto g = [](const std::vector<Tensor>& in) {  // the wrong op reads the input directly
    return record_op("wrong_direct", (in[0] * 1.0).detach(), {in[0]},
                     [](const BackwardContext& c) { return std::vector<Tensor>{c.grad * 2.0}; });
  };
  CHECK_THROWS_WITH_AS(autograd::gradcheck(g, {x}), doctest::Contains("that of wrong_direct"),
                       AutogradError);
}

TEST_CASE("anomaly mode names the op that produced a NaN") {
  Tensor x = tensor({-1.0, 4.0}).set_requires_grad();
  autograd::DetectAnomalyGuard guard;
  CHECK_THROWS_WITH_AS(log(x), doctest::Contains("log"), AutogradError);
}

TEST_CASE("to_dot and tape_stats describe the graph") {
  Tensor w = randn({3, 2}).set_requires_grad().set_name("weight");
  Tensor x = randn({4, 3});
  Tensor loss = sum(exp(matmul(x, w)));
  std::string dot = autograd::to_dot(loss);
  CHECK(dot.find("digraph") == 0);
  CHECK(dot.find("weight") != std::string::npos);
  CHECK(dot.find("mm") != std::string::npos);
  CHECK(dot.find("[4,3]") != std::string::npos);
  auto stats = autograd::tape_stats(loss);
  CHECK(stats.nodes == 3);  // mm, exp, sum
  // mm saves x [4,3] and w [3,2]; exp saves its output [4,2]: 26 floats.
  CHECK(stats.saved_bytes == 26 * 4);
  loss.backward();
  CHECK(autograd::tape_stats(loss).saved_bytes == 0);
}

TEST_CASE("to_dot numbers ops locally and shows values, gradients and constants") {
  Tensor w = tensor({0.5, -1.0}).set_requires_grad().set_name("w");
  Tensor y = tensor({1.0, 2.0});
  Tensor scale = tensor({2.0, 2.0}).set_name("scale");
  Tensor pred = w * scale;  // mul saves scale for backward: the graph shows it
  Tensor loss = losses::mse_loss(pred, y);
  std::string before = autograd::to_dot(loss, autograd::DotOptions().with_values());
  CHECK(before.find("#0") != std::string::npos);  // local numbers, whatever ran before
  CHECK(before.find("#1") != std::string::npos);
  CHECK(before.find("#5") == std::string::npos);  // mul sub mul sum div
  CHECK(before.find("scale\\n[2]\\n[2, 2]") != std::string::npos);  // constant: name, numbers
  CHECK(before.find("data [0.5, -1]") != std::string::npos);  // the leaf's numbers
  autograd::GradientRecorder recorder;
  loss.backward({}, true);
  std::string after = autograd::to_dot(
      loss, autograd::DotOptions().with_values().with_gradients().with_outputs({pred})
                .with_recorded(recorder));
  CHECK(after.find("data [1, -2]") != std::string::npos);     // pred's value on its op node
  CHECK(after.find("grad [0, -4]") != std::string::npos);     // dL/dpred = 2(pred - y)/2
  CHECK(after.find("grad [0, -8]") != std::string::npos);     // w's .grad()
  auto nodes = autograd::graph(loss);
  CHECK(nodes.back().label == "div");  // mean = sum / n
  CHECK(nodes.back().op_index == 4);
}

TEST_CASE("to_dot shows a constant's name, a small one's values, a large one's shape") {
  Tensor w = tensor({0.5, -1.0}).set_requires_grad().set_name("w");
  std::weak_ptr<TensorImpl> target;
  Tensor loss;
  {
    Tensor y = ones({10, 2}).set_name("target");
    target = y.impl_ptr();
    loss = losses::mse_loss(w * 2.0 + zeros({10, 2}), y);  // sub saves neither input
  }
  CHECK(target.expired());  // the graph does not keep a large constant alive
  int runs = 0;
  autograd::GradientRecorder recorder([&](const autograd::TraceEvent&) { ++runs; });
  loss.backward();  // saved tensors released: what remains is on the edges
  CHECK(runs == 6);  // mul add sub mul sum div, each passed on by the recorder
  std::string dot = autograd::to_dot(loss, autograd::DotOptions().with_gradients()
                                               .with_recorded(recorder));
  CHECK(dot.find("sum #4\\n[]\\ngrad 0.05\"") != std::string::npos);  // d(s/20)/ds
  CHECK(dot.find("target\\n[10,2]\"") != std::string::npos);    // name and shape
  CHECK(dot.find("constant\\n[10,2]\"") != std::string::npos);  // unnamed and large: shape
  CHECK(dot.find("constant\\n[]\\n2\"") != std::string::npos);  // the literal 2.0
  CHECK(dot.find("constant\\n[]\\n20\"") != std::string::npos);  // mean's n
}
