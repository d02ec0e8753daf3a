#pragma once
// NumPy .npy files and .npz archives (a zip of .npy files, as np.save / np.savez write them).
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/core/tensor.hpp>

namespace tg {

// Writes one "<name>.npy" entry per tensor (format 1.0, '<f4' '<f8' '<i8' or '|b1', C order, stored
// uncompressed). Atomic: the archive is written to a temporary file in the same folder and
// renamed over `path`, so a failure leaves an existing file untouched. Throws tg::IOError.
void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors);
// One tensor as a plain .npy file, written the same way (atomic).
void save_npy(const std::string& path, const Tensor& tensor);

// Reads every entry of an .npz (names without ".npy", in archive order), stored or deflated.
// Accepts what numpy writes: .npy format 1.0-3.0, C or Fortran order (Fortran arrays are
// transposed into C order), either byte order, and the dtypes
//   float16, float32        -> float32 tensors ('<f2' '<f4', or '>')
//   float64                 -> float64
//   int8..int64, uint8..uint64 ('i1'..'i8', 'u1'..'u8')
//                           -> int64 (uint64 values above 2^63 - 1 wrap around)
//   bool ('|b1')            -> bool
// Hostile files are safe: the header is parsed without regex and limited to 10,000 bytes
// (numpy's limit) and 64 dimensions; a compressed entry is inflated only up to the size its
// header declares (plus one byte, to detect excess). Throws tg::IOError naming the file and the
// entry on a missing, truncated or corrupt file, an unsupported dtype or a malformed header;
// tg::ShapeError when the declared shape is too large to hold (more than 2^63 bytes).
std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path);
// A plain .npy file, read with the rules of load_npz.
Tensor load_npy(const std::string& path);

}  // namespace tg
