#pragma once
// Saving and loading a module's parameters and buffers as a NumPy .npz archive, one entry per
// dotted name ("0.weight", "bn.running_mean"), readable with numpy.load.
#include <string>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

// Writes named_parameters() then named_buffers() (atomically, see save_npz).
void save(const Module& module, const std::string& path);

// Strict: the file must hold exactly the module's names with the same shapes (values are
// converted to each tensor's dtype). Everything is checked before any value is copied, so on a
// tg::IOError (unreadable file, missing or unexpected name) or tg::ShapeError (shape mismatch)
// the module is unchanged.
void load(Module& module, const std::string& path);
// Holders and shared_ptrs, as torch::save(model, path) takes them.
template <class M> auto save(const M& module, const std::string& path) -> decltype(save(*module, path)) {
  save(*module, path);
}
template <class M> auto load(const M& module, const std::string& path) -> decltype(load(*module, path)) {
  load(*module, path);
}

}  // namespace tg::nn
