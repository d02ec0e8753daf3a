// Mutation (fuzz) test of the file readers. Valid .npy, .npz, IDX and gzip IDX bytes are made
// here, damaged by seeded random mutations (bit flips, byte writes, truncations, insertions,
// deletions, and edits of the header length, version, dtype, dims and shape), written to a file
// and read: every read must return a tensor or throw a tg::Error, never crash, hang, allocate
// what the file only claims, or trip ASan/UBSan. Runs until TAPEGRAD_FUZZ_SECONDS (default 20)
// have passed or 200,000 cases are done; TAPEGRAD_FUZZ_SEED (default 1) picks the stream. The
// last case stays in tests/tmp_fuzz_case after a crash, to replay it.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <zip.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace tg;

namespace {

using Bytes = std::string;
const char* const case_path = "tmp_fuzz_case";
const char* const build_path = "tmp_fuzz_build";

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// Files are removed before they are written again: ext4 flushes a file to disk when it is
// truncated or renamed over, which would make each case wait for the disk.
void write_file(const std::string& path, const Bytes& bytes) {
  std::remove(path.c_str());
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}
double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}

Bytes gzip(const Bytes& plain) {
  std::remove(build_path);
  gzFile f = gzopen(build_path, "wb");
  REQUIRE(f != nullptr);
  if (!plain.empty()) REQUIRE(gzwrite(f, plain.data(), unsigned(plain.size())) == int(plain.size()));
  gzclose(f);
  return read_file(build_path);
}
// An .npz holding `npy` as its entry "x.npy", stored or deflated (libzip computes the CRC, so
// the reader gets past the zip layer to the damaged .npy).
Bytes zip_of(const Bytes& npy, bool deflate) {
  int error = 0;
  std::remove(build_path);
  zip_t* z = zip_open(build_path, ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(z != nullptr);
  zip_source_t* source = zip_source_buffer(z, npy.data(), npy.size(), 0);
  const zip_int64_t index = zip_file_add(z, "x.npy", source, 0);
  REQUIRE(index >= 0);
  zip_set_file_compression(z, zip_uint64_t(index), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
  REQUIRE(zip_close(z) == 0);
  return read_file(build_path);
}
Bytes npy(const std::string& descr, const std::string& shape, bool fortran, std::size_t bytes) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " +
                       (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  Bytes b = std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xff) +
            char(header.size() >> 8) + header;
  for (std::size_t i = 0; i < bytes; ++i) b += char(i * 37 + 11);
  return b;
}
Bytes idx(unsigned char type, const std::vector<std::uint32_t>& dims, std::size_t bytes) {
  Bytes b = {'\0', '\0', char(type), char(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) b += char(d >> shift & 0xff);
  for (std::size_t i = 0; i < bytes; ++i) b += char(i * 37 + 11);
  return b;
}

struct Mutator {
  std::mt19937_64 rng;
  std::size_t below(std::size_t n) { return n ? rng() % n : 0; }
  template <class T> T pick(const std::vector<T>& v) { return v[below(v.size())]; }
  std::uint32_t interesting() {
    return pick<std::uint32_t>({0, 1, 2, 3, 0x7f, 0xff, 0x100, 0xffff, 10000, 10001, 0x10000,
                                0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
                                std::uint32_t(rng())});
  }
  // A mutation anywhere in the bytes.
  void any(Bytes& b) {
    const std::size_t at = below(b.size() + 1);
    switch (below(6)) {
      case 0:
        if (at < b.size()) b[at] = char(b[at] ^ (1 << below(8)));
        break;
      case 1:
        if (at < b.size()) b[at] = char(rng());
        break;
      case 2: b.resize(at); break;
      case 3: {
        Bytes extra(1 + below(16), '\0');
        for (char& c : extra) c = char(rng());
        b.insert(at, extra);
        break;
      }
      case 4: b.erase(at, 1 + below(16)); break;
      default:  // an interesting 32-bit number, either byte order
        if (b.size() >= 4) {
          const std::size_t p = below(b.size() - 3);
          const std::uint32_t v = interesting();
          const bool big = rng() & 1;
          for (std::size_t i = 0; i < 4; ++i) b[p + i] = char(v >> (8 * (big ? 3 - i : i)) & 0xff);
        }
    }
  }
  // Replaces the text between `open` (after `key`) and `close` with `with`.
  static void replace_after(Bytes& b, const std::string& key, char close, const std::string& with) {
    const std::size_t k = b.find(key);
    const std::size_t e = k == Bytes::npos ? Bytes::npos : b.find(close, k + key.size());
    if (e != Bytes::npos) b.replace(k + key.size(), e - k - key.size(), with);
  }
  // An edit of the .npy structure: version, header length, descr, fortran_order, shape.
  void npy_header(Bytes& b) {
    if (b.size() < 10) return any(b);
    switch (below(5)) {
      case 0: b[6] = char(pick<int>({0, 1, 2, 3, 4, 255})); break;
      case 1: {
        const std::uint32_t v = pick<std::uint32_t>({0, 1, 9999, 10000, 10001, 0xffff,
                                                     std::uint32_t(b.size() - 10),
                                                     std::uint32_t(b.size() - 9), interesting()});
        b[8] = char(v & 0xff), b[9] = char(v >> 8 & 0xff);
        break;
      }
      case 2:
        replace_after(b, "'descr': '", '\'',
                      pick<std::string>({"<f2", ">f2", "<f4", ">f8", "|b1", "<i8", ">u4", "|u1",
                                         "<c8", "", "f", "<f16", std::string(200, 'x')}));
        break;
      case 3:
        replace_after(b, "'fortran_order': ", ',', pick<std::string>({"True", "False", "1", ""}));
        break;
      default: {
        std::string dims = "(";
        for (std::size_t i = 0, n = pick<std::size_t>({0, 1, 2, 3, 64, 65}); i < n; ++i)
          dims += pick<std::string>({"0", "1", "2", "3", "4", "4294967296", "4294967295",
                                     "9223372036854775807", "18446744073709551616", "-1",
                                     "2L", " ", ""}) + pick<std::string>({",", ", ", ""});
        replace_after(b, "'shape': ", '}', dims + pick<std::string>({"), ", ")", ""}));
      }
    }
  }
  // An edit of the IDX header: type, dim count, a dim.
  void idx_header(Bytes& b) {
    if (b.size() < 4) return any(b);
    switch (below(3)) {
      case 0: b[2] = char(pick<int>({0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0x0A, 0xff})); break;
      case 1: b[3] = char(pick<int>({0, 1, 2, 3, 4, 255})); break;
      default: {
        const std::size_t p = 4 + 4 * below(4);
        const std::uint32_t v = interesting();
        for (std::size_t i = 0; i < 4 && p + i < b.size(); ++i) b[p + i] = char(v >> (24 - 8 * i));
      }
    }
  }
  // One to three mutations, each structured (with `header`) or anywhere.
  void mutate(Bytes& b, void (Mutator::*header)(Bytes&)) {
    for (std::size_t n = 1 + below(3); n > 0; --n) {
      if (header && (rng() & 1)) (this->*header)(b);
      else any(b);
    }
  }
};

// Reads the case file with `reader`; true when it returned a tensor. Anything but a tg::Error
// fails the test.
bool survives(const std::function<double()>& reader, const std::string& what) {
  try {
    reader();
    return true;
  } catch (const Error&) {
    return false;
  } catch (const std::exception& e) {
    FAIL_CHECK(what, " threw a non-tg exception: ", e.what());
  } catch (...) {
    FAIL_CHECK(what, " threw something that is not a std::exception");
  }
  return false;
}
double total(const Tensor& t) {  // touches every element (ASan checks the array's bounds)
  double s = 0;
  for (double v : to_vector(t)) s += v;
  return s;
}

}  // namespace

TEST_CASE("mutated .npy, .npz and IDX files are read or refused with a tg::Error") {
  const double seconds = env_or("TAPEGRAD_FUZZ_SECONDS", 20);
  const auto seed = static_cast<std::uint64_t>(env_or("TAPEGRAD_FUZZ_SEED", 1));
  Mutator m{std::mt19937_64(seed)};

  manual_seed(7);
  save_npy(build_path, randn({3, 4}));
  const std::vector<Bytes> npys = {read_file(build_path), npy(">i2", "(2, 3)", true, 12),
                                   npy("<f2", "(5,)", false, 10), npy("|b1", "()", false, 1),
                                   npy("<f8", "(0, 3)", false, 0)};
  save_npz(build_path, {{"a", randn({2, 3})}, {"b", randn({4}, Dtype::float64)}});
  const std::vector<Bytes> zips = {read_file(build_path), read_file("data/numpy_compressed.npz"),
                                   zip_of(npys[1], true)};
  const std::vector<Bytes> idxs = {idx(0x08, {2, 3, 4}, 24), idx(0x0E, {3}, 24),
                                   idx(0x0B, {2, 2}, 8), idx(0x0D, {1, 0}, 0)};

  auto load_npy_file = [] { return total(load_npy(case_path)); };
  auto load_npz_file = [] {
    double s = 0;
    for (const auto& entry : load_npz(case_path)) s += total(entry.second);
    return s;
  };
  auto read_idx_file = [] { return total(data::read_idx(case_path)); };
  auto valid = [](const Bytes& b, const std::function<double()>& reader) {
    write_file(case_path, b);
    CHECK(survives(reader, "a seed file"));
  };
  for (const Bytes& b : npys) valid(b, load_npy_file);
  for (const Bytes& b : zips) valid(b, load_npz_file);
  for (const Bytes& b : idxs) valid(b, read_idx_file), valid(gzip(b), read_idx_file);

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::size_t cases = 0, read = 0;
  for (; cases < 200000 && elapsed() < seconds; ++cases) {
    Bytes b;
    std::function<double()> reader;
    const char* kind = "";
    switch (m.below(6)) {
      case 0:
        kind = ".npy", b = m.pick(npys), m.mutate(b, &Mutator::npy_header), reader = load_npy_file;
        break;
      case 1:  // a damaged .npy in a sound zip, stored or deflated
        kind = ".npy in .npz", b = m.pick(npys), m.mutate(b, &Mutator::npy_header);
        b = zip_of(b, m.rng() & 1), reader = load_npz_file;
        break;
      case 2:
        kind = ".npz", b = m.pick(zips), m.mutate(b, &Mutator::npy_header), reader = load_npz_file;
        break;
      case 3:
        kind = "IDX", b = m.pick(idxs), m.mutate(b, &Mutator::idx_header), reader = read_idx_file;
        break;
      case 4:  // a damaged IDX in a sound gzip stream
        kind = "IDX in gzip", b = m.pick(idxs), m.mutate(b, &Mutator::idx_header);
        b = gzip(b), reader = read_idx_file;
        break;
      default:
        kind = "gzip IDX", b = gzip(m.pick(idxs)), m.mutate(b, nullptr), reader = read_idx_file;
    }
    write_file(case_path, b);
    INFO("case ", cases, " (", kind, ") of seed ", seed);
    read += survives(reader, kind);
  }
  MESSAGE(cases, " mutated files in ", elapsed(), " s (seed ", seed, "): ", read,
          " read, the others refused with a tg::Error");
  CHECK(cases >= 100);
  std::remove(case_path);
  std::remove(build_path);
}
