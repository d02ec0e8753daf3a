// Data: TensorDataset, DataLoader batching/shuffling, IDX and CSV readers, Fashion-MNIST.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace tg;
using namespace tg::data;
namespace fs = std::filesystem;

namespace {

fs::path temp_path(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "tapegrad_test_data";
  fs::create_directories(dir);
  return dir / name;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void write_gz(const fs::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  gzclose(f);
}

// An IDX file written by hand: header, big-endian dims, then the element bytes given.
std::string idx_bytes(unsigned char type, const std::vector<std::uint32_t>& dims,
                      const std::string& data) {
  std::string s = {'\0', '\0', char(type), char(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) s += char((d >> shift) & 0xFF);
  return s + data;
}

template <class T> std::string big_endian(const std::vector<T>& values) {
  std::string s;
  for (T v : values) {
    unsigned char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (std::size_t i = sizeof(T); i > 0; --i) s += char(b[i - 1]);  // the test host is little-endian
  }
  return s;
}

// A Dataset that is not a TensorDataset: sample i is ([i, 10 i], [i % 3]).
struct Squares : Dataset {
  std::size_t size() const override { return 7; }
  std::pair<Tensor, Tensor> get(std::size_t i) const override {
    return {tensor({double(i), 10.0 * double(i)}), tensor({double(i % 3)})};
  }
};

}  // namespace

TEST_CASE("TensorDataset returns rows and checks its inputs") {
  Tensor x = arange(0, 12).to(Dtype::float64);
  TensorDataset ds(reshape(x, {4, 3}), tensor({5.0, 6.0, 7.0, 8.0}));
  CHECK(ds.size() == 4);
  auto [xi, yi] = ds.get(2);
  CHECK(xi.shape() == Shape{3});
  CHECK(xi.dtype() == Dtype::float64);
  CHECK(to_vector(xi) == std::vector<double>{6, 7, 8});
  CHECK(yi.shape() == Shape{});
  CHECK(yi.item() == 7);
  CHECK_THROWS_WITH_AS(ds.get(4), doctest::Contains("TensorDataset"), ValueError);
  CHECK_THROWS_WITH_AS(TensorDataset(zeros({4, 3}), zeros({5})), doctest::Contains("[4,3]"),
                       ShapeError);
  CHECK_THROWS_AS(TensorDataset(scalar(1), scalar(1)), ShapeError);
}

TEST_CASE("DataLoader batches in order, with a short last batch or drop_last") {
  Tensor x = reshape(arange(0, 20), {10, 2});
  Tensor y = arange(100, 110);
  TensorDataset ds(x, y);
  DataLoader loader(ds, DataLoaderOptions().batch_size(4));
  CHECK(loader.size() == 3);
  std::vector<Shape> shapes;
  std::vector<double> xs, ys;
  for (auto& [bx, by] : loader) {
    shapes.push_back(bx.shape());
    CHECK(by.shape() == Shape{bx.size(0)});
    auto vx = to_vector(bx), vy = to_vector(by);
    xs.insert(xs.end(), vx.begin(), vx.end());
    ys.insert(ys.end(), vy.begin(), vy.end());
  }
  CHECK(shapes == std::vector<Shape>{{4, 2}, {4, 2}, {2, 2}});
  CHECK(xs == to_vector(x));
  CHECK(ys == to_vector(y));

  DataLoader dropping(ds, DataLoaderOptions(4).drop_last(true));
  CHECK(dropping.size() == 2);
  std::size_t batches = 0;
  for (auto& batch : dropping) {
    CHECK(batch.x.size(0) == 4);
    ++batches;
  }
  CHECK(batches == 2);
  CHECK(DataLoader(ds, DataLoaderOptions(11).drop_last(true)).size() == 0);
  CHECK(DataLoader(ds, DataLoaderOptions(11)).size() == 1);
  CHECK_THROWS_WITH_AS(DataLoader(ds, DataLoaderOptions(0)), doctest::Contains("batch_size"),
                       ValueError);
}

TEST_CASE("DataLoader shuffles each epoch anew, deterministically for a seed") {
  TensorDataset ds(reshape(arange(0, 100), {50, 2}), arange(0, 50));
  auto epoch = [](DataLoader& loader) {
    std::vector<double> order;
    for (auto& [x, y] : loader) {
      auto vx = to_vector(x), vy = to_vector(y);
      for (std::size_t i = 0; i < vy.size(); ++i) {
        CHECK(vx[2 * i] == 2 * vy[i]);  // x and y rows stay paired
        CHECK(vx[2 * i + 1] == 2 * vy[i] + 1);
        order.push_back(vy[i]);
      }
    }
    return order;
  };
  auto options = DataLoaderOptions(8).shuffle(true).seed(42);
  DataLoader a(ds, options), b(ds, options), c(ds, DataLoaderOptions(8).shuffle(true).seed(43));
  auto a1 = epoch(a), a2 = epoch(a), b1 = epoch(b), b2 = epoch(b), c1 = epoch(c);
  CHECK(a1 == b1);
  CHECK(a2 == b2);
  CHECK(a1 != a2);
  CHECK(a1 != c1);
  auto sorted = a1;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == to_vector(arange(0, 50)));
  CHECK(a1 != sorted);

  // Without a seed the loader draws from the global generator: manual_seed reproduces it.
  manual_seed(7);
  DataLoader d(ds, DataLoaderOptions(8).shuffle(true));
  manual_seed(7);
  DataLoader e(ds, DataLoaderOptions(8).shuffle(true));
  CHECK(epoch(d) == epoch(e));
}

TEST_CASE("DataLoader stacks the samples of any Dataset and can own a temporary one") {
  Squares squares;
  DataLoader loader(squares, DataLoaderOptions(3));
  std::vector<Shape> shapes;
  std::vector<double> xs, ys;
  for (auto& [x, y] : loader) {
    shapes.push_back(x.shape());
    CHECK(y.shape() == Shape{x.size(0), 1});
    auto vx = to_vector(x), vy = to_vector(y);
    xs.insert(xs.end(), vx.begin(), vx.end());
    ys.insert(ys.end(), vy.begin(), vy.end());
  }
  CHECK(shapes == std::vector<Shape>{{3, 2}, {3, 2}, {1, 2}});
  CHECK(xs == std::vector<double>{0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60});
  CHECK(ys == std::vector<double>{0, 1, 2, 0, 1, 2, 0});

  DataLoader owning(TensorDataset(ones({5, 3}), zeros({5})), DataLoaderOptions(2));
  std::size_t rows = 0;
  for (auto& [x, y] : owning) {
    rows += x.size(0);
    CHECK(to_vector(x) == std::vector<double>(x.numel(), 1.0));
  }
  CHECK(rows == 5);
  CHECK(owning.dataset().size() == 5);
}

TEST_CASE("a Dataset whose samples change shape is a clear error") {
  struct Ragged : Dataset {
    std::size_t size() const override { return 2; }
    std::pair<Tensor, Tensor> get(std::size_t i) const override {
      return {zeros({i + 1}), zeros({1})};
    }
  } ragged;
  DataLoader loader(ragged, DataLoaderOptions(2));
  CHECK_THROWS_WITH_AS(loader.begin(), doctest::Contains("DataLoader: sample 1"), ShapeError);
}

TEST_CASE("read_idx reads every IDX element type, plain and gzip") {
  const std::string u8 = idx_bytes(0x08, {2, 2, 3}, std::string("\x00\x01\x02\x7f\x80\xff\x03\x04\x05\x06\x07\x08", 12));
  write_file(temp_path("u8.idx"), u8);
  write_gz(temp_path("u8.idx.gz"), u8);
  for (const char* name : {"u8.idx", "u8.idx.gz"}) {
    Tensor t = read_idx(temp_path(name).string());
    CHECK(t.shape() == Shape{2, 2, 3});
    CHECK(t.dtype() == Dtype::float32);
    CHECK(to_vector(t) == std::vector<double>{0, 1, 2, 127, 128, 255, 3, 4, 5, 6, 7, 8});
  }
  write_file(temp_path("i8.idx"), idx_bytes(0x09, {3}, std::string("\x80\xff\x05", 3)));
  CHECK(to_vector(read_idx(temp_path("i8.idx").string())) == std::vector<double>{-128, -1, 5});
  write_file(temp_path("i16.idx"), idx_bytes(0x0B, {3}, big_endian<std::int16_t>({-300, 2, 32767})));
  CHECK(to_vector(read_idx(temp_path("i16.idx").string())) == std::vector<double>{-300, 2, 32767});
  write_file(temp_path("i32.idx"), idx_bytes(0x0C, {2}, big_endian<std::int32_t>({-70000, 123456})));
  CHECK(to_vector(read_idx(temp_path("i32.idx").string())) == std::vector<double>{-70000, 123456});
  write_gz(temp_path("f32.idx.gz"), idx_bytes(0x0D, {1, 2}, big_endian<float>({1.5f, -0.25f})));
  Tensor f = read_idx(temp_path("f32.idx.gz").string());
  CHECK(f.shape() == Shape{1, 2});
  CHECK(to_vector(f) == std::vector<double>{1.5, -0.25});
  write_file(temp_path("f64.idx"), idx_bytes(0x0E, {2}, big_endian<double>({0.1, -1e300})));
  Tensor d = read_idx(temp_path("f64.idx").string());
  CHECK(d.dtype() == Dtype::float64);
  CHECK(to_vector(d) == std::vector<double>{0.1, -1e300});
  write_file(temp_path("empty.idx"), idx_bytes(0x08, {0, 28}, ""));
  CHECK(read_idx(temp_path("empty.idx").string()).shape() == Shape{0, 28});
}

TEST_CASE("truncated or corrupt IDX files are IOErrors naming the file") {
  const std::string good = idx_bytes(0x08, {2, 3}, "abcdef");
  auto fails = [](const std::string& name, const std::string& bytes, const std::string& why) {
    const std::string path = temp_path(name).string();
    write_file(path, bytes);
    CHECK_THROWS_WITH_AS(read_idx(path), doctest::Contains(path.c_str()), IOError);
    CHECK_THROWS_WITH_AS(read_idx(path), doctest::Contains(why.c_str()), IOError);
  };
  fails("short_data.idx", good.substr(0, good.size() - 1),
        "shape [2,3] of 1-byte elements needs 6 data bytes, the file has 5");
  fails("long_data.idx", good + "x", "needs 6 data bytes, the file has more");
  fails("short_header.idx", good.substr(0, 9), "truncated header");
  fails("tiny.idx", std::string("\0\0", 2), "shorter than a header");
  fails("magic.idx", "\1" + good.substr(1), "magic");
  fails("type.idx", good.substr(0, 2) + "\x0A" + good.substr(3), "data type");
  fails("empty_file.idx", "", "shorter than a header");

  // A gzip stream cut short, and one with garbage in the middle.
  std::string big(5000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = char(i * 7919 % 251);
  write_gz(temp_path("whole.idx.gz"), idx_bytes(0x08, {5000}, big));
  std::ifstream in(temp_path("whole.idx.gz"), std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(gz.size() > 100);
  const std::string cut = temp_path("cut.idx.gz").string();
  write_file(cut, gz.substr(0, gz.size() / 2));
  CHECK_THROWS_WITH_AS(read_idx(cut), doctest::Contains(cut.c_str()), IOError);
  std::string garbled = gz;
  for (std::size_t i = 20; i < 60; ++i) garbled[i] = char(~garbled[i]);
  const std::string bad = temp_path("garbled.idx.gz").string();
  write_file(bad, garbled);
  CHECK_THROWS_WITH_AS(read_idx(bad), doctest::Contains(bad.c_str()), IOError);
  CHECK_THROWS_WITH_AS(read_idx(temp_path("missing.idx").string()),
                       doctest::Contains("missing.idx"), IOError);
}

TEST_CASE("IDX shapes whose size overflows are ShapeErrors naming the file and the shape") {
  // 2^32-1 ^ 3 elements; and no elements at all but strides of (2^32-1)^2 (UBSan in xtensor).
  for (const auto& dims : {std::vector<std::uint32_t>{0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF},
                           std::vector<std::uint32_t>{0, 0xFFFFFFFF, 0xFFFFFFFF}}) {
    const std::string path = temp_path("huge.idx").string();
    write_file(path, idx_bytes(0x0E, dims, "12345678"));
    const std::string where = "read_idx: " + path + ": shape [";
    CHECK_THROWS_WITH_AS(read_idx(path), doctest::Contains(where.c_str()), ShapeError);
    CHECK_THROWS_WITH_AS(read_idx(path), doctest::Contains("4294967295,4294967295] is too large"),
                         ShapeError);
  }
  write_file(temp_path("wide.idx"), idx_bytes(0x08, {0, 65536, 65536}, ""));  // fine: 0 elements
  CHECK(read_idx(temp_path("wide.idx").string()).shape() == Shape{0, 65536, 65536});
}

TEST_CASE("a gzip IDX bomb is inflated only up to its declared size") {
  // The header says 16 uint8 elements; the stream inflates to 64 MiB of zeros (64 KiB on disk).
  const std::string path = temp_path("bomb.idx.gz").string();
  gzFile f = gzopen(path.c_str(), "wb9");
  REQUIRE(f != nullptr);
  const std::string head = idx_bytes(0x08, {16}, ""), zeros(1 << 20, '\0');
  REQUIRE(gzwrite(f, head.data(), unsigned(head.size())) == int(head.size()));
  for (int i = 0; i < 64; ++i)
    REQUIRE(gzwrite(f, zeros.data(), unsigned(zeros.size())) == int(zeros.size()));
  gzclose(f);
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  CHECK_THROWS_WITH_AS(read_idx(path), doctest::Contains("needs 16 data bytes, the file has more"),
                       IOError);
  getrusage(RUSAGE_SELF, &after);
  CHECK(after.ru_maxrss - before.ru_maxrss < 16 * 1024);  // KiB: far below the 64 MiB inflated
}

TEST_CASE("read_csv parses numbers, a header, blank lines and CRLF") {
  const std::string path = temp_path("ok.csv").string();
  write_file(path, "a,b,c\r\n1, 2.5 ,-3e2\r\n\r\n4,nan,6\n  \n7,8,inf\n");
  Tensor t = read_csv(path, true);
  CHECK(t.shape() == Shape{3, 3});
  CHECK(t.dtype() == Dtype::float32);
  auto v = to_vector(t);
  CHECK(v[0] == 1);
  CHECK(v[1] == 2.5);
  CHECK(v[2] == -300);
  CHECK(std::isnan(v[4]));
  CHECK(v[8] == INFINITY);
  write_file(path, "0.1;2\n3;4");
  Tensor d = read_csv(path, false, ';', Dtype::float64);
  CHECK(d.shape() == Shape{2, 2});
  CHECK(to_vector(d) == std::vector<double>{0.1, 2, 3, 4});
  write_file(path, "x,y\n");
  CHECK(read_csv(path, true).shape() == Shape{0, 2});
  write_file(path, "");
  CHECK(read_csv(path).shape() == Shape{0, 0});
}

TEST_CASE("read_csv errors name the file, line and column") {
  const std::string path = temp_path("bad.csv").string();
  write_file(path, "1,2\n3,x4\n");
  CHECK_THROWS_WITH_AS(read_csv(path), doctest::Contains("line 2 column 2: 'x4'"), IOError);
  CHECK_THROWS_WITH_AS(read_csv(path), doctest::Contains(path.c_str()), IOError);
  write_file(path, "h1,h2\n1,2\n\n3,4,5\n");
  CHECK_THROWS_WITH_AS(read_csv(path, true), doctest::Contains("line 4 has 3 columns, expected 2"),
                       IOError);
  write_file(path, "1,,3\n");
  CHECK_THROWS_WITH_AS(read_csv(path), doctest::Contains("line 1 column 2"), IOError);
  write_file(path, "1,2.5.1\n");
  CHECK_THROWS_AS(read_csv(path), IOError);
  write_file(path, "a,b\n1,2\n");
  CHECK_THROWS_WITH_AS(read_csv(path), doctest::Contains("line 1 column 1: 'a'"), IOError);
  CHECK_THROWS_WITH_AS(read_csv(temp_path("nope.csv").string()), doctest::Contains("nope.csv"),
                       IOError);
}

TEST_CASE("load_fashion_mnist: the Debian data set when installed, a clear error when not") {
  CHECK_THROWS_WITH_AS(load_fashion_mnist(temp_path("no_such_dir").string()),
                       doctest::Contains("dataset-fashion-mnist"), IOError);
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir)) return;
  for (bool train : {true, false}) {
    auto [images, labels] = load_fashion_mnist(dir, train);
    const std::size_t n = train ? 60000 : 10000;
    CHECK(images.shape() == Shape{n, 784});
    CHECK(labels.shape() == Shape{n});
    CHECK(images.dtype() == Dtype::float32);
    const float* px = images.data<float>();
    auto [lo, hi] = std::minmax_element(px, px + images.numel());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
    std::map<double, std::size_t> counts;
    for (double l : to_vector(labels)) ++counts[l];
    CHECK(counts.size() == 10);
    for (auto [label, count] : counts) CHECK(count == n / 10);  // balanced classes
  }
}
