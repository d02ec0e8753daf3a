#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/graph.hpp>

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <unordered_set>

namespace tg::autograd {

// Every node reachable from root, without recursion, sorted by sequence number.
std::vector<std::shared_ptr<Node>> tape(const Tensor& root) {
  std::vector<std::shared_ptr<Node>> nodes, stack;
  std::unordered_set<const Node*> seen;
  if (root.grad_fn()) stack.push_back(root.grad_fn());
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(n.get()).second) continue;
    for (const Edge& e : n->inputs())
      if (e.fn) stack.push_back(e.fn);
    nodes.push_back(std::move(n));
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const auto& a, const auto& b) { return a->sequence_nr() < b->sequence_nr(); });
  return nodes;
}

GradientRecorder::GradientRecorder(TraceFn then) {
  set_backward_trace([this, then = std::move(then)](const TraceEvent& e) {
    grads_[&e.node] = e.grad;
    if (then) then(e);
  });
}
GradientRecorder::~GradientRecorder() { set_backward_trace(nullptr); }
Tensor GradientRecorder::grad_of(const Node* node) const {
  auto it = grads_.find(node);
  return it == grads_.end() ? Tensor() : it->second;
}

std::string summarize(const Tensor& t, std::size_t max_numbers) {
  if (!t.defined()) return "none";
  return visit(t, [&](const auto& a) {
    if (a.size() == 0) return std::string("empty");
    std::ostringstream os;
    os << std::setprecision(4);
    if (a.dimension() == 0) {
      os << double(a());
    } else if (a.size() <= max_numbers) {
      os << "[";
      for (std::size_t i = 0; i < a.size(); ++i) os << (i ? ", " : "") << double(a.data()[i]);
      os << "]";
    } else {
      double norm = std::sqrt(double(xt::sum(a * a)()));
      os << "norm " << norm << " min " << double(xt::amin(a)()) << " max " << double(xt::amax(a)());
    }
    return os.str();
  });
}

std::vector<GraphNode> graph(const Tensor& root, const DotOptions& options) {
  std::vector<GraphNode> nodes;
  std::unordered_map<const TensorImpl*, std::size_t> leaf_index;
  std::unordered_map<const Node*, std::size_t> op_index;
  std::unordered_map<const Node*, Tensor> known;  // op node -> its output tensor
  for (const Tensor& t : options.outputs)
    if (t.defined() && t.grad_fn()) known[t.grad_fn().get()] = t;
  if (root.grad_fn()) known[root.grad_fn().get()] = root;

  auto add_leaf = [&](const std::shared_ptr<TensorImpl>& impl) {
    auto [it, fresh] = leaf_index.try_emplace(impl.get(), nodes.size());
    if (fresh) {
      Tensor t(impl);
      GraphNode g;
      g.kind = t.name().empty() ? GraphNode::Kind::leaf : GraphNode::Kind::parameter;
      g.label = t.name().empty() ? "leaf" : t.name();
      g.shape = t.shape();
      g.value = t;
      g.grad = t.grad();
      nodes.push_back(std::move(g));
    }
    return it->second;
  };
  int ops = 0;
  for (const auto& node : tape(root)) {
    const Node* n = node.get();
    GraphNode g;
    g.node = n;
    g.label = n->name();
    g.op_index = ops++;
    // The edge keeps a constant's name, and its values when small; the values of a larger
    // one are known while the op keeps it saved for backward (matched to the constant inputs
    // by shape, in order; released after a backward without retain_graph).
    std::vector<Tensor> saved_constants;
    for (const Tensor& t : n->saved_tensors())
      if (t.defined() && !t.requires_grad()) saved_constants.push_back(t);
    for (std::size_t i = 0; i < n->inputs().size(); ++i) {
      const Edge& e = n->inputs()[i];
      if (e.fn) {
        g.inputs.push_back(op_index.at(e.fn.get()));
      } else if (auto leaf = e.leaf.lock()) {
        g.inputs.push_back(add_leaf(leaf));
      } else {
        GraphNode c;
        c.kind = GraphNode::Kind::constant;
        c.label = e.name.empty() ? "constant" : e.name;
        c.shape = e.shape;
        c.value = e.small;
        for (auto it = saved_constants.begin(); it != saved_constants.end(); ++it)
          if (it->shape() == e.shape) {
            if (!c.value.defined()) c.value = *it;
            saved_constants.erase(it);
            break;
          }
        g.inputs.push_back(nodes.size());
        nodes.push_back(std::move(c));
      }
    }
    auto out = known.find(n);
    std::shared_ptr<TensorImpl> retained = node->retained().lock();
    if (out != known.end()) g.value = out->second;
    else if (retained) g.value = Tensor(retained);
    if (retained) g.grad = Tensor(retained).grad();
    else if (out != known.end() && out->second.retains_grad()) g.grad = out->second.grad();
    if (options.recorded && options.recorded->grad_of(n).defined())
      g.grad = options.recorded->grad_of(n);
    op_index[n] = nodes.size();
    for (std::size_t i = 0; i < n->inputs().size(); ++i)  // the shapes flowing in, from the edges
      if (n->inputs()[i].fn) nodes[g.inputs[i]].shape = n->inputs()[i].shape;
    nodes.push_back(std::move(g));
  }
  if (root.grad_fn()) nodes.back().shape = root.shape();
  if (!root.grad_fn() && root.requires_grad()) add_leaf(root.impl_ptr());
  return nodes;
}

static std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string to_dot(const Tensor& root, const DotOptions& options) {
  std::string dot = "digraph tapegrad {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n";
  std::vector<GraphNode> nodes = graph(root, options);
  auto id = [](std::size_t i) { return str("n", i); };
  auto summaries = [&](const GraphNode& g) {
    std::string s;
    if (options.values && g.value.defined()) s += "\\ndata " + dot_escape(summarize(g.value));
    if (options.gradients && g.grad.defined()) s += "\\ngrad " + dot_escape(summarize(g.grad));
    return s;
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const GraphNode& g = nodes[i];
    using Kind = GraphNode::Kind;
    const char* style = g.kind == Kind::op          ? "box, style=rounded"
                        : g.kind == Kind::parameter ? "ellipse, style=filled, fillcolor=lightblue"
                        : g.kind == Kind::leaf      ? "ellipse"
                                                    : "ellipse, color=gray, fontcolor=gray";
    // A small constant always shows its numbers: they are part of the formula.
    const bool small = g.kind == Kind::constant && g.value.defined() && g.value.numel() <= 8;
    dot += str("  ", id(i), " [shape=", style, ", label=\"", dot_escape(g.label),
               g.kind == Kind::op ? str(" #", g.op_index) : "", "\\n", to_string(g.shape),
               small ? "\\n" + dot_escape(summarize(g.value)) : summaries(g), "\"];\n");
    for (std::size_t in : g.inputs)
      dot += str("  ", id(in), " -> ", id(i), " [label=\"", to_string(nodes[in].shape), "\"];\n");
  }
  if (root.grad_fn())
    dot += str("  output [shape=ellipse, style=filled, fillcolor=lightgreen, label=\"output\\n",
               to_string(root.shape()), "\"];\n  ", id(nodes.size() - 1), " -> output;\n");
  return dot + "}\n";
}

TapeStats tape_stats(const Tensor& root) {
  TapeStats stats;
  std::unordered_set<const void*> counted;  // arrays saved by several nodes count once
  for (const auto& n : tape(root)) {
    ++stats.nodes;
    for (const Tensor& t : n->saved_tensors())
      if (t.defined() && counted.insert(t.impl()->data.get()).second)
        stats.saved_bytes += t.numel() * (t.dtype() == Dtype::float32 ? 4 : 8);
  }
  return stats;
}

}  // namespace tg::autograd
