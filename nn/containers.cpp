#include <tapegrad/nn/containers.hpp>

#include <tapegrad/autograd/detail/op.hpp>

namespace tg::nn {

Module& ModuleListImpl::operator[](std::size_t i) const {
  if (i >= modules_.size())
    throw ValueError(str(type_name(), ": index ", i, " is out of range for ", modules_.size(),
                         " modules"));
  return *modules_[i];
}

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& f : forwards_) y = f(y);
  return y;
}

ModuleDictImpl::ModuleDictImpl(NamedModules modules) {
  for (auto& [key, module] : modules) insert(key, std::move(module));
}

bool ModuleDictImpl::contains(const std::string& key) const {
  for (const auto& entry : named_children())
    if (entry.first == key) return true;
  return false;
}

Module& ModuleDictImpl::operator[](const std::string& key) const {
  for (const auto& entry : named_children())
    if (entry.first == key) return *entry.second;
  throw ValueError(str("ModuleDict: no module named '", key, "'"));
}

std::vector<std::string> ModuleDictImpl::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : named_children()) out.push_back(entry.first);
  return out;
}

}  // namespace tg::nn
