// .npz reading and writing, files written by numpy, damaged files, and saving/loading modules.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <sys/resource.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>

using namespace tg;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A temporary file path removed at the end of the test.
struct TempFile {
  explicit TempFile(const std::string& name) : path("tmp_test_npz_" + name) {}
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

// A .npy file written by hand: magic, version, header length, the dict padded with spaces and
// ended by '\n' as numpy pads it (to a multiple of 64 bytes), then the data.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  const std::size_t lengths = major == 1 ? 2 : 4;
  std::string header = dict;
  header.append(63 - (8 + lengths + header.size()) % 64, ' ');
  header += '\n';
  std::string s = std::string("\x93NUMPY", 6) + char(major) + '\0';
  for (std::size_t i = 0; i < lengths; ++i) s += char(header.size() >> (8 * i) & 0xff);
  return s + header + data;
}
std::string dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}
// The bytes of `values`, little- or big-endian (the test host is little-endian).
template <class T> std::string raw(const std::vector<T>& values, bool big = false) {
  std::string s;
  for (T v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T); ++i) s += b[big ? sizeof(T) - 1 - i : i];
  }
  return s;
}
void append_le(std::string& s, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += char(v >> (8 * i) & 0xff);
}
// A one-entry zip written by hand: the entry is `head` followed by `zeros` zero bytes, deflated
// chunk by chunk (so it never exists uncompressed in memory), and its headers state `stated` as
// its uncompressed size.
std::string deflated_zip(const std::string& name, const std::string& head, std::size_t zeros,
                         std::uint32_t stated) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK);  // raw deflate
  std::string deflated, out(1 << 16, '\0');
  const std::string chunk(1 << 20, '\0');
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(head.data()), uInt(head.size()));
  auto feed = [&](const std::string& in, std::size_t size, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = uInt(size);
    do {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = uInt(out.size());
      deflate(&z, flush);
      deflated.append(out.data(), out.size() - z.avail_out);
    } while (z.avail_out == 0);
  };
  feed(head, head.size(), Z_NO_FLUSH);
  for (std::size_t left = zeros; left > 0;) {
    const std::size_t n = std::min(left, chunk.size());
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), uInt(n));
    feed(chunk, n, Z_NO_FLUSH);
    left -= n;
  }
  feed(chunk, 0, Z_FINISH);
  deflateEnd(&z);
  auto entry = [&](std::uint32_t signature, bool central) {
    std::string h;
    append_le(h, signature, 4);
    if (central) append_le(h, 20, 2);  // version made by
    append_le(h, 20, 2), append_le(h, 0, 2), append_le(h, 8, 2);  // version, flags, deflate
    append_le(h, 0, 2), append_le(h, 0x21, 2), append_le(h, crc, 4);  // time, date, CRC
    append_le(h, deflated.size(), 4), append_le(h, stated, 4);
    append_le(h, name.size(), 2), append_le(h, 0, 2);  // name and extra field lengths
    if (central) append_le(h, 0, 8), append_le(h, 0, 6);  // comment, disk, attributes, offset 0
    return h + name;
  };
  const std::string local = entry(0x04034b50, false) + deflated, central = entry(0x02014b50, true);
  std::string end;
  append_le(end, 0x06054b50, 4), append_le(end, 0, 4), append_le(end, 1, 2), append_le(end, 1, 2);
  append_le(end, central.size(), 4), append_le(end, local.size(), 4), append_le(end, 0, 2);
  return local + central + end;
}
// Peak resident memory of this process so far, in bytes.
std::size_t peak_rss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return std::size_t(usage.ru_maxrss) * 1024;
}

}  // namespace

TEST_CASE("a deflated entry that inflates far beyond its declared size costs its declared size") {
  // The .npy says 16 float64 (128 bytes); the entry inflates to 64 MiB of zeros (64 KiB on disk).
  const std::string head = npy_bytes(dict("<f8", "(16,)"), "");
  TempFile bomb("bomb.npz");
  // Stating its true size, the zip entry disagrees with the header: refused before inflating.
  const std::size_t inflated = 64 << 20;
  write_bytes(bomb.path, deflated_zip("x.npy", head, inflated, std::uint32_t(head.size() + inflated)));
  CHECK_THROWS_WITH_AS(load_npz(bomb.path),
                       doctest::Contains("entry 'x': data of shape [16] needs 128 bytes, found "
                                         "67108864"),
                       IOError);
  // Stating the header's size, it is inflated only up to 128 + 1 bytes.
  write_bytes(bomb.path, deflated_zip("x.npy", head, inflated, std::uint32_t(head.size() + 128)));
  const std::size_t before = peak_rss();
  CHECK_THROWS_WITH_AS(load_npz(bomb.path),
                       doctest::Contains("entry 'x': data of shape [16] needs 128 bytes, found "
                                         "more"),
                       IOError);
  CHECK(peak_rss() - before < (16u << 20));
  // The same entry holding exactly its 128 bytes loads.
  write_bytes(bomb.path, deflated_zip("x.npy", head, 128, std::uint32_t(head.size() + 128)));
  CHECK(to_vector(load_npz(bomb.path).at(0).second) == std::vector<double>(16, 0.0));
}

TEST_CASE("round trip of float32 and float64 tensors, including 0-d and empty ones") {
  TempFile file("roundtrip.npz");
  manual_seed(1);
  std::vector<std::pair<std::string, Tensor>> tensors = {
      {"a", randn({2, 3})},
      {"b", randn({4}, Dtype::float64)},
      {"scalar", scalar(-7.5, Dtype::float64)},
      {"empty", zeros({0, 3})},
      {"dotted.name", randn({2, 1, 2}, Dtype::float64)},
  };
  save_npz(file.path, tensors);
  auto loaded = load_npz(file.path);
  REQUIRE(loaded.size() == tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    INFO(tensors[i].first);
    CHECK(loaded[i].first == tensors[i].first);
    CHECK(loaded[i].second.shape() == tensors[i].second.shape());
    CHECK(loaded[i].second.dtype() == tensors[i].second.dtype());
    CHECK(to_vector(loaded[i].second) == to_vector(tensors[i].second));  // bit-exact
  }
  save_npz(file.path, {});  // an empty archive is valid too
  CHECK(load_npz(file.path).empty());
}

TEST_CASE("files written by numpy.savez and savez_compressed are read") {
  // np.savez(a=(arange(6, float32).reshape(2, 3) * 0.5 - 1), b=[1.5, -2.25, 1e-300] float64,
  //          s=3.25 (0-d float64), e=zeros((0, 3), float32))
  for (const char* path : {"data/numpy_arrays.npz", "data/numpy_compressed.npz"}) {
    INFO(path);
    auto loaded = load_npz(path);
    REQUIRE(loaded.size() == 4);
    CHECK(loaded[0].first == "a");
    CHECK(loaded[0].second.shape() == Shape{2, 3});
    CHECK(loaded[0].second.dtype() == Dtype::float32);
    CHECK(to_vector(loaded[0].second) == std::vector<double>{-1, -0.5, 0, 0.5, 1, 1.5});
    CHECK(loaded[1].first == "b");
    CHECK(loaded[1].second.dtype() == Dtype::float64);
    CHECK(to_vector(loaded[1].second) == std::vector<double>{1.5, -2.25, 1e-300});
    CHECK(loaded[2].first == "s");
    CHECK(loaded[2].second.shape() == Shape{});
    CHECK(loaded[2].second.item() == 3.25);
    CHECK(loaded[3].first == "e");
    CHECK(loaded[3].second.shape() == Shape{0, 3});
  }
}

TEST_CASE("numpy's int64 and Fortran-order files load (as int64, and transposed to C order)") {
  auto i = load_npz("data/numpy_int64.npz");  // np.arange(3)
  REQUIRE(i.size() == 1);
  CHECK(i[0].second.dtype() == Dtype::int64);
  CHECK(to_vector(i[0].second) == std::vector<double>{0, 1, 2});
  auto f = load_npz("data/numpy_fortran.npz");  // np.asfortranarray(np.ones((2, 3), float32))
  REQUIRE(f.size() == 1);
  CHECK(f[0].second.shape() == Shape{2, 3});
  CHECK(to_vector(f[0].second) == std::vector<double>(6, 1.0));
}

TEST_CASE("missing, truncated and corrupted files are IOErrors, never crashes") {
  CHECK_THROWS_WITH_AS(load_npz("data/no_such_file.npz"), doctest::Contains("no_such_file.npz"),
                       IOError);
  TempFile good("good.npz"), bad("bad.npz");
  save_npz(good.path, {{"w", from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, Dtype::float64)},
                       {"v", ones({5})}});
  const std::string bytes = read_bytes(good.path);
  // Every truncation point: the header, the data, or the central directory is cut.
  for (std::size_t n = 0; n < bytes.size(); n += 7) {
    write_bytes(bad.path, bytes.substr(0, n));
    INFO("truncated to ", n, " bytes");
    CHECK_THROWS_WITH_AS(load_npz(bad.path), doctest::Contains(bad.path.c_str()), IOError);
  }
  // Flip single bytes everywhere: either an error (CRC, header, structure) or, where the byte is
  // unchecked zip metadata, a successful read; never a crash or sanitizer report.
  std::size_t errors = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = char(damaged[i] ^ 0x5a);
    write_bytes(bad.path, damaged);
    try {
      load_npz(bad.path);
    } catch (const IOError& e) {
      ++errors;
      CHECK(std::string(e.what()).find(bad.path) != std::string::npos);
    }
  }
  CHECK(errors > bytes.size() / 2);
  // Not a zip at all.
  write_bytes(bad.path, "definitely not a zip archive");
  CHECK_THROWS_AS(load_npz(bad.path), IOError);
}

TEST_CASE("malformed .npy entries inside a valid zip are IOErrors naming the entry") {
  // Made by data/bad_npy/make_bad_npy.py: one entry "x.npy" damaged in one way each.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"magic", "not a .npy array (bad magic)"},
      {"tiny", "not a .npy array (bad magic)"},
      {"version", "unsupported .npy format version 9"},
      {"header_length", "truncated header"},
      {"no_shape", "malformed header (needs 'descr', 'fortran_order' and 'shape')"},
      {"shape_text", "malformed header: expected a dimension at offset 54, found 'x), }"},
      {"short_data", "data of shape [3] needs 24 bytes, found 16"},
      {"long_data", "data of shape [1] needs 8 bytes, found 16"},
  };
  for (const auto& [name, message] : cases) {
    const std::string path = "data/bad_npy/" + name + ".npz";
    INFO(path);
    const std::string expected = "'" + path + "', entry 'x': " + message;
    CHECK_THROWS_WITH_AS(load_npz(path), doctest::Contains(expected.c_str()), IOError);
  }
  CHECK_THROWS_WITH_AS(load_npz("data/bad_npy/huge_shape.npz"),
                       doctest::Contains("entry 'x': shape [4000000000,4000000000,4000000000] "
                                         "is too large"),
                       ShapeError);
  auto big_endian = load_npz("data/bad_npy/big_endian.npz");  // '>f8' is fine now
  CHECK(to_vector(big_endian.at(0).second) == std::vector<double>{0, 0});
}

TEST_CASE("saving is atomic: a failed save leaves the existing file intact") {
  TempFile file("atomic.npz");
  save_npz(file.path, {{"x", ones({3})}});
  const std::string before = read_bytes(file.path);
  CHECK_THROWS_AS(save_npz(file.path, {{"x", ones({2})}, {"undefined", Tensor()}}), IOError);
  CHECK(read_bytes(file.path) == before);
  CHECK_THROWS_AS(save_npz("no_such_dir/x.npz", {{"x", ones({3})}}), IOError);
}

TEST_CASE("nn::save / nn::load round-trip parameters and buffers") {
  TempFile file("model->npz");
  manual_seed(5);
  nn::Sequential model(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  model(randn({8, 3}));  // updates the running statistics
  nn::save(model, file.path);
  auto entries = load_npz(file.path);
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.first);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "3.weight",
                                          "3.bias", "1.running_mean", "1.running_var",
                                          "1.num_batches_tracked"});

  manual_seed(6);
  nn::Sequential other(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  nn::load(other, file.path);
  auto a = model->named_parameters(), b = other->named_parameters();
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(to_vector(a[i].second) == to_vector(b[i].second));
  auto ab = model->named_buffers(), bb = other->named_buffers();
  for (std::size_t i = 0; i < ab.size(); ++i)
    CHECK(to_vector(ab[i].second) == to_vector(bb[i].second));
  model->eval(), other->eval();
  Tensor x = randn({2, 3});
  CHECK(to_vector(model(x)) == to_vector(other(x)));

  // A float64 model loads the float32 file (values converted).
  nn::Sequential wide(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  wide->to(Dtype::float64);
  nn::load(wide, file.path);
  CHECK(wide->parameters()[0].dtype() == Dtype::float64);
  CHECK(to_vector(wide->parameters()[0]) == to_vector(model->parameters()[0]));
}

TEST_CASE("loading a mismatched file fails before touching the module") {
  TempFile file("mismatch.npz");
  nn::Sequential small(nn::Linear(3, 4), nn::Linear(4, 2));
  nn::save(small, file.path);
  auto unchanged = [](nn::Module& m, const std::function<void()>& f) {
    std::vector<std::vector<double>> before;
    for (const Tensor& p : m.parameters()) before.push_back(to_vector(p));
    f();
    for (std::size_t i = 0; i < before.size(); ++i)
      CHECK(to_vector(m.parameters()[i]) == before[i]);
  };
  // Shape mismatch in the second layer: the first layer must not have been loaded either.
  nn::Sequential other_shape(nn::Linear(3, 4), nn::Linear(4, 3));
  unchanged(*other_shape, [&] {
    CHECK_THROWS_WITH_AS(nn::load(other_shape, file.path),
                         doctest::Contains("entry '1.weight' in 'tmp_test_npz_mismatch.npz' has "
                                           "shape [2,4], the module expects [3,4]"),
                         ShapeError);
  });
  // A name the file lacks.
  nn::Sequential extra(nn::Linear(3, 4), nn::Linear(4, 2), nn::Linear(2, 1));
  unchanged(*extra, [&] {
    CHECK_THROWS_WITH_AS(nn::load(extra, file.path), doctest::Contains("'2.weight'"), IOError);
  });
  // An entry the module lacks.
  nn::Sequential fewer(nn::Linear(3, 4));
  unchanged(*fewer, [&] {
    CHECK_THROWS_WITH_AS(nn::load(fewer, file.path), doctest::Contains("'1."), IOError);
  });
  nn::Sequential same(nn::Linear(3, 4), nn::Linear(4, 2));
  unchanged(*same, [&] {
    CHECK_THROWS_WITH_AS(nn::load(same, "data/no_such_file.npz"),
                         doctest::Contains("no_such_file"), IOError);
  });
}

TEST_CASE("numpy flavours: Fortran order, big-endian, float16, integers and bool load exactly") {
  TempFile file("flavour.npy");
  auto load = [&](const std::string& descr, const std::string& shape, const std::string& data,
                  bool fortran = false) {
    write_bytes(file.path, npy_bytes(dict(descr, shape, fortran), data));
    return load_npy(file.path);
  };
  // Fortran order: the data is column-major; the tensor is the same array in C order.
  Tensor f = load("<f8", "(2, 3)", raw<double>({1, 4, 2, 5, 3, 6}), true);
  CHECK(f.shape() == Shape{2, 3});
  CHECK(to_vector(f) == std::vector<double>{1, 2, 3, 4, 5, 6});
  std::vector<float> column_major(24);
  std::vector<double> row_major(24);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) {
        column_major[i + 2 * j + 6 * k] = float(100 * i + 10 * j + k);
        row_major[12 * i + 4 * j + k] = double(100 * i + 10 * j + k);
      }
  Tensor f3 = load(">f4", "(2, 3, 4)", raw(column_major, true), true);  // big-endian too
  CHECK(f3.shape() == Shape{2, 3, 4});
  CHECK(f3.dtype() == Dtype::float32);
  CHECK(to_vector(f3) == row_major);
  CHECK(to_vector(load("<f4", "(1,)", raw<float>({2.5f}), true)) == std::vector<double>{2.5});

  // Big-endian floats.
  CHECK(to_vector(load(">f8", "(2,)", raw<double>({0.1, -1e300}, true))) ==
        std::vector<double>{0.1, -1e300});
  CHECK(to_vector(load(">f4", "(2,)", raw<float>({1.5f, -0.25f}, true))) ==
        std::vector<double>{1.5, -0.25});

  // float16 -> float32: 1, -2, 0.5, the largest half, the smallest subnormal, -0, inf, NaN.
  const std::vector<std::uint16_t> halves = {0x3C00, 0xC000, 0x3800, 0x7BFF,
                                             0x0001, 0x8000, 0x7C00, 0x7E00};
  for (bool big : {false, true}) {
    Tensor h = load(big ? ">f2" : "<f2", "(8,)", raw(halves, big));
    CHECK(h.dtype() == Dtype::float32);
    const std::vector<double> v = to_vector(h);
    CHECK(std::vector<double>(v.begin(), v.begin() + 5) ==
          std::vector<double>{1, -2, 0.5, 65504, std::ldexp(1.0, -24)});
    CHECK((v[5] == 0 && std::signbit(v[5])));
    CHECK(v[6] == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(v[7]));
  }

  // Integers -> int64, bool -> bool; both byte orders.
  const double two53 = 9007199254740992.0;
  for (bool big : {false, true}) {
    INFO("big-endian: ", big);
    const std::string o = big ? ">" : "<";
    auto check = [&](const std::string& descr, const std::string& data,
                     const std::vector<double>& expect) {
      INFO(descr);
      Tensor t = load(descr, "(" + std::to_string(expect.size()) + ",)", data);
      CHECK(t.dtype() == (descr == "|b1" ? Dtype::boolean : Dtype::int64));
      CHECK(to_vector(t) == expect);
    };
    check("|i1", raw<std::int8_t>({-128, 127, 0}), {-128, 127, 0});
    check("|u1", raw<std::uint8_t>({0, 255}), {0, 255});
    check(o + "i2", raw<std::int16_t>({-32768, 300}, big), {-32768, 300});
    check(o + "u2", raw<std::uint16_t>({65535, 1}, big), {65535, 1});
    check(o + "i4", raw<std::int32_t>({-2147483647 - 1, 70000}, big), {-2147483648.0, 70000});
    check(o + "u4", raw<std::uint32_t>({4294967295u}, big), {4294967295.0});
    check(o + "i8", raw<std::int64_t>({-(std::int64_t(1) << 53), std::int64_t(1) << 53, -1}, big),
          {-two53, two53, -1});
    check(o + "u8", raw<std::uint64_t>({~std::uint64_t(0)}, big), {-1});  // wraps, as astype
    check("|b1", std::string("\x01\x00\x01", 3), {1, 0, 1});
  }

  // The same flavours inside a deflated .npz.
  TempFile archive("flavours.npz");
  const std::string entry =
      npy_bytes(dict(">i2", "(2, 2)", true), raw<std::int16_t>({1, 3, 2, 4}, true));
  write_bytes(archive.path, deflated_zip("m.npy", entry, 0, std::uint32_t(entry.size())));
  auto loaded = load_npz(archive.path);
  CHECK(loaded.at(0).first == "m");
  CHECK(to_vector(loaded.at(0).second) == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE(".npy header variants numpy and Python have written all load") {
  TempFile file("variant.npy");
  auto load = [&](const std::string& bytes) {
    write_bytes(file.path, bytes);
    return to_vector(load_npy(file.path));
  };
  const std::string two = raw<double>({1.5, -2});
  CHECK(load(npy_bytes(dict("<f8", "(2,)"), two, 2)) == std::vector<double>{1.5, -2});  // 4-byte
  CHECK(load(npy_bytes(dict("<f8", "(2,)"), two, 3)) == std::vector<double>{1.5, -2});  // length
  CHECK(load(npy_bytes("{\"shape\":(2L,),\"fortran_order\":False,\"descr\":\"<f8\"}", two)) ==
        std::vector<double>{1.5, -2});  // any key order, double quotes, Python 2's 2L
  CHECK(load(npy_bytes(dict("=f8", "( 2 )"), two)) == std::vector<double>{1.5, -2});
  CHECK(load(npy_bytes(dict("<f8", "()"), raw<double>({7}))) == std::vector<double>{7});
  // A header of exactly 10,000 bytes (numpy's limit) loads; 64 dimensions (numpy's most) too.
  std::string d = dict("<f4", "(1,)");
  write_bytes(file.path, std::string("\x93NUMPY\x01\x00\x10\x27", 10) + d +
                             std::string(10000 - d.size() - 1, ' ') + "\n" + raw<float>({3}));
  CHECK(to_vector(load_npy(file.path)) == std::vector<double>{3});
  std::string ones = "(";
  for (int i = 0; i < 64; ++i) ones += "1,";
  write_bytes(file.path, npy_bytes(dict("<f4", ones + ")"), raw<float>({4})));
  CHECK(load_npy(file.path).ndim() == 64);
}

TEST_CASE("hostile .npy headers are IOErrors naming the file, never a crash") {
  TempFile file("hostile.npy"), archive("hostile.npz");
  auto fails = [&](const std::string& bytes, const std::string& why) {
    INFO(why);
    write_bytes(file.path, bytes);
    CHECK_THROWS_WITH_AS(load_npy(file.path),
                         doctest::Contains(("load_npy: '" + file.path + "': ").c_str()), IOError);
    CHECK_THROWS_WITH_AS(load_npy(file.path), doctest::Contains(why.c_str()), IOError);
  };
  // A 30,000-character descr inside an .npz (it overflowed std::regex's stack).
  const std::string giant = npy_bytes(dict(std::string(30000, 'f'), "(1,)"), raw<double>({1}));
  write_bytes(archive.path, deflated_zip("x.npy", giant, 0, std::uint32_t(giant.size())));
  CHECK_THROWS_WITH_AS(load_npz(archive.path),
                       doctest::Contains("entry 'x': header of 30070 bytes is longer than "
                                         "numpy's limit of 10000"),
                       IOError);
  fails(giant, "header of 30070 bytes is longer than numpy's limit of 10000");
  // 16,000 dimensions (format 2.0, whose length field allows it).
  std::string dims = "(";
  for (int i = 0; i < 16000; ++i) dims += "1, ";
  fails(npy_bytes(dict("<f8", dims + ")"), raw<double>({1}), 2), "is longer than numpy's limit");
  std::string header = dict("<f4", "(1,)");
  fails(std::string("\x93NUMPY\x01\x00\x11\x27", 10) + header +
            std::string(10001 - header.size() - 1, ' ') + "\n" + raw<float>({3}),
        "header of 10001 bytes is longer than numpy's limit of 10000");
  std::string many = "(";
  for (int i = 0; i < 65; ++i) many += "1,";
  fails(npy_bytes(dict("<f4", many + ")"), raw<float>({1})), "more than 64 dimensions");
  // Within the limit, still wrong.
  fails(npy_bytes(dict(std::string(9000, 'f'), "(1,)"), ""), "unsupported dtype 'fff");
  fails(npy_bytes(dict("<c16", "(1,)"), ""), "unsupported dtype '<c16'");
  fails(npy_bytes(dict("|O", "(1,)"), ""), "unsupported dtype '|O'");
  fails(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", ""),
        "malformed header: expected a quoted string at offset 10");
  fails(npy_bytes("{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}", ""),
        "unsupported dtype '<f8, '");
  fails(npy_bytes("{'descr': '<f8", ""), "malformed header: expected a quoted string");
  fails(npy_bytes("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}", ""),
        "expected True or False");
  fails(npy_bytes(dict("<f8", "(2 3)"), ""), "expected ')' at offset");
  fails(npy_bytes(dict("<f8", "(-1,)"), ""), "expected a dimension at offset");
  fails(npy_bytes(dict("<f8", "(99999999999999999999999,)"), ""), "a dimension below 2^64");
  fails(npy_bytes(dict("<f8", "(1,)") + " x", raw<double>({1})), "expected the end of the header");
  fails(npy_bytes("{'descr': '<f8', 'descr': '<f8', 'shape': (1,)}", ""),
        "unexpected key 'descr'");
  fails(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", ""),
        "unexpected key 'x'");
  fails(npy_bytes("{}", ""), "needs 'descr', 'fortran_order' and 'shape'");
  fails(npy_bytes(dict("<f8", "(3,)"), raw<double>({1, 2})), "needs 24 bytes, found 16");
  fails(npy_bytes(dict("<f8", "(1,)"), raw<double>({1, 2})), "needs 8 bytes, found more");
  fails(npy_bytes(dict("<f8", "(1,)"), "").substr(0, 40), "truncated header");
  fails(std::string("\x93NUMPY\x02\x00\xff\xff\xff", 11), "truncated header");
  CHECK_THROWS_WITH_AS(load_npy(file.path + ".missing"), doctest::Contains(".missing"), IOError);
  // A shape whose size overflows is a ShapeError naming the file and the shape.
  write_bytes(file.path, npy_bytes(dict("<f8", "(4294967296, 4294967296)"), ""));
  CHECK_THROWS_WITH_AS(load_npy(file.path),
                       doctest::Contains("load_npy: 'tmp_test_npz_hostile.npy': shape "
                                         "[4294967296,4294967296] is too large"),
                       ShapeError);
  write_bytes(file.path, npy_bytes(dict("<f8", "(0, 4294967295, 4294967295)"), ""));
  CHECK_THROWS_AS(load_npy(file.path), ShapeError);  // no elements, but strides overflow
  write_bytes(file.path, npy_bytes(dict("<f8", "(0, 65536, 65536)"), ""));
  CHECK(load_npy(file.path).shape() == Shape{0, 65536, 65536});
}

TEST_CASE("save_npy / load_npy round trip, exactly as numpy writes; save_npy is atomic") {
  TempFile file("roundtrip.npy");
  manual_seed(3);
  for (const Tensor& t : {randn({2, 3}), randn({4}, Dtype::float64), scalar(-7.5),
                          zeros({0, 3}, Dtype::float64)}) {
    save_npy(file.path, t);
    Tensor back = load_npy(file.path);
    CHECK(back.shape() == t.shape());
    CHECK(back.dtype() == t.dtype());
    CHECK(to_vector(back) == to_vector(t));
  }
  save_npy(file.path, from_vector({1, 2, 3, 4, 5, 6}, {2, 3}));
  const std::string expected = npy_bytes(dict("<f4", "(2, 3)"), raw<float>({1, 2, 3, 4, 5, 6}));
  CHECK(read_bytes(file.path) == expected);  // byte for byte what np.save writes
  CHECK_THROWS_WITH_AS(save_npy(file.path, Tensor()), doctest::Contains("save_npy: undefined"),
                       IOError);
  CHECK(read_bytes(file.path) == expected);
  CHECK_THROWS_AS(save_npy("no_such_dir/x.npy", ones({1})), IOError);
  CHECK_THROWS_WITH_AS(save_npy(file.path, zeros(Shape(65, 1))),
                       doctest::Contains("more than 64 dimensions"), IOError);
}
