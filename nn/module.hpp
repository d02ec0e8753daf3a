#pragma once
// tg::nn::Module: the base of every layer and model (libtorch's torch::nn::Module).
//
//   struct NetImpl : tg::nn::Module {
//     tg::nn::Linear fc1{nullptr}, fc2{nullptr};
//     NetImpl() {
//       fc1 = register_module("fc1", tg::nn::Linear(4, 8));
//       fc2 = register_module("fc2", tg::nn::Linear(8, 1));
//     }
//     tg::Tensor forward(tg::Tensor x) { return fc2(tg::relu(fc1(x))); }
//   };
//   TG_MODULE(Net);  // Net net; net(x), net->parameters(): a holder, as TORCH_MODULE
//
// A module owns named parameters (leaves that require grad), buffers (state saved with the
// model but not trained, e.g. BatchNorm's running statistics) and submodules, all in
// registration order. Copying a module shares its parameters and submodules (like copying a
// libtorch module holder): tensors are handles.
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg::nn {

// A (name, value) pair that also reads as libtorch's OrderedDict item: key(), value().
template <class V> struct Named : std::pair<std::string, V> {
  using std::pair<std::string, V>::pair;
  const std::string& key() const { return this->first; }
  V& value() { return this->second; }
  const V& value() const { return this->second; }
};
using NamedTensors = std::vector<Named<Tensor>>;
class Module;
using NamedModules = std::vector<Named<std::shared_ptr<Module>>>;

namespace detail {
// A module argument taken by value becomes a shared copy; a shared_ptr or a holder's module is
// shared as is.
template <class M> std::shared_ptr<M> share(std::shared_ptr<M> module) { return module; }
template <class M, class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
std::shared_ptr<std::decay_t<M>> share(M&& module) {
  return std::make_shared<std::decay_t<M>>(std::forward<M>(module));
}
template <class M> auto share(const M& holder) -> decltype(holder.ptr()) { return holder.ptr(); }
template <class M, class = void> struct impl_of { using type = M; };  // a holder's Impl, or M
template <class M> struct impl_of<M, std::void_t<typename M::ContainedType>> {
  using type = typename M::ContainedType;
};
template <class M> constexpr bool is_holder = !std::is_same_v<typename impl_of<M>::type, M>;
}  // namespace detail

class Module {
 public:
  Module() = default;
  Module(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(const Module&) = default;
  Module& operator=(Module&&) = default;
  virtual ~Module() = default;

  virtual Tensor forward(const Tensor& x);  // the default throws: containers have none
  // forward, then the forward hooks. A tg::Error from inside gets the module's place in front
  // of its message: "Sequential '2' (Linear): linear: input of shape ...".
  Tensor operator()(const Tensor& x);
  // Runs forward() (any signature), then the hooks when it maps one tensor to one tensor, adding
  // the module's place to a tg::Error. Holders and Sequential call a module's own forward so.
  template <class F, class... Args> auto call(F&& forward, const Args&... args) {
    try {
      auto y = forward();
      if constexpr (std::is_same_v<decltype(y), Tensor> && sizeof...(Args) == 1 &&
                    (std::is_convertible_v<Args, Tensor> && ...))
        y = run_hooks(args..., y);
      return y;
    } catch (Error& e) {
      e.add_context(place());
      throw;
    }
  }

  // fn(module, input, output) runs after every call of this module (to see activations); a
  // defined return value replaces the output. PyTorch's register_forward_hook.
  using ForwardHook = std::function<Tensor(Module&, const Tensor&, const Tensor&)>;
  void register_forward_hook(ForwardHook fn) { forward_hooks_.push_back(std::move(fn)); }

  // Recursive, in registration order (a module's own tensors, then each submodule's), each
  // tensor once even when shared; names are dotted paths ("0.weight", "encoder.bias").
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  // libtorch's module->as<Linear>() (a holder or an Impl type): this module as it, or nullptr.
  template <class M> auto* as() { return dynamic_cast<typename detail::impl_of<M>::type*>(this); }
  const NamedModules& named_children() const { return children_; }

  Module& train(bool on = true);  // recursive; Dropout and BatchNorm behave differently
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  void zero_grad();  // drops every parameter's gradient (PyTorch's set_to_none)
  Module& to(Dtype dtype);  // converts parameters and buffers in place, like model.double()
  Module& to(const Device& device) { return check_device(device, "Module::to"), *this; }

  std::string type_name() const;  // the class name without "Impl", e.g. "Linear"
  virtual std::string extra_repr() const { return ""; }  // "in_features=4, out_features=8, ..."

  // The parameter / buffer is also named on the tensor (shown in graphs); registering a
  // submodule prefixes its tensors' names with the submodule's name.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  // Takes a holder (returned as is: fc = register_module("fc", Linear(4, 8))), a module by
  // value (stored as a shared copy) or a std::shared_ptr to one (returned as the shared_ptr).
  template <class M> auto register_module(const std::string& name, M&& module) {
    auto shared = detail::share(std::forward<M>(module));
    add_child(name, shared);
    if constexpr (detail::is_holder<std::decay_t<M>>) return std::decay_t<M>(shared);
    else return shared;
  }

 private:
  Tensor run_hooks(const Tensor& x, Tensor y);
  std::string place() const;  // "'2' (Linear)", or "Linear" outside a container
  void check_new_name(const std::string& name, const char* what) const;
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  NamedTensors named_tensors(NamedTensors Module::*kind, bool recurse) const;
  void print(std::ostream& os, int indent) const;
  friend std::ostream& operator<<(std::ostream& os, const Module& module);

  NamedTensors parameters_, buffers_;
  NamedModules children_;
  bool training_ = true;
  std::vector<ForwardHook> forward_hooks_;
  std::string name_in_parent_;  // set by register_module; named in forward's errors
};

// libtorch's module holder: a shared handle to a module Impl. TG_MODULE(Linear) declares
// Linear, holding a LinearImpl: Linear fc{nullptr} is empty; Linear(4, 8) (any LinearImpl
// constructor's arguments) makes one; copies share it; fc->weight, fc(x) and fc->forward(x)
// reach it (fc(x) also runs the hooks and names the module in errors).
template <class Impl> class ModuleHolder {
 public:
  using ContainedType = Impl;
  ModuleHolder(std::nullptr_t) {}
  ModuleHolder(std::shared_ptr<Impl> module) : impl_(std::move(module)) {}
  template <class... Args, class = std::enable_if_t<
                               std::is_constructible_v<Impl, Args...> &&
                               !(sizeof...(Args) == 1 &&
                                 (std::is_base_of_v<ModuleHolder, std::decay_t<Args>> && ...))>>
  ModuleHolder(Args&&... args) : impl_(std::make_shared<Impl>(std::forward<Args>(args)...)) {}

  Impl* get() const {
    if (!impl_) throw ValueError("module holder is empty (constructed from nullptr); assign a module first");
    return impl_.get();
  }
  Impl* operator->() const { return get(); }
  Impl& operator*() const { return *get(); }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  bool is_empty() const { return !impl_; }
  explicit operator bool() const { return impl_ != nullptr; }
  template <class Key> decltype(auto) operator[](Key&& key) const { return (*get())[key]; }
  template <class... Args> auto operator()(Args&&... args) const {
    Impl& m = *get();
    return m.call([&] { return m.forward(std::forward<Args>(args)...); }, args...);
  }

 private:
  std::shared_ptr<Impl> impl_;
};
template <class Impl> std::ostream& operator<<(std::ostream& os, const ModuleHolder<Impl>& m) {
  return os << *m;
}
#define TG_MODULE(Name)                                        \
  class Name : public ::tg::nn::ModuleHolder<Name##Impl> {     \
   public:                                                     \
    using ::tg::nn::ModuleHolder<Name##Impl>::ModuleHolder;    \
  }

// The module tree like PyTorch's repr, with each layer's parameter shapes and counts:
//   Sequential(
//     (0): Linear(in_features=2, out_features=1, bias=true)  # weight [1,2], bias [1]: 3 parameters
//     (1): ReLU()
//   )  # 3 parameters
std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace tg::nn
