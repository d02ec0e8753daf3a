#include <tapegrad/nn/containers.hpp>

#include <tapegrad/autograd/detail/op.hpp>

namespace tg::nn {

Module& ModuleList::operator[](std::size_t i) const {
  if (i >= modules_.size())
    throw ValueError(str(type_name(), ": index ", i, " is out of range for ", modules_.size(),
                         " modules"));
  return *modules_[i];
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& m : *this) y = (*m)(y);
  return y;
}

ModuleDict::ModuleDict(std::vector<std::pair<std::string, std::shared_ptr<Module>>> modules) {
  for (auto& [key, module] : modules) insert(key, std::move(module));
}

bool ModuleDict::contains(const std::string& key) const {
  for (const auto& entry : named_children())
    if (entry.first == key) return true;
  return false;
}

Module& ModuleDict::operator[](const std::string& key) const {
  for (const auto& entry : named_children())
    if (entry.first == key) return *entry.second;
  throw ValueError(str("ModuleDict: no module named '", key, "'"));
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : named_children()) out.push_back(entry.first);
  return out;
}

}  // namespace tg::nn
