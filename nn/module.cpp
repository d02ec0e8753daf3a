#include <tapegrad/nn/module.hpp>

#include <tapegrad/autograd/detail/op.hpp>

#include <cxxabi.h>

#include <cstdlib>
#include <ostream>
#include <typeinfo>
#include <unordered_set>

namespace tg::nn {

Tensor Module::operator()(const Tensor& x) {
  return call([&] { return forward(x); }, x);
}

Tensor Module::run_hooks(const Tensor& x, Tensor y) {
  for (const ForwardHook& hook : forward_hooks_) {
    Tensor replaced = hook(*this, x, y);
    if (replaced.defined()) y = replaced;
  }
  return y;
}

std::string Module::place() const {
  return name_in_parent_.empty() ? type_name()
                                 : str("'", name_in_parent_, "' (", type_name(), ")");
}

Tensor Module::forward(const Tensor&) {
  throw Error(str(type_name(), ": no forward(const Tensor&) reachable here; a forward of another "
                               "signature is called through the module's holder (TG_MODULE) or "
                               "directly"));
}

void Module::check_new_name(const std::string& name, const char* what) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw ValueError(str(what, ": name '", name, "' must be non-empty and contain no '.'"));
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    throw ValueError(str(what, ": ", type_name(), " already has a member named '", name, "'"));
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "register_parameter");
  if (!tensor.defined() || !tensor.is_leaf())
    throw ValueError(str("register_parameter: '", name, "' must be a defined leaf tensor (pass "
                         "tensor.detach() for the result of an op)"));
  tensor.set_requires_grad(requires_grad).set_name(name);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name, "register_buffer");
  if (!tensor.defined()) throw ValueError(str("register_buffer: '", name, "' is undefined"));
  buffers_.emplace_back(name, tensor.set_name(name));
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name, "register_module");
  if (!child) throw ValueError(str("register_module: '", name, "' is a null module"));
  for (auto& [path, t] : child->named_parameters()) t.set_name(name + "." + path);
  for (auto& [path, t] : child->named_buffers()) t.set_name(name + "." + path);
  child->name_in_parent_ = name;
  children_.emplace_back(name, std::move(child));
}

// Pre-order walk (own tensors, then each child's), skipping tensors already seen.
NamedTensors Module::named_tensors(NamedTensors Module::*kind, bool recurse) const {
  NamedTensors out;
  std::unordered_set<const TensorImpl*> seen;
  auto walk = [&](const Module& m, const std::string& prefix, const auto& self) -> void {
    for (const auto& [name, t] : m.*kind)
      if (seen.insert(t.impl()).second) out.emplace_back(prefix + name, t);
    if (!recurse) return;
    for (const auto& [name, child] : m.children_) self(*child, prefix + name + ".", self);
  };
  walk(*this, "", walk);
  return out;
}

NamedTensors Module::named_parameters(bool recurse) const {
  return named_tensors(&Module::parameters_, recurse);
}
NamedTensors Module::named_buffers(bool recurse) const {
  return named_tensors(&Module::buffers_, recurse);
}
template <class V> static std::vector<V> values(const std::vector<Named<V>>& named) {
  std::vector<V> out;
  for (const auto& entry : named) out.push_back(entry.second);
  return out;
}
std::vector<Tensor> Module::parameters(bool recurse) const {
  return values(named_parameters(recurse));
}
std::vector<Tensor> Module::buffers(bool recurse) const { return values(named_buffers(recurse)); }

std::vector<std::shared_ptr<Module>> Module::children() const { return values(children_); }

Module& Module::train(bool on) {
  training_ = on;
  for (auto& entry : children_) entry.second->train(on);
  return *this;
}

void Module::zero_grad() {
  for (const Tensor& p : parameters()) p.zero_grad();
}

Module& Module::to(Dtype dtype) {
  NoGradGuard no_grad;
  for (const auto* named : {&parameters_, &buffers_})
    for (const auto& entry : *named) {
      const Tensor& t = entry.second;
      if (t.dtype() == dtype || !t.is_floating_point()) continue;  // counters stay int64
      t.zero_grad();
      // Replace the storage, not the handle: every copy of the handle sees the new dtype.
      tg::detail::mutable_array(t) = tg::detail::array(t.detach().to(dtype));
    }
  for (auto& entry : children_) entry.second->to(dtype);
  return *this;
}

std::string Module::type_name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 ? demangled : mangled;
  std::free(demangled);
  auto colon = name.rfind("::");
  if (colon != std::string::npos) name = name.substr(colon + 2);
  const std::string impl = "Impl";
  bool holder_impl = name.size() > impl.size() && name.compare(name.size() - 4, 4, impl) == 0;
  return holder_impl ? name.substr(0, name.size() - impl.size()) : name;
}

void Module::print(std::ostream& os, int indent) const {
  os << type_name() << "(" << extra_repr();
  std::size_t own = 0;
  std::string shapes;
  for (const auto& [name, t] : parameters_) {
    own += t.numel();
    shapes += (shapes.empty() ? "" : ", ") + name + " " + to_string(t.shape());
  }
  if (children_.empty()) {
    os << ")";
    if (!shapes.empty()) os << "  # " << shapes << ": " << own << " parameters";
    return;
  }
  os << "\n";
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  if (!shapes.empty()) os << pad << "# own " << shapes << "\n";
  for (const auto& [name, child] : children_) {
    os << pad << "(" << name << "): ";
    child->print(os, indent + 2);
    os << "\n";
  }
  std::size_t total = 0;
  for (const Tensor& p : parameters()) total += p.numel();
  os << std::string(static_cast<std::size_t>(indent), ' ') << ")  # " << total << " parameters";
}

std::ostream& operator<<(std::ostream& os, const Module& module) {
  module.print(os, 0);
  return os;
}

}  // namespace tg::nn
