#include <tapegrad/core/npz.hpp>

#include <tapegrad/core/detail/impl.hpp>

#include <unistd.h>
#include <zip.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <regex>

namespace tg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, ".npy data is read and written as is");

using detail::str;

namespace {

const char magic[] = "\x93NUMPY";  // 6 bytes, then major and minor version

// One .npy file, format 1.0: magic, version, u16 header length, a Python dict literal padded
// with spaces to a multiple of 64 bytes and ended by '\n', then the raw C-order data.
std::string to_npy(const Tensor& t) {
  std::string shape;
  for (std::size_t d : t.shape()) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  if (t.ndim() == 1) shape += ",";  // "(3,)" is a tuple, "(3)" is not
  std::string header = str("{'descr': '", t.dtype() == Dtype::float32 ? "<f4" : "<f8",
                           "', 'fortran_order': False, 'shape': (", shape, "), }");
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  if (header.size() > std::numeric_limits<std::uint16_t>::max())
    throw IOError(str("save_npz: header of a tensor of shape ", to_string(t.shape()),
                      " is too long"));
  std::string npy(magic, 6);
  npy += {'\x01', '\x00', char(header.size() & 0xff), char(header.size() >> 8)};
  npy += header;
  detail::visit(t, [&](const auto& a) {
    npy.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(a.data()[0]));
  });
  return npy;
}

template <class Fail> Tensor from_npy(const std::string& npy, Fail fail) {
  if (npy.size() < 10 || npy.compare(0, 6, magic, 6) != 0) fail("not a .npy array (bad magic)");
  const auto byte = [&](std::size_t i) { return std::size_t(static_cast<unsigned char>(npy[i])); };
  const std::size_t major = byte(6);
  if (major < 1 || major > 3) fail(str("unsupported .npy format version ", major));
  std::size_t start = major == 1 ? 10 : 12, length = byte(8) | byte(9) << 8;
  if (major > 1) {
    if (npy.size() < 12) fail("truncated header");
    length |= byte(10) << 16 | byte(11) << 24;
  }
  if (npy.size() - start < length) fail("truncated header");
  const std::string header = npy.substr(start, length);

  std::smatch descr, order, shape;
  if (!std::regex_search(header, descr, std::regex(R"('descr'\s*:\s*'([^']*)')")) ||
      !std::regex_search(header, order, std::regex(R"('fortran_order'\s*:\s*(True|False))")) ||
      !std::regex_search(header, shape, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    fail("malformed header (needs 'descr', 'fortran_order' and 'shape')");
  if (descr[1] != "<f4" && descr[1] != "<f8")
    fail(str("unsupported dtype '", descr[1].str(), "' (only '<f4' and '<f8')"));
  if (order[1] == "True") fail("fortran_order arrays are not supported");
  const std::size_t item = descr[1] == "<f4" ? 4 : 8;

  // "3, 4" / "3," / "": dims separated by commas, a trailing comma allowed.
  Shape dims;
  std::size_t bytes = item;
  std::string digits;
  auto end_dim = [&] {
    dims.push_back(digits.size() <= 18 ? std::stoull(digits) : SIZE_MAX);
    digits.clear();
    if (__builtin_mul_overflow(bytes, dims.back(), &bytes))
      fail(str("shape (", shape[1].str(), ") is too large"));
  };
  for (char c : shape[1].str()) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == ',' && !digits.empty()) end_dim();
    else if (c != ' ') fail(str("malformed shape '(", shape[1].str(), ")'"));
  }
  if (!digits.empty()) end_dim();
  if (dims.empty() && shape[1].str().find(',') != std::string::npos)
    fail(str("malformed shape '(", shape[1].str(), ")'"));
  const std::size_t found = npy.size() - start - length;
  if (bytes != found)
    fail(str("data of shape ", to_string(dims), " needs ", bytes, " bytes, found ", found));
  auto read = [&](auto zero) {
    auto a = detail::empty_array<decltype(zero)>(dims);
    if (bytes) std::memcpy(a.data(), npy.data() + start + length, bytes);
    return detail::make(std::move(a));
  };
  return item == 4 ? read(0.0f) : read(0.0);
}

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipDiscard>;

std::string open_error(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string message = zip_error_strerror(&error);
  zip_error_fini(&error);
  return message;
}

void write_archive(const std::string& path,
                   const std::vector<std::pair<std::string, Tensor>>& tensors) {
  if (tensors.empty()) {  // libzip writes no file for an empty archive: write the bare
    std::ofstream out(path, std::ios::binary);  // end-of-central-directory record
    out.write("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
    if (!out.flush()) throw IOError(str("save_npz: cannot write '", path, "'"));
    return;
  }
  int code = 0;
  ZipPtr zip(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!zip) throw IOError(str("save_npz: cannot create '", path, "': ", open_error(code)));
  std::vector<std::string> blobs;  // libzip reads the buffers only at zip_close
  blobs.reserve(tensors.size());
  for (const auto& [name, t] : tensors) {
    if (!t.defined()) throw IOError(str("save_npz: tensor '", name, "' is undefined"));
    blobs.push_back(to_npy(t));
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
  const std::string temp = str(path, ".tmp", ::getpid());
  try {
    write_archive(temp, tensors);
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    throw IOError(str("save_npz: cannot replace '", path, "': ", std::strerror(errno)));
  }
}

std::vector<std::pair<std::string, Tensor>> load_npz(const std::string& path) {
  int code = 0;
  ZipPtr zip(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!zip) throw IOError(str("load_npz: cannot open '", path, "': ", open_error(code)));
  std::vector<std::pair<std::string, Tensor>> out;
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* raw_name = zip_get_name(zip.get(), zip_uint64_t(i), 0);
    std::string name = raw_name ? raw_name : str("#", i);
    if (name.size() >= 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    auto fail = [&](const std::string& why) {
      throw IOError(str("load_npz: '", path, "', entry '", name, "': ", why));
    };
    zip_stat_t stat;
    std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(zip.get(), zip_uint64_t(i), 0));
    if (!raw_name || zip_stat_index(zip.get(), zip_uint64_t(i), 0, &stat) != 0 || !file)
      fail(zip_strerror(zip.get()));
    // Read in chunks: a corrupt size field must not make us allocate it up front.
    std::string npy;
    char chunk[1 << 16];
    for (zip_int64_t n; (n = zip_fread(file.get(), chunk, sizeof chunk)) != 0;) {
      if (n < 0) fail(zip_file_strerror(file.get()));
      npy.append(chunk, std::size_t(n));
    }
    if ((stat.valid & ZIP_STAT_SIZE) && npy.size() != stat.size)
      fail(str("truncated (", npy.size(), " of ", stat.size, " bytes)"));
    out.emplace_back(name, from_npy(npy, fail));
  }
  return out;
}

}  // namespace tg
