#pragma once
// NumPy .npz archives (a zip of .npy files, as np.savez writes): named float32 / float64 arrays.
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg {

// Writes one "<name>.npy" entry per tensor (format 1.0, '<f4' or '<f8', C order, stored
// uncompressed). Atomic: the archive is written to a temporary file in the same folder and
// renamed over `path`, so a failure leaves an existing file untouched. Throws tg::IOError.
void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors);

// Reads every entry (names without ".npy", in archive order). Accepts .npy format 1.0-3.0 with
// '<f4' / '<f8' data in C order, stored or deflated. Throws tg::IOError naming the file and the
// entry on a missing, truncated or corrupt file, an unsupported dtype or a malformed header.
std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path);

}  // namespace tg
