#pragma once
// Containers of submodules: Sequential (chains forward), ModuleList and ModuleDict (hold
// modules for a custom forward). Modules are taken by value (stored as shared copies) or as
// std::shared_ptr; children are named "0", "1", ... (lists) or by key (dict).
#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class ModuleList : public Module {
 public:
  ModuleList() = default;
  // Excluded for a single ModuleList-derived argument, which copies instead.
  template <class... Ms, class = std::enable_if_t<
                             !(sizeof...(Ms) == 1 &&
                               (std::is_base_of_v<ModuleList, std::decay_t<Ms>> && ...))>>
  explicit ModuleList(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }

  template <class M> void push_back(M&& module) {
    auto shared = detail::share(std::forward<M>(module));
    modules_.push_back(shared);
    register_module(std::to_string(modules_.size() - 1), std::move(shared));
  }
  std::size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }
  Module& operator[](std::size_t i) const;  // throws ValueError when out of range
  // The i-th module as its concrete type; throws ValueError if it is not an M.
  template <class M> M& at(std::size_t i) const {
    auto* m = dynamic_cast<M*>(&(*this)[i]);
    if (!m) throw ValueError(type_name() + "::at: module " + std::to_string(i) + " is a " +
                             (*this)[i].type_name());
    return *m;
  }
  auto begin() const { return modules_.begin(); }  // over std::shared_ptr<Module>
  auto end() const { return modules_.end(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

// forward(x) = m_n(...m_1(m_0(x))).
class Sequential : public ModuleList {
 public:
  using ModuleList::ModuleList;
  Tensor forward(const Tensor& x) override;
};

class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules);

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

}  // namespace tg::nn
