#include <tapegrad/nn/serialize.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/core/npz.hpp>

#include <map>

namespace tg::nn {

static NamedTensors state(const Module& module) {
  NamedTensors named = module.named_parameters();
  for (auto& entry : module.named_buffers()) named.push_back(std::move(entry));
  return named;
}

void save(const Module& module, const std::string& path) {
  const NamedTensors named = state(module);
  save_npz(path, {named.begin(), named.end()});
}

void load(Module& module, const std::string& path) {
  std::map<std::string, Tensor> file;
  for (auto& [name, t] : load_npz(path)) file[name] = std::move(t);
  NamedTensors targets = state(module);
  std::vector<Tensor> values;
  NoGradGuard no_grad;
  for (const auto& [name, target] : targets) {
    auto it = file.find(name);
    if (it == file.end())
      throw IOError(str("load: '", path, "' has no entry '", name, "' (", module.type_name(),
                        " expects ", targets.size(), " entries)"));
    if (it->second.shape() != target.shape())
      throw ShapeError(str("load: entry '", name, "' in '", path, "' has shape ",
                           to_string(it->second.shape()), ", the module expects ",
                           to_string(target.shape())));
    values.push_back(it->second.to(target.dtype()));
    file.erase(it);
  }
  if (!file.empty())
    throw IOError(str("load: '", path, "' has entry '", file.begin()->first, "' that ",
                      module.type_name(), " does not have"));
  // All checked: copy into the existing storage, which every handle of the tensor shares.
  for (std::size_t i = 0; i < targets.size(); ++i)
    tg::detail::mutable_array(targets[i].second) = std::move(tg::detail::mutable_array(values[i]));
}

}  // namespace tg::nn
