#pragma once
// Containers of submodules: Sequential (chains forward), ModuleList and ModuleDict (hold
// modules for a custom forward). Modules are taken by value (stored as shared copies) or as
// std::shared_ptr or holders; children are named "0", "1", ... (lists) or by key (dict).
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  // Excluded for a single ModuleList-derived argument, which copies instead.
  template <class... Ms, class = std::enable_if_t<
                             !(sizeof...(Ms) == 1 &&
                               (std::is_base_of_v<ModuleListImpl, std::decay_t<Ms>> && ...))>>
  explicit ModuleListImpl(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }

  // Keeps a call of the module's own forward(x) (any parameter type, virtual or not), for
  // Sequential; a module without one (e.g. LSTM, whose forward returns a tuple) is called
  // through Module::operator(), whose error names it.
  template <class M> void push_back(M&& module) {
    auto shared = detail::share(std::forward<M>(module));
    forwards_.push_back([m = shared.get()](const Tensor& x) -> Tensor {
      if constexpr (std::is_convertible_v<decltype(m->forward(x)), Tensor>)
        return m->call([&] { return Tensor(m->forward(x)); }, x);
      else
        return (*m)(x);
    });
    modules_.push_back(shared);
    register_module(std::to_string(modules_.size() - 1), std::move(shared));
  }
  std::size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }
  Module& operator[](std::size_t i) const;  // throws ValueError when out of range
  // The i-th module as its concrete type (an Impl); throws ValueError if it is not an M.
  template <class M> M& at(std::size_t i) const {
    auto* m = dynamic_cast<M*>(&(*this)[i]);
    if (!m) throw ValueError(type_name() + "::at: module " + std::to_string(i) + " is a " +
                             (*this)[i].type_name());
    return *m;
  }
  auto begin() const { return modules_.begin(); }  // over std::shared_ptr<Module>
  auto end() const { return modules_.end(); }

 protected:
  std::vector<std::function<Tensor(const Tensor&)>> forwards_;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};
TG_MODULE(ModuleList);

// forward(x) = m_n(...m_1(m_0(x))).
class SequentialImpl : public ModuleListImpl {
 public:
  using ModuleListImpl::ModuleListImpl;
  Tensor forward(const Tensor& x) override;
};
TG_MODULE(Sequential);

class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(NamedModules modules);

  template <class M> void insert(const std::string& key, M&& module) {
    register_module(key, std::forward<M>(module));
  }
  std::size_t size() const { return named_children().size(); }
  bool contains(const std::string& key) const;
  Module& operator[](const std::string& key) const;  // throws ValueError for a missing key
  std::vector<std::string> keys() const;
  auto begin() const { return named_children().begin(); }  // over (key, shared_ptr<Module>)
  auto end() const { return named_children().end(); }
};
TG_MODULE(ModuleDict);

}  // namespace tg::nn
