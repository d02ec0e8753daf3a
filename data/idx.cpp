#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/data/idx.hpp>

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace tg::data {

using tg::detail::str;

// The whole file, decompressed when it is gzip (gzread passes plain files through unchanged).
static std::vector<unsigned char> read_all(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw IOError(str("read_idx: cannot open ", path));
  std::vector<unsigned char> bytes;
  unsigned char chunk[1 << 16];
  int n;
  while ((n = gzread(file.get(), chunk, sizeof chunk)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  int err = Z_OK;
  const char* msg = gzerror(file.get(), &err);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END))
    throw IOError(str("read_idx: ", path, " is corrupt or truncated (", msg, ")"));
  return bytes;
}

static std::uint64_t big_endian(const unsigned char* p, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

// Element k of the data (`size` bytes each, big-endian) as a double.
static double element(const unsigned char* p, unsigned char type, std::size_t size) {
  std::uint64_t bits = big_endian(p, size);
  switch (type) {
    case 0x08: return double(std::uint8_t(bits));
    case 0x09: return double(std::int8_t(bits));
    case 0x0B: return double(std::int16_t(bits));
    case 0x0C: return double(std::int32_t(bits));
    case 0x0D: { float f; std::uint32_t b = std::uint32_t(bits); std::memcpy(&f, &b, 4); return f; }
    default: { double d; std::memcpy(&d, &bits, 8); return d; }
  }
}

template <class T>
static Tensor decode(const unsigned char* p, unsigned char type, std::size_t size, Shape shape) {
  auto out = tg::detail::empty_array<T>(shape);
  if (type == 0x08)  // the common case (images, labels): no per-element dispatch
    for (std::size_t k = 0; k < out.size(); ++k) out.data()[k] = T(p[k]);
  else
    for (std::size_t k = 0; k < out.size(); ++k) out.data()[k] = T(element(p + k * size, type, size));
  return tg::detail::make(std::move(out));
}

Tensor read_idx(const std::string& path) {
  const std::vector<unsigned char> bytes = read_all(path);
  auto corrupt = [&](const std::string& why) {
    return IOError(str("read_idx: ", path, " is not a valid IDX file: ", why));
  };
  if (bytes.size() < 4) throw corrupt(str("only ", bytes.size(), " bytes, shorter than a header"));
  if (bytes[0] != 0 || bytes[1] != 0)
    throw corrupt(str("bad magic number (first bytes ", int(bytes[0]), " ", int(bytes[1]),
                      ", expected 0 0)"));
  const unsigned char type = bytes[2];
  std::size_t size = 0;
  switch (type) {
    case 0x08: case 0x09: size = 1; break;
    case 0x0B: size = 2; break;
    case 0x0C: case 0x0D: size = 4; break;
    case 0x0E: size = 8; break;
    default: throw corrupt(str("unknown data type byte 0x", std::hex, int(type)));
  }
  const std::size_t ndim = bytes[3], header = 4 + 4 * ndim;
  if (bytes.size() < header)
    throw corrupt(str("truncated header: ", ndim, " dims need ", header, " bytes, file has ",
                      bytes.size()));
  Shape shape(ndim);
  std::size_t count = 1;  // checked against the bytes present, so it cannot overflow
  const std::size_t capacity = (bytes.size() - header) / size;
  for (std::size_t i = 0; i < ndim; ++i) {
    shape[i] = big_endian(&bytes[4 + 4 * i], 4);
    if (shape[i] != 0 && count > capacity / shape[i]) count = capacity + 1;
    else count *= shape[i];
  }
  if (count > capacity || count * size != bytes.size() - header)
    throw corrupt(str("shape ", to_string(shape), " of ", size, "-byte elements does not match the ",
                      bytes.size() - header, " data bytes in the file"));
  const unsigned char* data = bytes.data() + header;
  return type == 0x0E ? decode<double>(data, type, size, shape)
                      : decode<float>(data, type, size, shape);
}

}  // namespace tg::data
