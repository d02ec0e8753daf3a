// The tape and the backward engine: recording nodes, walking them in reverse creation order
// (no recursion), accumulating gradients, and tearing long graphs down without recursion.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/graph.hpp>
#include <tapegrad/autograd/shape.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <queue>
#include <unordered_map>

namespace tg {

thread_local detail::ForwardProbe* detail::forward_probe = nullptr;

// ---------------------------------------------------------------- grad mode
static thread_local bool grad_enabled = true;
bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
NoGradGuard::NoGradGuard() : previous_(grad_enabled) { grad_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_enabled = previous_; }
EnableGradGuard::EnableGradGuard(bool enabled) : previous_(grad_enabled) { grad_enabled = enabled; }
EnableGradGuard::~EnableGradGuard() { grad_enabled = previous_; }

// ---------------------------------------------------------------- anomaly mode
static thread_local bool anomaly_enabled = false;
namespace autograd {
bool is_anomaly_enabled() { return anomaly_enabled; }
DetectAnomalyGuard::DetectAnomalyGuard() : previous_(anomaly_enabled) { anomaly_enabled = true; }
DetectAnomalyGuard::~DetectAnomalyGuard() { anomaly_enabled = previous_; }
}  // namespace autograd

static bool all_finite(const Tensor& t) {
  return detail::visit(t, [](const auto& a) {
    return std::all_of(a.begin(), a.end(), [](auto v) { return std::isfinite(v); });
  });
}

// ---------------------------------------------------------------- nodes
static std::atomic<std::uint64_t> next_sequence_nr{0};

Node::Node(const char* name, std::vector<Edge> inputs, BackwardFn backward,
           std::vector<Tensor> saved)
    : name_(name), seq_(next_sequence_nr++), inputs_(std::move(inputs)),
      backward_(std::move(backward)), saved_(std::move(saved)) {
  for (const Tensor& t : saved_) versions_.push_back(t.defined() ? t._version() : 0);
}

bool BackwardContext::needs(std::size_t input) const {
  const Edge& e = node.inputs()[input];
  return e.fn || !e.leaf.expired();
}

void Node::save_output(const Tensor& out) {
  saved_out_ = out.detach().impl_ptr();  // the values only
  versions_.push_back(out._version());
}

void Node::check_versions() const {
  for (std::size_t i = 0; i < versions_.size(); ++i) {
    const bool is_out = i == saved_.size();
    const Tensor t = is_out ? Tensor(saved_out_) : saved_[i];
    if (!t.defined() || t._version() == versions_[i]) continue;
    const std::string what = is_out            ? std::string("its output")
                             : t.name().empty() ? str("saved tensor ", i)
                                                : str("parameter '", t.name(), "'");
    throw AutogradError(str(
        "backward: ", what, " of shape ", to_string(t.shape()), ", which ", name_, " (op #", seq_,
        ") saved for its backward, was modified in place: it is at version ", t._version(),
        ", saved at version ", versions_[i], ". An in-place write (mutable_value, an optimizer "
        "step, nn::load, an init function) between the forward and the backward changed the "
        "values the gradient is computed from; run backward before the write, or write to a "
        "clone()."));
  }
}

std::vector<Tensor> Node::saved_tensors() const {
  std::vector<Tensor> all = saved_;
  if (saved_out_) all.push_back(Tensor(saved_out_));
  return all;
}

void Node::release() {
  backward_ = nullptr;
  saved_.clear();
  saved_out_.reset();
  versions_.clear();
}

std::vector<Tensor> Node::apply(const std::shared_ptr<Node>& self, const Tensor& grad) {
  if (!backward_)
    throw AutogradError(str(
        "backward: trying to backward through the graph a second time (through ", name_,
        "); its saved tensors were freed by the first backward. Pass retain_graph=true to the "
        "first backward if you need to backward twice."));
  check_versions();
  Tensor out;
  if (saved_out_) {  // the output again, with this node as grad_fn (for create_graph)
    out = Tensor(saved_out_).detach();
    out.impl()->grad_fn = self;
    out.impl()->requires_grad = true;
  }
  return backward_(BackwardContext{grad, saved_, out, *this});
}

// Destroying a node can release the last reference to the next node (through edges or saved
// tensors), which would recurse once per node of a long chain. Nested deletions are queued and
// run by the outermost one instead.
namespace {
struct NodeDeleter {
  void operator()(Node* node) const {
    static thread_local bool deleting = false;
    static thread_local std::vector<Node*> pending;
    if (deleting) {
      pending.push_back(node);
      return;
    }
    deleting = true;
    delete node;
    while (!pending.empty()) {
      Node* next = pending.back();
      pending.pop_back();
      delete next;
    }
    deleting = false;
  }
};
}  // namespace

bool needs_grad(std::initializer_list<Tensor> inputs) {
  auto requires = [](const Tensor& t) { return t.requires_grad(); };
  return grad_enabled && std::any_of(inputs.begin(), inputs.end(), requires);
}

static Tensor record(const char* name, Tensor out, const Tensor* inputs, std::size_t n,
                     BackwardFn backward, std::vector<Tensor> saved, SaveOutput save_output) {
  // "anomaly: mul (op #12, inputs [3,4] and [4]) produced ...": which op, where on the tape.
  if (anomaly_enabled && !all_finite(out)) {
    std::string s = str("anomaly: ", name, " (op #", next_sequence_nr, ", inputs");
    for (std::size_t i = 0; i < n; ++i)
      s += str(i ? " and " : " ", inputs[i].defined() ? to_string(inputs[i].shape()) : "none");
    throw AutogradError(s + ") produced NaN or Inf in its output");
  }
  if (!grad_enabled || !out.is_floating_point()) return out;  // integers carry no gradient
  if (std::none_of(inputs, inputs + n, [](const Tensor& t) { return t.requires_grad(); }))
    return out;
  std::vector<Edge> edges(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Tensor& in = inputs[i];
    if (!in.defined()) continue;  // an optional input that was not given
    edges[i].shape = in.shape();
    edges[i].dtype = in.dtype();
    if (in.grad_fn()) edges[i].fn = in.grad_fn();
    else if (in.requires_grad()) edges[i].leaf = in.impl_ptr();
    else {  // a constant: what a graph picture shows of it (no copy of its values)
      edges[i].name = in.name();
      if (in.numel() <= 8) edges[i].small = in;
    }
  }
  std::shared_ptr<Node> node(
      new Node(name, std::move(edges), std::move(backward), std::move(saved)), NodeDeleter());
  if (save_output == SaveOutput::yes) node->save_output(out);
  if (out.grad_fn()) out = out.detach();  // an op returned one of its inputs: give it a new node
  out.impl()->grad_fn = std::move(node);
  out.impl()->requires_grad = true;
  if (detail::forward_probe) (*detail::forward_probe)(out);
  return out;
}

Tensor record_op(const char* name, Tensor out, std::initializer_list<Tensor> inputs,
                 BackwardFn backward, std::initializer_list<Tensor> saved,
                 SaveOutput save_output) {
  return record(name, std::move(out), inputs.begin(), inputs.size(), std::move(backward),
                saved, save_output);
}
Tensor record_op(const char* name, Tensor out, const std::vector<Tensor>& inputs,
                 BackwardFn backward, std::vector<Tensor> saved, SaveOutput save_output) {
  return record(name, std::move(out), inputs.data(), inputs.size(), std::move(backward),
                std::move(saved), save_output);
}

// ---------------------------------------------------------------- tensor autograd methods
Tensor Tensor::detach() const {
  detail::array(*this);  // throws on an undefined tensor
  auto impl = std::make_shared<TensorImpl>();
  impl->data = impl_->data;
  return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
  Tensor out = detail::visit_all(*this, [](const auto& a) { return detail::make(a); });
  return record_op("clone", out, {*this},
                   [](const BackwardContext& c) { return std::vector<Tensor>{c.grad}; });
}

Tensor Tensor::to(Dtype dtype) const {
  if (dtype == this->dtype()) return *this;
  Tensor out = detail::visit_all(*this, [&](const auto& a) {
    switch (dtype) {
      case Dtype::float32: return detail::make(xt::xarray<float>(xt::cast<float>(a)));
      case Dtype::float64: return detail::make(xt::xarray<double>(xt::cast<double>(a)));
      case Dtype::int64: return detail::make(xt::xarray<std::int64_t>(xt::cast<std::int64_t>(a)));
      case Dtype::boolean: break;
    }
    return detail::make(xt::xarray<bool>(xt::cast<bool>(a)));
  });
  Dtype from = this->dtype();
  return record_op("to", out, {*this}, [from](const BackwardContext& c) {
    return std::vector<Tensor>{c.grad.to(from)};
  });
}

void Tensor::retain_grad() const {
  if (!requires_grad())
    throw AutogradError("retain_grad: the tensor does not require grad");
  if (impl_->grad_fn) impl_->grad_fn->retained() = impl_;
  impl_->retains_grad = true;
}
bool Tensor::retains_grad() const { return impl_ && impl_->retains_grad; }

void Tensor::register_hook(Hook fn) const {
  if (!requires_grad())
    throw AutogradError("register_hook: cannot register a hook on a tensor that does not "
                        "require grad");
  if (impl_->grad_fn) impl_->grad_fn->hooks().push_back(std::move(fn));
  else impl_->hooks.push_back(std::move(fn));
}

// ---------------------------------------------------------------- the engine
namespace autograd {
static TraceFn trace_fn;
void set_backward_trace(TraceFn fn) { trace_fn = std::move(fn); }
}  // namespace autograd

namespace {

Tensor run_hooks(const std::vector<Hook>& hooks, Tensor grad) {  // a hook may replace grad
  for (const Hook& h : hooks) {
    Tensor replaced = h(grad);
    if (replaced.defined()) grad = replaced;
  }
  return grad;
}

// Adds a gradient into a leaf's (or a captured) gradient slot. The first gradient is stored
// as is when nothing else refers to it, copied otherwise, so the in-place accumulation of later
// ones never changes a tensor someone else holds. With create_graph the sum is recorded.
void accumulate(Tensor& slot, Tensor grad, bool create_graph) {
  if (!slot.defined()) {
    bool exclusive = grad.impl_ptr().use_count() == 1 && grad.impl()->data.use_count() == 1;
    slot = exclusive ? std::move(grad) : grad.clone();
  } else if (create_graph || slot.requires_grad()) {
    slot = slot + grad;
  } else {
    detail::visit_mutable(slot, "backward", [&](auto& s) {
      using T = typename std::decay_t<decltype(s)>::value_type;
      s += grad.to(slot.dtype()).value<T>();
    });
  }
}

// Checks a gradient against its input's shape and dtype, reducing broadcast dimensions.
Tensor validate(const Node& node, std::size_t i, Tensor g) {
  const Edge& e = node.inputs()[i];
  Shape shape = g.shape();
  if (shape != e.shape) {
    try {
      if (detail::broadcast_shapes(e.shape, shape, "") != shape) throw ShapeError("");
    } catch (const ShapeError&) {
      throw AutogradError(str("backward: ", node.name(), " returned a gradient of shape ",
                              to_string(shape), " for input ", i, " of shape ",
                              to_string(e.shape)));
    }
    g = sum_to(g, e.shape);
  }
  if (g.dtype() != e.dtype) g = g.to(e.dtype);
  return g;
}

// Runs backward from roots. With `captures` (autograd::grad) gradients reaching those tensors
// are returned instead of being accumulated into leaves' .grad().
void run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads,
                  bool retain_graph, bool create_graph, const std::vector<Tensor>* captures,
                  std::vector<Tensor>* captured) {
  EnableGradGuard mode(create_graph);
  std::unordered_map<const Node*, Tensor> pending;
  std::unordered_map<const void*, std::size_t> capture;  // by grad_fn, or by impl for a leaf
  for (std::size_t i = 0; captures && i < captures->size(); ++i) {
    const Tensor& t = (*captures)[i];
    capture[t.grad_fn() ? static_cast<const void*>(t.grad_fn().get()) : t.impl()] = i;
  }
  auto capture_into = [&](const void* key, Tensor g) {
    auto it = capture.find(key);
    if (it != capture.end()) accumulate((*captured)[it->second], std::move(g), create_graph);
  };
  using NodePtr = std::shared_ptr<Node>;  // the ready nodes, the latest first
  auto later = [](const NodePtr& a, const NodePtr& b) {
    return a->sequence_nr() < b->sequence_nr();
  };
  std::priority_queue<NodePtr, std::vector<NodePtr>, decltype(later)> ready(later);

  auto deliver_leaf = [&](const std::shared_ptr<TensorImpl>& leaf, Tensor g) {
    if (captures) capture_into(leaf.get(), std::move(g));
    else accumulate(leaf->grad, run_hooks(leaf->hooks, std::move(g)), create_graph);
  };
  auto deliver_node = [&](const std::shared_ptr<Node>& fn, Tensor g) {  // fan-in: sum first
    auto [it, fresh] = pending.try_emplace(fn.get());
    if (fresh) ready.push(fn);
    it->second = fresh ? std::move(g) : it->second + g;
  };

  for (std::size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    if (!r.requires_grad())
      throw AutogradError(str("backward: tensor ", i, " of shape ", to_string(r.shape()),
                              " does not require grad and has no grad_fn"));
    if (r.grad_fn()) deliver_node(r.grad_fn(), root_grads[i]);
    else deliver_leaf(r.impl_ptr(), root_grads[i]);
  }

  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    Tensor g = run_hooks(node->hooks(), std::move(pending[node.get()]));
    pending.erase(node.get());
    if (auto kept = node->retained().lock()) accumulate(kept->grad, g, create_graph);
    capture_into(node.get(), g);
    std::vector<Tensor> grads = node->apply(node, g);
    if (grads.size() != node->inputs().size())
      throw AutogradError(str("backward: ", node->name(), " returned ", grads.size(),
                              " gradients for ", node->inputs().size(), " inputs"));
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const Edge& e = node->inputs()[i];
      if (!grads[i].defined() || (!e.fn && e.leaf.expired())) {
        grads[i] = Tensor();
        continue;
      }
      grads[i] = validate(*node, i, std::move(grads[i]));
      if (anomaly_enabled && !all_finite(grads[i]))
        throw AutogradError(str("anomaly: backward of ", node->name(), " (op #",
                                node->sequence_nr(), ") produced NaN or Inf in the gradient "
                                "for input ", i, " of shape ", to_string(node->inputs()[i].shape)));
    }
    if (autograd::trace_fn) autograd::trace_fn(autograd::TraceEvent{*node, g, grads});
    for (std::size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) continue;
      const Edge& e = node->inputs()[i];
      if (e.fn) deliver_node(e.fn, std::move(grads[i]));
      else if (auto leaf = e.leaf.lock()) deliver_leaf(leaf, std::move(grads[i]));
    }
    if (!retain_graph) node->release();
  }
}

Tensor default_grad(const Tensor& root, const Tensor& grad, const char* op) {
  if (grad.defined()) {
    if (grad.shape() != root.shape())
      throw ShapeError(str(op, ": grad_output of shape ", to_string(grad.shape()),
                           " for an output of shape ", to_string(root.shape())));
    return grad;
  }
  if (root.numel() != 1)
    throw AutogradError(str(op, ": grad can be implicitly created only for scalar outputs; "
                                "this output has shape ",
                            to_string(root.shape()), ", pass a grad_output"));
  return ones_like(root);
}

}  // namespace

void Tensor::backward(const Tensor& grad_output, std::optional<bool> retain_graph,
                      bool create_graph) const {
  run_backward({*this}, {default_grad(*this, grad_output, "backward")},
               retain_graph.value_or(create_graph), create_graph, nullptr, nullptr);
}

namespace autograd {
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs,
                         std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw ValueError(str("grad: ", outputs.size(), " outputs but ", grad_outputs.size(),
                         " grad_outputs"));
  std::vector<Tensor> root_grads;
  for (std::size_t i = 0; i < outputs.size(); ++i)
    root_grads.push_back(
        default_grad(outputs[i], grad_outputs.empty() ? Tensor() : grad_outputs[i], "grad"));
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].requires_grad())
      throw AutogradError(str("grad: input ", i, " of shape ", to_string(inputs[i].shape()),
                              " does not require grad"));
  std::vector<Tensor> result(inputs.size());
  run_backward(outputs, root_grads, retain_graph.value_or(create_graph), create_graph, &inputs,
               &result);
  for (std::size_t i = 0; i < result.size(); ++i)
    if (!result[i].defined() && !allow_unused)
      throw AutogradError(str("grad: input ", i, " of shape ", to_string(inputs[i].shape()),
                              " was not used in the graph (pass allow_unused=true)"));
  return result;
}
}  // namespace autograd

}  // namespace tg
