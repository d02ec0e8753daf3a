// .npz reading and writing, files written by numpy, damaged files, and saving/loading modules.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
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

}  // namespace

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

TEST_CASE("unsupported dtypes and Fortran order are IOErrors naming the file and entry") {
  CHECK_THROWS_WITH_AS(load_npz("data/numpy_int64.npz"),
                       doctest::Contains("data/numpy_int64.npz', entry 'i': unsupported dtype "
                                         "'<i8'"),
                       IOError);
  CHECK_THROWS_WITH_AS(load_npz("data/numpy_fortran.npz"),
                       doctest::Contains("entry 'f': fortran_order"), IOError);
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
      {"shape_text", "malformed shape '(2, x)'"},
      {"huge_shape", "shape (4000000000, 4000000000, 4000000000) is too large"},
      {"short_data", "data of shape [3] needs 24 bytes, found 16"},
      {"long_data", "data of shape [1] needs 8 bytes, found 16"},
      {"big_endian", "unsupported dtype '>f8' (only '<f4' and '<f8')"},
  };
  for (const auto& [name, message] : cases) {
    const std::string path = "data/bad_npy/" + name + ".npz";
    INFO(path);
    const std::string expected = "'" + path + "', entry 'x': " + message;
    CHECK_THROWS_WITH_AS(load_npz(path), doctest::Contains(expected.c_str()), IOError);
  }
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
  TempFile file("model.npz");
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
  auto a = model.named_parameters(), b = other.named_parameters();
  for (std::size_t i = 0; i < a.size(); ++i)
    CHECK(to_vector(a[i].second) == to_vector(b[i].second));
  auto ab = model.named_buffers(), bb = other.named_buffers();
  for (std::size_t i = 0; i < ab.size(); ++i)
    CHECK(to_vector(ab[i].second) == to_vector(bb[i].second));
  model.eval(), other.eval();
  Tensor x = randn({2, 3});
  CHECK(to_vector(model(x)) == to_vector(other(x)));

  // A float64 model loads the float32 file (values converted).
  nn::Sequential wide(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  wide.to(Dtype::float64);
  nn::load(wide, file.path);
  CHECK(wide.parameters()[0].dtype() == Dtype::float64);
  CHECK(to_vector(wide.parameters()[0]) == to_vector(model.parameters()[0]));
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
  unchanged(other_shape, [&] {
    CHECK_THROWS_WITH_AS(nn::load(other_shape, file.path),
                         doctest::Contains("entry '1.weight' in 'tmp_test_npz_mismatch.npz' has "
                                           "shape [2,4], the module expects [3,4]"),
                         ShapeError);
  });
  // A name the file lacks.
  nn::Sequential extra(nn::Linear(3, 4), nn::Linear(4, 2), nn::Linear(2, 1));
  unchanged(extra, [&] {
    CHECK_THROWS_WITH_AS(nn::load(extra, file.path), doctest::Contains("'2.weight'"), IOError);
  });
  // An entry the module lacks.
  nn::Sequential fewer(nn::Linear(3, 4));
  unchanged(fewer, [&] {
    CHECK_THROWS_WITH_AS(nn::load(fewer, file.path), doctest::Contains("'1."), IOError);
  });
  nn::Sequential same(nn::Linear(3, 4), nn::Linear(4, 2));
  unchanged(same, [&] {
    CHECK_THROWS_WITH_AS(nn::load(same, "data/no_such_file.npz"),
                         doctest::Contains("no_such_file"), IOError);
  });
}
