#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/graph.hpp>

#include <xtensor/xmath.hpp>

#include <algorithm>
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

namespace {

std::string summary(const Tensor& t) {
  return visit(t, [](const auto& a) {
    if (a.size() == 0) return std::string("empty");
    double norm = std::sqrt(double(xt::sum(a * a)()));
    return str("norm ", norm, "\\nmin ", double(xt::amin(a)()), " max ", double(xt::amax(a)()));
  });
}

}  // namespace

std::string to_dot(const Tensor& root, const DotOptions& options) {
  std::string dot = "digraph tapegrad {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n";
  std::unordered_set<const TensorImpl*> leaves;
  auto leaf_node = [&](const std::shared_ptr<TensorImpl>& impl, const Shape& shape) {
    std::string id = str("leaf", static_cast<const void*>(impl.get()));
    if (leaves.insert(impl.get()).second) {
      Tensor t(impl);
      std::string label = (t.name().empty() ? std::string("leaf") : t.name()) + "\\n" +
                          to_string(shape);
      if (options.values) label += "\\nvalue " + summary(t);
      if (options.gradients && t.grad().defined()) label += "\\ngrad " + summary(t.grad());
      dot += str("  ", id, " [shape=ellipse", t.name().empty() ? "" : ", style=filled, fillcolor=lightblue",
                 ", label=\"", label, "\"];\n");
    }
    return id;
  };
  auto node_id = [](const Node* n) { return str("op", n->sequence_nr()); };
  for (const auto& node : tape(root)) {
    const Node* n = node.get();
    dot += str("  ", node_id(n), " [shape=box, style=rounded, label=\"", n->name(), "\\n#",
               n->sequence_nr(), "\"];\n");
    for (std::size_t i = 0; i < n->inputs().size(); ++i) {
      const Edge& e = n->inputs()[i];
      std::string from;
      if (e.fn) {
        from = node_id(e.fn.get());
      } else if (auto leaf = e.leaf.lock()) {
        from = leaf_node(leaf, e.shape);
      } else {  // an input that needs no gradient
        from = str(node_id(n), "_in", i);
        dot += str("  ", from, " [shape=ellipse, color=gray, fontcolor=gray, label=\"constant\\n",
                   to_string(e.shape), "\"];\n");
      }
      dot += str("  ", from, " -> ", node_id(n), " [label=\"", to_string(e.shape), "\"];\n");
    }
  }
  if (root.grad_fn()) {
    dot += str("  output [shape=ellipse, style=filled, fillcolor=lightgreen, label=\"output\\n",
               to_string(root.shape()), "\"];\n  ", node_id(root.grad_fn().get()), " -> output;\n");
  } else if (root.requires_grad()) {
    leaf_node(root.impl_ptr(), root.shape());
  }
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
