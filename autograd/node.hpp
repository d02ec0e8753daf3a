#pragma once
// A Node is one recorded op on the tape: what its backward needs, and edges to the nodes (or
// leaf tensors) that produced its inputs. Nodes are numbered in creation order, which is a
// topological order: the engine runs them in decreasing sequence number.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg {

struct Edge {
  std::shared_ptr<Node> fn;         // the input was produced by this node, or
  std::weak_ptr<TensorImpl> leaf;   // the input is a leaf that requires grad, or neither
  Shape shape;                      // the input's shape and dtype: gradients are checked
  Dtype dtype = Dtype::float32;     // (and broadcasts reduced) against them
  // Neither (a constant), for graph pictures: its set_name() name and, when it has at most
  // 8 elements, the tensor itself (a larger one, a batch say, is not kept alive).
  std::string name;
  Tensor small;
};

// What a backward function receives: the gradient of the node's output, the tensors the op
// saved for backward, the output itself (only for ops recorded with SaveOutput::yes) and which
// inputs need a gradient.
struct BackwardContext {
  const Tensor& grad;
  const std::vector<Tensor>& saved;
  const Tensor& out;
  const Node& node;
  bool needs(std::size_t input) const;
};
// Returns one gradient per input (an undefined Tensor where none is needed or it is zero).
using BackwardFn = std::function<std::vector<Tensor>(const BackwardContext&)>;

enum class SaveOutput { no, yes };

class Node {
 public:
  Node(const char* name, std::vector<Edge> inputs, BackwardFn backward, std::vector<Tensor> saved);
  ~Node() = default;

  const char* name() const { return name_; }
  std::uint64_t sequence_nr() const { return seq_; }
  const std::vector<Edge>& inputs() const { return inputs_; }
  bool released() const { return !backward_; }  // saved tensors freed by an earlier backward
  // Throws AutogradError when a saved tensor was written in place since it was saved.
  void check_versions() const;
  std::vector<Tensor> saved_tensors() const;     // what backward keeps alive (output included)

  // Engine interface.
  std::vector<Tensor> apply(const std::shared_ptr<Node>& self, const Tensor& grad);
  void release();
  void save_output(const Tensor& out);
  std::vector<Hook>& hooks() { return hooks_; }
  std::weak_ptr<TensorImpl>& retained() { return retained_; }  // retain_grad() target

 private:
  const char* name_;
  std::uint64_t seq_;
  std::vector<Edge> inputs_;
  BackwardFn backward_;
  std::vector<Tensor> saved_;
  std::shared_ptr<TensorImpl> saved_out_;  // the output's data, without its grad_fn (no cycle)
  std::vector<std::uint64_t> versions_;    // of saved_ and then saved_out_, when they were saved
  std::vector<Hook> hooks_;
  std::weak_ptr<TensorImpl> retained_;
};

// Grad mode: ops record nodes only while it is enabled (the default, per thread).
bool is_grad_enabled();
void set_grad_enabled(bool enabled);
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
class EnableGradGuard {
 public:
  explicit EnableGradGuard(bool enabled = true);
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

// Records `out` as the result of op `name` on `inputs` when grad mode is on and an input
// requires grad; `backward` maps the output's gradient to the inputs' gradients, using the
// `saved` tensors (freed after backward unless retain_graph). Returns `out`.
Tensor record_op(const char* name, Tensor out, std::initializer_list<Tensor> inputs,
                 BackwardFn backward, std::initializer_list<Tensor> saved = {},
                 SaveOutput save_output = SaveOutput::no);
Tensor record_op(const char* name, Tensor out, const std::vector<Tensor>& inputs,
                 BackwardFn backward, std::vector<Tensor> saved = {},
                 SaveOutput save_output = SaveOutput::no);
bool needs_grad(std::initializer_list<Tensor> inputs);  // grad mode on and an input requires it

namespace autograd {
// Gradients of sum(outputs[i] * grad_outputs[i]) with respect to `inputs`, without touching any
// tensor's .grad(). An input the outputs do not depend on gets an undefined tensor unless
// allow_unused is false (then it is an error). retain_graph defaults to create_graph.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

// Called by the engine before each node runs (backward trace). Set to nullptr to disable.
struct TraceEvent {
  const Node& node;
  const Tensor& grad;                 // gradient flowing into the node's output
  const std::vector<Tensor>& input_grads;  // what it passes to each input (after reduction)
};
using TraceFn = std::function<void(const TraceEvent&)>;
void set_backward_trace(TraceFn fn);
}  // namespace autograd

}  // namespace tg
