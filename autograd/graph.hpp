#pragma once
// Seeing backprop: the recorded graph as Graphviz DOT, tape statistics, anomaly detection.
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <tapegrad/autograd/node.hpp>

namespace tg::autograd {

// The recorded ops that produced `root`, in tape (creation) order; backward runs them reversed.
std::vector<std::shared_ptr<Node>> tape(const Tensor& root);

// Records, while it lives, the gradient that reached each op node's output during backward
// (through the backward trace, which it owns meanwhile: one recorder at a time, per process),
// and passes every trace event on to `then` when given. Pass it to DotOptions::recorded to
// draw op nodes with the gradients of that backward.
class GradientRecorder {
 public:
  explicit GradientRecorder(TraceFn then = nullptr);
  ~GradientRecorder();
  GradientRecorder(const GradientRecorder&) = delete;
  GradientRecorder& operator=(const GradientRecorder&) = delete;
  Tensor grad_of(const Node* node) const;  // undefined when the node did not run

 private:
  std::unordered_map<const Node*, Tensor> grads_;
};

struct DotOptions {
  bool values = false;     // value summaries: leaves, constants, and op outputs that are known
  bool gradients = false;  // gradient summaries: leaves' .grad(), op outputs' recorded gradient
  // Intermediate results whose op nodes show their value (and .grad() when retain_grad was set).
  // The root's value is always known; so is every output on which retain_grad() was called.
  std::vector<Tensor> outputs;
  const GradientRecorder* recorded = nullptr;  // gradients reaching op outputs
  DotOptions& with_values(bool on = true) { values = on; return *this; }
  DotOptions& with_gradients(bool on = true) { gradients = on; return *this; }
  DotOptions& with_outputs(std::vector<Tensor> t) { outputs = std::move(t); return *this; }
  DotOptions& with_recorded(const GradientRecorder& r) { recorded = &r; return *this; }
};

// The graph as data, the model of to_dot's picture (and of other renderers, such as the
// playground's). Nodes come in tape order, each op after the tensors feeding it.
struct GraphNode {
  enum class Kind { op, parameter, leaf, constant };
  Kind kind = Kind::op;
  std::string label;     // op name; tensor name (parameters: the module path) or "leaf"/"constant"
  Shape shape;           // op: its output's shape
  Tensor value, grad;    // undefined where unknown
  std::vector<std::size_t> inputs;  // indices of the nodes feeding an op, in argument order
  const Node* node = nullptr;       // the op's tape node (to match backward trace events)
  int op_index = -1;     // #0, #1, ... in tape order (ops only)
};
// A constant is an input that needs no gradient. The tape keeps its shape, set_name() name and,
// with at most 8 elements, its values; a larger one's values only while its op saves it.
std::vector<GraphNode> graph(const Tensor& root, const DotOptions& options = {});

// "[0.5, -1.25]" for tensors of at most max_numbers elements, else "norm n min a max b".
std::string summarize(const Tensor& t, std::size_t max_numbers = 8);

// The graph that produced `root`: op nodes (boxes, named, numbered #0, #1, ... in tape order),
// leaf tensors (ellipses; parameters — named leaves — filled), constants (grey), edges labelled
// with the shapes flowing along them. Render with `dot -Tsvg graph.dot -o graph.svg`.
std::string to_dot(const Tensor& root, const DotOptions& options = {});

struct TapeStats {
  std::size_t nodes = 0;        // recorded ops reachable from the root
  std::size_t saved_bytes = 0;  // bytes of arrays the graph keeps alive for backward
};
TapeStats tape_stats(const Tensor& root);

// While a guard lives (per thread), every recorded op checks its output and every backward
// step checks the gradients it produces; a NaN or Inf raises tg::AutogradError naming the op,
// its place on the tape and the shapes of its inputs.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};
bool is_anomaly_enabled();

}  // namespace tg::autograd
