#pragma once
// The optimizer base: parameter groups with per-group options, zero_grad, step, state_dict.
// A concrete optimizer (SGD, Adam, ...) only writes the update; its options validate themselves.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/core/tensor.hpp>

namespace tg::optim {

// Hyperparameters of one parameter group. Every optimizer's options class derives from this
// (through OptionsBase) so schedulers can read and write the learning rate of any group.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  double get_lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }

 protected:
  explicit OptimizerOptions(double lr) : lr_(lr) {}
  double lr_;

 private:
  friend class Optimizer;
  // Throws ValueError "<optimizer>: invalid <option> ..." (the learning rate is checked for all).
  virtual void check(const char* optimizer) const = 0;
};

template <class Derived> class OptionsBase : public OptimizerOptions {
 public:
  Derived& lr(double lr) {
    lr_ = lr;
    return static_cast<Derived&>(*this);
  }
  double lr() const { return lr_; }
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }

 protected:
  explicit OptionsBase(double lr) : OptimizerOptions(lr) {}
};

// Parameters updated with the same options. Without options the group takes the optimizer's
// defaults when it is added.
class ParamGroup {
 public:
  ParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}  // NOLINT: implicit
  ParamGroup(std::vector<Tensor> params, const OptimizerOptions& options)
      : params_(std::move(params)), options_(options.clone()) {}
  ParamGroup(const ParamGroup& other)  // copies the options too
      : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}
  ParamGroup& operator=(const ParamGroup& other) { return *this = ParamGroup(other); }
  ParamGroup(ParamGroup&&) = default;
  ParamGroup& operator=(ParamGroup&&) = default;

  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();  // throws ValueError when the group has none yet
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};
using OptimizerParamGroup = ParamGroup;  // libtorch's name

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;
  virtual ~Optimizer() = default;  // not copyable: it owns its options (unique_ptr)

  // Re-evaluates the loss with `closure` (grad mode on) if given, then updates every parameter
  // that has a gradient, in place with grad mode off. Returns the closure's loss (or undefined).
  Tensor step(const LossClosure& closure = nullptr);
  // Drops every gradient (set_to_none) or fills it with zeros in place.
  void zero_grad(bool set_to_none = true);
  void add_param_group(const ParamGroup& group);
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }

  // Named copies of the optimizer's state, savable with save_npz:
  //   "param_groups.G.lr"        learning rate of group G (0-d float64)
  //   "state.I.step"             update count of parameter I (0-d float64; I counts the
  //                              parameters of all groups in order)
  //   "state.I.<buffer>"         e.g. "state.0.exp_avg" (shape and dtype of parameter I)
  NamedTensors state_dict() const;
  // Replaces the state (and group learning rates) with copies of `state`, checking indices,
  // names and shapes; an optimizer built over the same parameters then continues identically.
  void load_state_dict(const NamedTensors& state);

 protected:
  struct ParamState {
    double step = 0;              // number of updates of this parameter
    std::vector<Tensor> buffers;  // one slot per buffer name; undefined until first used
  };
  // Checks the defaults, then adds the groups.
  Optimizer(const char* name, std::vector<ParamGroup> groups, const OptimizerOptions& defaults,
            std::vector<std::string> buffer_names);
  // For every parameter with a gradient: step count += 1, then
  // f(const Options&, detail::Slice<T>&) with raw pointers to value, gradient and buffers.
  // Defined in optim/detail/update.hpp.
  template <class Options, class F> void for_each_param(F&& f);

  const char* name_;

 private:
  virtual void update() = 0;  // the rule; grad mode is off
  void check(const OptimizerOptions& options) const;

  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<std::string> buffer_names_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

}  // namespace tg::optim
