#pragma once
// Internal: what the file readers (.npy/.npz, IDX) share: bounded reads of a stream whose size a
// header claims, and the conversion of raw elements (any byte order) to float or double.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace tg::detail {

// At most `limit` bytes from read(buffer, size), which returns how many it read (0 at the end).
// The result grows chunk by chunk as bytes arrive, so a header that claims a huge size costs
// nothing until the bytes exist, and a decompression bomb is cut off after `limit` bytes.
template <class Read> std::string read_upto(std::size_t limit, Read&& read) {
  std::string out;
  char chunk[1 << 16];
  while (out.size() < limit) {
    const std::size_t n = read(chunk, std::min(sizeof chunk, limit - out.size()));
    if (n == 0) break;
    out.append(chunk, n);
  }
  return out;
}

// A stored element: kind 'f' (IEEE float), 'i' (signed), 'u' (unsigned) or 'b' (bool, 1 byte),
// `size` bytes, big- or little-endian.
struct Element {
  char kind;
  std::size_t size;
  bool big_endian;
};

// IEEE half (1 sign, 5 exponent, 10 mantissa bits) to float, exactly.
inline float half_to_float(std::uint16_t h) {
  const int exponent = h >> 10 & 0x1f, mantissa = h & 0x3ff;
  const float v = exponent == 0 ? std::ldexp(float(mantissa), -24)  // zero, subnormal
                  : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                   : std::ldexp(float(mantissa | 0x400), exponent - 25);
  return h & 0x8000 ? -v : v;
}

// The U stored at p, bytes reversed when the file's byte order is not the host's (little).
template <class U> U load(const unsigned char* p, bool big_endian) {
  unsigned char b[sizeof(U)];
  for (std::size_t i = 0; i < sizeof(U); ++i) b[i] = p[big_endian ? sizeof(U) - 1 - i : i];
  U v;
  std::memcpy(&v, b, sizeof v);
  return v;
}

// out[k] = element k of `in` (n elements of type e) converted to T. The type is dispatched
// once; each loop is a plain conversion.
template <class T>
void decode(const unsigned char* in, std::size_t n, const Element& e, T* out) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "load() assumes a little-endian host");
  const bool big = e.big_endian;
  auto each = [&](auto convert) {
    for (std::size_t k = 0; k < n; ++k) out[k] = T(convert(in + k * e.size));
  };
  switch (e.kind << 8 | int(e.size)) {
    case 'b' << 8 | 1: return each([](const unsigned char* p) { return *p != 0; });
    case 'u' << 8 | 1: return each([](const unsigned char* p) { return *p; });
    case 'i' << 8 | 1: return each([](const unsigned char* p) { return std::int8_t(*p); });
    case 'u' << 8 | 2: return each([&](auto p) { return load<std::uint16_t>(p, big); });
    case 'i' << 8 | 2: return each([&](auto p) { return load<std::int16_t>(p, big); });
    case 'u' << 8 | 4: return each([&](auto p) { return load<std::uint32_t>(p, big); });
    case 'i' << 8 | 4: return each([&](auto p) { return load<std::int32_t>(p, big); });
    case 'u' << 8 | 8: return each([&](auto p) { return load<std::uint64_t>(p, big); });
    case 'i' << 8 | 8: return each([&](auto p) { return load<std::int64_t>(p, big); });
    case 'f' << 8 | 2:
      return each([&](auto p) { return half_to_float(load<std::uint16_t>(p, big)); });
    case 'f' << 8 | 4: return each([&](auto p) { return load<float>(p, big); });
    case 'f' << 8 | 8: return each([&](auto p) { return load<double>(p, big); });
  }
}

}  // namespace tg::detail
