#include <tapegrad/optim/optimizer.hpp>

#include <algorithm>
#include <regex>
#include <unordered_set>

#include <tapegrad/autograd/node.hpp>
#include <tapegrad/optim/detail/update.hpp>

namespace tg::optim {

using detail::str;

OptimizerOptions& ParamGroup::options() {
  return const_cast<OptimizerOptions&>(static_cast<const ParamGroup&>(*this).options());
}
const OptimizerOptions& ParamGroup::options() const {
  if (!options_) throw ValueError("ParamGroup: the group has no options (add it to an optimizer)");
  return *options_;
}

Optimizer::Optimizer(const char* name, std::vector<ParamGroup> groups,
                     const OptimizerOptions& defaults, std::vector<std::string> buffer_names)
    : name_(name), defaults_(defaults.clone()), buffer_names_(std::move(buffer_names)) {
  check(*defaults_);
  if (groups.empty()) throw ValueError(str(name_, ": got an empty list of parameter groups"));
  for (const ParamGroup& group : groups) add_param_group(group);
}

void Optimizer::add_param_group(const ParamGroup& group) {
  ParamGroup added(group);
  if (!added.has_options()) added.set_options(defaults_->clone());
  check(added.options());
  std::unordered_set<const TensorImpl*> seen;
  for (const ParamGroup& g : groups_)
    for (const Tensor& p : g.params()) seen.insert(p.impl());
  if (added.params().empty()) throw ValueError(str(name_, ": got an empty parameter list"));
  for (const Tensor& p : added.params()) {
    if (!p.defined()) throw ValueError(str(name_, ": a parameter is an undefined tensor"));
    if (!p.is_leaf())
      throw ValueError(str(name_, ": can't optimize a non-leaf tensor (shape ",
                           to_string(p.shape()), "); detach() it or use the leaf it came from"));
    if (!seen.insert(p.impl()).second)
      throw ValueError(str(name_, ": a parameter (shape ", to_string(p.shape()),
                           ") appears more than once in the parameter groups"));
  }
  groups_.push_back(std::move(added));
}

void Optimizer::check(const OptimizerOptions& options) const {
  detail::require(options.get_lr() >= 0, name_, "learning rate", options.get_lr(), "must be >= 0");
  options.check(name_);
}

Tensor Optimizer::step(const LossClosure& closure) {
  Tensor loss;
  if (closure) {
    EnableGradGuard grad_mode;
    loss = closure();
  }
  NoGradGuard no_grad;
  update();
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (set_to_none) p.zero_grad();
      else if (g.requires_grad()) p.set_grad(zeros_like(g));  // a create_graph gradient
      else g.zero_();
    }
}

// A copy that shares no storage (the optimizer writes its buffers in place).
static Tensor copy_as(const Tensor& t, Dtype dtype) {
  return tg::detail::map(t.to(dtype), [](const auto& a) { return a; });
}

NamedTensors Optimizer::state_dict() const {
  NamedTensors out;
  for (std::size_t g = 0; g < groups_.size(); ++g)
    out.emplace_back(str("param_groups.", g, ".lr"),
                     scalar(groups_[g].options().get_lr(), Dtype::float64));
  std::size_t index = 0;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params()) {
      auto it = state_.find(p.impl());
      if (it != state_.end()) {
        out.emplace_back(str("state.", index, ".step"), scalar(it->second.step, Dtype::float64));
        for (std::size_t b = 0; b < buffer_names_.size(); ++b)
          if (it->second.buffers[b].defined())
            out.emplace_back(str("state.", index, ".", buffer_names_[b]),
                             copy_as(it->second.buffers[b], p.dtype()));
      }
      ++index;
    }
  return out;
}

void Optimizer::load_state_dict(const NamedTensors& state) {
  static const std::regex known(R"((param_groups|state)\.(\d{1,9})\.(\w+))");
  NoGradGuard no_grad;
  std::vector<Tensor> params;
  for (const ParamGroup& group : groups_)
    params.insert(params.end(), group.params().begin(), group.params().end());
  std::unordered_map<const TensorImpl*, ParamState> loaded;
  std::vector<double> lrs;
  for (const ParamGroup& group : groups_) lrs.push_back(group.options().get_lr());
  for (const auto& [key, value] : state) {
    auto bad = [&](const std::string& why) {
      return ValueError(str(name_, ": load_state_dict: entry '", key, "' ", why));
    };
    if (!value.defined()) throw bad("is an undefined tensor");
    std::smatch parts;
    if (!std::regex_match(key, parts, known) || (parts[1] == "param_groups" && parts[3] != "lr"))
      throw bad("is not known (expected param_groups.G.lr or state.I.<name>)");
    const std::size_t index = std::stoul(parts[2]);
    const std::string rest = parts[3];
    if (parts[1] == "param_groups") {
      if (index >= groups_.size()) throw bad(str("names a group, but there are ", groups_.size()));
      if (value.numel() != 1) throw bad("must hold one value");
      lrs[index] = value.item();
    } else {
      if (index >= params.size())
        throw bad(str("names a parameter, but there are ", params.size()));
      const Tensor& p = params[index];
      ParamState& s = loaded[p.impl()];
      s.buffers.resize(buffer_names_.size());
      auto name = std::find(buffer_names_.begin(), buffer_names_.end(), rest);
      if (rest == "step") {
        if (value.numel() != 1) throw bad("must hold one value");
        s.step = value.item();
      } else if (name == buffer_names_.end()) {
        throw bad("is not a state buffer of this optimizer");
      } else if (value.shape() != p.shape()) {
        throw ShapeError(str(name_, ": load_state_dict: entry '", key, "' has shape ",
                             to_string(value.shape()), " but the parameter has shape ",
                             to_string(p.shape())));
      } else {
        s.buffers[name - buffer_names_.begin()] = copy_as(value, p.dtype());
      }
    }
  }
  state_ = std::move(loaded);
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].options().set_lr(lrs[g]);
}

}  // namespace tg::optim
