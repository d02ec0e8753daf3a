// Backpropagation, step by step, on a two-layer network and four points.
//
// 1. the forward pass and the values it computes;
// 2. the tape: the ops in the order they were recorded;
// 3. the backward pass as the engine runs it: each node, the gradient reaching it, and what it
//    hands to each of its inputs;
// 4. the loss gradients worked out by hand from their formulas, next to autograd's;
// 5. the graph as Graphviz DOT (render: dot -Tsvg backprop.dot -o backprop.svg);
// 6. gradcheck catching a hand-written backward that is wrong, and naming it.
//
//   ./backprop_tutorial [--dot backprop.dot] [--help]
#include <tapegrad/tapegrad.hpp>

#include "common.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>

using namespace tg;

// Where an input came from: the op that produced it, a leaf, or a constant (the edge keeps a
// constant's name, and its values when it is small).
static std::string source(const Edge& in) {
  if (in.fn) return std::string(in.fn->name()) + " #" + std::to_string(in.fn->sequence_nr());
  if (auto leaf = in.leaf.lock()) return "leaf " + Tensor(leaf).name();
  return "constant " + (in.name.empty() ? autograd::summarize(in.small) : in.name) +
         " (no gradient needed)";
}

int main(int argc, char** argv) {
  examples::App app{"Backpropagation step by step on a 2-3-1 network and the four XOR points."};
  std::string dot_path = "backprop.dot";
  app.add_option("--dot", dot_path, "file for the graph in Graphviz DOT");
  CLI11_PARSE(app, argc, argv);
  std::cout << std::setprecision(4);
  manual_seed(7);

  // Four points of XOR, one hidden layer of three tanh units, a sigmoid output.
  // Inputs and targets are constants (no gradient); their names label them in the graph.
  Tensor x = tensor({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, Dtype::float64).set_name("x");
  Tensor y = reshape(tensor({0, 1, 1, 0}, Dtype::float64), {4, 1}).set_name("y");
  Tensor w1 = randn({3, 2}, Dtype::float64).set_requires_grad().set_name("w1");
  Tensor b1 = zeros({3}, Dtype::float64).set_requires_grad().set_name("b1");
  Tensor w2 = randn({1, 3}, Dtype::float64).set_requires_grad().set_name("w2");
  Tensor b2 = zeros({1}, Dtype::float64).set_requires_grad().set_name("b2");

  std::cout << "== 1. forward pass\n";
  Tensor z1 = linear(x, w1, b1);  // x·w1ᵀ + b1
  Tensor h = tanh(z1);
  Tensor z2 = linear(h, w2, b2);
  Tensor y_hat = sigmoid(z2);
  y_hat.retain_grad();  // keep dL/dŷ so we can compare it with the hand formula
  Tensor mse = losses::mse_loss(y_hat, y);
  std::cout << "hidden h = tanh(x·w1ᵀ + b1):\n" << h << "\nprediction ŷ = sigmoid(h·w2ᵀ + b2):\n"
            << y_hat << "\nMSE loss = " << mse.item() << "\n\n";

  std::cout << "== 2. the tape (creation order)\n";
  for (const auto& node : autograd::tape(mse)) {
    std::cout << "  #" << node->sequence_nr() << " " << node->name() << "(";
    for (std::size_t i = 0; i < node->inputs().size(); ++i)
      std::cout << (i ? ", " : "") << node->inputs()[i].shape;
    std::cout << ")\n";
  }

  std::cout << "\n== 3. backward: the engine walks the tape in reverse\n";
  std::string dot;
  {
    // The engine reports each node before it runs: we print it, and the recorder keeps the
    // gradient reaching each op for the picture.
    autograd::GradientRecorder recorder([](const autograd::TraceEvent& e) {
      std::cout << "  " << e.node.name() << " #" << e.node.sequence_nr() << " receives a gradient "
                << e.grad.shape() << " (norm " << norm(e.grad).item() << ")\n";
      for (std::size_t i = 0; i < e.input_grads.size(); ++i) {
        std::cout << "      input " << i << " -> " << source(e.node.inputs()[i]);
        if (e.input_grads[i].defined())
          std::cout << ": gradient " << e.input_grads[i].shape() << " norm "
                    << norm(e.input_grads[i]).item();
        std::cout << "\n";
      }
    });
    mse.backward({}, true);
    // The picture of section 5, taken now: its gradients are the ones the trace just printed
    // (section 4's BCE backward adds into the same leaves), its values those of section 1.
    dot = autograd::to_dot(mse, autograd::DotOptions()
                                    .with_values()
                                    .with_gradients()
                                    .with_outputs({z1, h, z2, y_hat})
                                    .with_recorded(recorder));
  }
  std::cout << "dL/dw1 =\n" << w1.grad() << "\n\n";

  std::cout << "== 4. loss gradients by hand\n";
  const double n = 4;
  Tensor mse_by_hand = 2.0 * (y_hat.detach() - y) / n;  // dMSE/dŷ = 2(ŷ − y)/n
  std::cout << "dMSE/dŷ by hand:  " << to_vector(mse_by_hand)[0] << " "
            << to_vector(mse_by_hand)[1] << " ...\ndMSE/dŷ autograd:  "
            << to_vector(y_hat.grad())[0] << " " << to_vector(y_hat.grad())[1]
            << " ...\nmax difference " << max(abs(mse_by_hand - y_hat.grad())).item() << "\n";
  y_hat.zero_grad();
  Tensor bce = losses::binary_cross_entropy(y_hat, y);
  bce.backward({}, true);
  Tensor p = y_hat.detach();
  Tensor bce_by_hand = (p - y) / (p * (1.0 - p)) / n;  // dBCE/dŷ = (ŷ − y)/(ŷ(1 − ŷ))/n
  std::cout << "dBCE/dŷ max difference between hand formula and autograd: "
            << max(abs(bce_by_hand - y_hat.grad())).item() << "\n\n";

  std::cout << "== 5. the graph after the MSE backward, as Graphviz DOT, in " << dot_path << "\n";
  if (!(std::ofstream(dot_path) << dot)) {
    std::cerr << "error: cannot write " << dot_path << "\n";
    return 1;
  }
  auto stats = autograd::tape_stats(mse);
  std::cout << "  " << stats.nodes << " ops, " << stats.saved_bytes
            << " bytes of saved tensors kept alive for backward\n\n";

  std::cout << "== 6. gradcheck finds a wrong backward\n";
  // A hand-written square whose backward forgot the factor x: d(x²)/dx = 2x, not 2.
  auto bad_square = [](const Tensor& t) {
    return record_op("bad_square", (t * t).detach(), {t}, [](const BackwardContext& c) {
      return std::vector<Tensor>{c.grad * 2.0};
    });
  };
  auto model = [&](const std::vector<Tensor>& in) {
    return sum(sigmoid(linear(bad_square(tanh(linear(x, in[0], in[1]))), in[2], in[3])));
  };
  try {
    autograd::gradcheck(model, {w1, b1, w2, b2});
    std::cout << "gradcheck passed (unexpected)\n";
    return 1;
  } catch (const AutogradError& e) {
    std::cout << e.what() << "\n";
  }
  return 0;
}
