#include <tapegrad/core/npz.hpp>

#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/core/detail/io.hpp>

#include <xtensor/xmanipulation.hpp>

#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <set>

namespace tg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, ".npy data is written as is");

using detail::str;

namespace {

const char magic[] = "\x93NUMPY";     // 6 bytes, then major and minor version
constexpr std::size_t max_header = 10000;  // numpy's default max_header_size
constexpr std::size_t max_dims = 64;       // numpy's NPY_MAXDIMS

[[noreturn]] void fail(const std::string& where, const std::string& why) {
  throw IOError(str(where, ": ", why));
}

// One .npy file, format 1.0: magic, version, u16 header length, a Python dict literal padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the raw C-order data.
std::string to_npy(const Tensor& t, const char* op) {
  if (!t.defined()) throw IOError(str(op, ": undefined tensor"));
  if (t.ndim() > max_dims)  // which also keeps the header far below numpy's limit
    throw IOError(str(op, ": a tensor of shape ", to_string(t.shape()), " has more than ",
                      max_dims, " dimensions, which numpy cannot hold"));
  std::string shape;
  for (std::size_t d : t.shape()) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  if (t.ndim() == 1) shape += ",";  // "(3,)" is a tuple, "(3)" is not
  static const char* const descr[] = {"<f4", "<f8", "<i8", "|b1"};  // in Dtype's order
  std::string header = str("{'descr': '", descr[static_cast<int>(t.dtype())],
                           "', 'fortran_order': False, 'shape': (", shape, "), }");
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string npy(magic, 6);
  npy += {'\x01', '\x00', char(header.size() & 0xff), char(header.size() >> 8)};
  npy += header;
  detail::visit_all(t, [&](const auto& a) {
    npy.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(a.data()[0]));
  });
  return npy;
}

struct NpyHeader {
  detail::Element element;
  bool fortran_order = false;
  Shape shape;
};

// '<f4', '>i8', '|b1', ...: byte order, kind, size in bytes.
detail::Element parse_descr(const std::string& descr, const std::string& where) {
  static const std::set<std::string> kinds = {"f2", "f4", "f8", "i1", "i2", "i4",
                                                "i8", "u1", "u2", "u4", "u8", "b1"};
  if (descr.size() != 3 || std::string("<>|=").find(descr[0]) == std::string::npos ||
      !kinds.count(descr.substr(1)))
    fail(where, str("unsupported dtype '", descr, "' (float16/32/64, int8-64, uint8-64 or bool, "
                    "either byte order)"));
  return {descr[1], std::size_t(descr[2] - '0'), descr[0] == '>'};
}

// The header's Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }: read left to right by one loop (no regex, no recursion), so its cost is
// linear in its length, which the caller has bounded.
NpyHeader parse_header(const std::string& h, const std::string& where) {
  std::size_t pos = 0;
  auto malformed = [&](const std::string& expected) {
    fail(where, str("malformed header: expected ", expected, " at offset ", pos, ", found '",
                    h.substr(pos, 20), "'"));
  };
  auto blank = [&] {
    while (pos < h.size() && std::isspace(static_cast<unsigned char>(h[pos]))) ++pos;
  };
  auto at = [&](char c) {  // skips blanks, then consumes c if it is next
    blank();
    return pos < h.size() && h[pos] == c ? (++pos, true) : false;
  };
  auto expect = [&](char c) {
    if (!at(c)) malformed(str("'", c, "'"));
  };
  auto word = [&](const char* w) {  // True, False
    const std::size_t n = std::strlen(w);
    return h.compare(pos, n, w) == 0 ? (pos += n, true) : false;
  };
  auto quoted = [&] {  // 'text' or "text"
    const char q = at('\'') ? '\'' : at('"') ? '"' : 0;
    const std::size_t end = q ? h.find(q, pos) : std::string::npos;
    if (end == std::string::npos) malformed("a quoted string");
    std::string s = h.substr(pos, end - pos);
    pos = end + 1;
    return s;
  };
  auto number = [&] {  // a dimension; Python 2 wrote "3L"
    blank();
    std::size_t v = 0, digits = 0;
    for (; pos < h.size() && std::isdigit(static_cast<unsigned char>(h[pos])); ++pos, ++digits)
      if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, h[pos] - '0', &v))
        malformed("a dimension below 2^64");
    if (!digits) malformed("a dimension");
    if (pos < h.size() && h[pos] == 'L') ++pos;
    return v;
  };
  NpyHeader out;
  int seen = 0;  // one bit per key
  expect('{');
  while (!at('}')) {
    const std::string key = quoted();
    const int bit = key == "descr" ? 1 : key == "fortran_order" ? 2 : key == "shape" ? 4 : 0;
    if (!bit || (seen & bit)) fail(where, str("malformed header: unexpected key '", key, "'"));
    seen |= bit;
    expect(':');
    if (bit == 1) {
      out.element = parse_descr(quoted(), where);
    } else if (bit == 2) {
      blank();
      if (word("True")) out.fortran_order = true;
      else if (!word("False")) malformed("True or False");
    } else {
      expect('(');
      while (!at(')')) {
        if (out.shape.size() == max_dims)
          fail(where, str("more than ", max_dims, " dimensions (numpy's limit)"));
        out.shape.push_back(number());
        if (!at(',')) {
          expect(')');
          break;
        }
      }
    }
    if (!at(',')) {
      expect('}');
      break;
    }
  }
  blank();
  if (pos != h.size()) malformed("the end of the header");
  if (seen != 7) fail(where, "malformed header (needs 'descr', 'fortran_order' and 'shape')");
  return out;
}

// One .npy stream read through read(buffer, size) (see detail::read_upto). `stored` is its size
// when a container states it (a zip entry): it must agree with the header before any data is
// read. Reads at most the size the header declares plus one byte.
template <class Read>
Tensor from_npy(Read&& read, const std::string& where, std::optional<std::uint64_t> stored) {
  std::string pre = detail::read_upto(10, read);
  if (pre.size() < 10 || pre.compare(0, 6, magic, 6) != 0)
    fail(where, "not a .npy array (bad magic)");
  const std::size_t major = static_cast<unsigned char>(pre[6]);
  if (major < 1 || major > 3) fail(where, str("unsupported .npy format version ", major));
  if (major > 1) pre += detail::read_upto(2, read);  // a 4-byte header length
  if (pre.size() < (major > 1 ? 12 : 10)) fail(where, "truncated header");
  std::size_t length = 0;
  for (std::size_t i = pre.size(); i-- > 8;)  // little-endian u16 or u32
    length = length << 8 | static_cast<unsigned char>(pre[i]);
  if (length > max_header)
    fail(where, str("header of ", length, " bytes is longer than numpy's limit of ", max_header));
  const std::string header = detail::read_upto(length, read);
  if (header.size() < length) fail(where, "truncated header");
  const NpyHeader h = parse_header(header, where);

  const std::size_t n = detail::checked_numel(h.shape, where), bytes = n * h.element.size;
  auto mismatch = [&](const std::string& found) {
    fail(where, str("data of shape ", to_string(h.shape), " needs ", bytes, " bytes, found ", found));
  };
  const std::uint64_t head = pre.size() + length;
  if (stored && *stored != head + bytes)
    mismatch(std::to_string(*stored - std::min(*stored, head)));
  const std::string data = detail::read_upto(bytes + 1, read);
  if (data.size() != bytes) mismatch(data.size() > bytes ? "more" : std::to_string(data.size()));

  // float16/32 -> float32, float64 -> float64, integers -> int64, bool -> bool (load_npz's
  // comment has the table). A Fortran-order array is the C-order array of
  // the reversed shape, transposed.
  Shape layout = h.shape;
  if (h.fortran_order) std::reverse(layout.begin(), layout.end());
  auto convert = [&](auto zero) {
    using T = decltype(zero);
    auto a = detail::empty_array<T>(layout, where);
    detail::decode(reinterpret_cast<const unsigned char*>(data.data()), n, h.element, a.data());
    if (h.fortran_order) a = xt::xarray<T>(xt::transpose(a));
    return detail::make(std::move(a));
  };
  if (h.element.kind == 'f') return h.element.size <= 4 ? convert(0.0f) : convert(0.0);
  return h.element.kind == 'b' ? convert(false) : convert(std::int64_t(0));
}

void write_file(const std::string& path, const std::string& bytes, const char* op) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out.flush()) throw IOError(str(op, ": cannot write '", path, "'"));
}

// write(temp) writes a temporary file in path's folder, which is then renamed over path: a
// failure leaves an existing file untouched.
template <class Write> void save_atomically(const std::string& path, const char* op, Write write) {
  const std::string temp = str(path, ".tmp", ::getpid());
  try {
    write(temp);
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    throw IOError(str(op, ": cannot replace '", path, "': ", std::strerror(errno)));
  }
}

using ZipPtr = std::unique_ptr<zip_t, void (*)(zip_t*)>;

std::string open_error(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

void write_archive(const std::string& path,
                   const std::vector<std::pair<std::string, Tensor>>& tensors) {
  if (tensors.empty())  // libzip writes no file for an empty archive: write the bare
    return write_file(path, std::string("PK\x05\x06", 4) + std::string(18, '\0'), "save_npz");
  int code = 0;                          // end-of-central-directory record
  ZipPtr zip(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code), zip_discard);
  if (!zip) throw IOError(str("save_npz: cannot create '", path, "': ", open_error(code)));
  std::vector<std::string> blobs;  // libzip reads the buffers only at zip_close
  blobs.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    blobs.push_back(to_npy(t, str("save_npz: tensor '", name, "'").c_str()));
    const std::string& blob = blobs.back();
    zip_source_t* source = zip_source_buffer(zip.get(), blob.data(), blob.size(), 0);
    zip_int64_t index = source ? zip_file_add(zip.get(), (name + ".npy").c_str(), source,
                                              ZIP_FL_ENC_UTF_8) : -1;
    if (index < 0) {
      if (source) zip_source_free(source);
      throw IOError(str("save_npz: cannot add entry '", name, "' to '", path, "': ",
                        zip_strerror(zip.get())));
    }
    zip_set_file_compression(zip.get(), zip_uint64_t(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(zip.get()) != 0)
    throw IOError(str("save_npz: cannot write '", path, "': ", zip_strerror(zip.get())));
  zip.release();  // closed
}

}  // namespace

void save_npz(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors) {
  save_atomically(path, "save_npz", [&](const std::string& temp) { write_archive(temp, tensors); });
}
void save_npy(const std::string& path, const Tensor& tensor) {
  save_atomically(path, "save_npy", [&](const std::string& temp) {
    write_file(temp, to_npy(tensor, "save_npy"), "save_npy");
  });
}

std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path) {
  int code = 0;
  ZipPtr zip(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code), zip_discard);
  if (!zip) throw IOError(str("load_npz: cannot open '", path, "': ", open_error(code)));
  std::vector<std::pair<std::string, Tensor>> out;
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name = zip_get_name(zip.get(), zip_uint64_t(i), 0);
    std::string name = raw_name ? raw_name : str("#", i);
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    const std::string where = str("load_npz: '", path, "', entry '", name, "'");
    zip_stat_t stat;
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
        zip_fopen_index(zip.get(), zip_uint64_t(i), 0), zip_fclose);
    if (!raw_name || zip_stat_index(zip.get(), zip_uint64_t(i), 0, &stat) != 0 || !file)
      fail(where, zip_strerror(zip.get()));
    auto read = [&](char* buffer, std::size_t size) {
      const zip_int64_t n = zip_fread(file.get(), buffer, size);
      if (n < 0) fail(where, zip_file_strerror(file.get()));
      return std::size_t(n);
    };
    // The stated size is attacker-controlled too: it is only compared with the header's.
    out.emplace_back(name, from_npy(read, where, stat.valid & ZIP_STAT_SIZE
                                                     ? std::optional<std::uint64_t>(stat.size)
                                                     : std::nullopt));
  }
  return out;
}

Tensor load_npy(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  const std::string where = str("load_npy: '", path, "'");
  if (!file) fail(where, std::strerror(errno));
  return from_npy(
      [&](char* buffer, std::size_t size) {
        const std::size_t n = std::fread(buffer, 1, size, file.get());
        if (n == 0 && std::ferror(file.get())) fail(where, std::strerror(errno));
        return n;
      },
      where, std::nullopt);
}

}  // namespace tg
