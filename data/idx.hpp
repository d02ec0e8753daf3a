#pragma once
// IDX files (the MNIST format): magic 0x00 0x00, a type byte (0x08 uint8, 0x09 int8, 0x0B int16,
// 0x0C int32, 0x0D float32, 0x0E float64), a dim count, big-endian uint32 dims, big-endian data.
#include <string>

#include <tapegrad/core/tensor.hpp>

namespace tg::data {

// The file's array with its dims as shape: float64 for 0x0E, float32 otherwise (raw values, so
// uint8 images hold 0..255). Plain or gzip-compressed (detected from the content, not the name).
// A missing, truncated or corrupt file is a tg::IOError naming the file; a shape too large to
// hold is a tg::ShapeError. A gzip file is inflated only up to the size its header declares (plus
// one byte, to detect excess), so a decompression bomb costs about its declared size.
Tensor read_idx(const std::string& path);

}  // namespace tg::data
