// libtorch's data API: datasets::MNIST, map with Normalize / Lambda / Stack, make_data_loader
// with the Sequential and Random samplers, and a custom Dataset<Self>.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <string>
#include <vector>

using namespace tg;
namespace fs = std::filesystem;
using tg::data::Example;
using tg::data::datasets::MNIST;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "tapegrad_test_data_api" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// An IDX file of uint8 (format in data/idx.hpp): 0 0 0x08 ndim, big-endian uint32 dims, bytes.
std::string idx_u8(const std::vector<std::uint32_t>& dims, const std::vector<int>& values) {
  std::string s = {'\0', '\0', '\x08', char(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) s += char((d >> shift) & 0xFF);
  for (int v : values) s += char(v);
  return s;
}

void write(const fs::path& path, const std::string& bytes, bool gz) {
  if (!gz) {
    std::ofstream(path, std::ios::binary) << bytes;
    return;
  }
  gzFile f = gzopen((path.string() + ".gz").c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), unsigned(bytes.size())) == int(bytes.size()));
  gzclose(f);
}

int pixel(int image, int j) { return (image * 37 + j) % 256; }

// n images (pixel(k, j) at position j of image k) and labels (k * 3) % 10, under split's names.
void write_split(const fs::path& dir, const std::string& split, int n, bool gz, int labels = -1) {
  std::vector<int> pixels, targets;
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < 784; ++j) pixels.push_back(pixel(k, j));
  for (int k = 0; k < (labels < 0 ? n : labels); ++k) targets.push_back(k * 3 % 10);
  write(dir / (split + "-images-idx3-ubyte"), idx_u8({std::uint32_t(n), 28, 28}, pixels), gz);
  write(dir / (split + "-labels-idx1-ubyte"), idx_u8({std::uint32_t(targets.size())}, targets), gz);
}

std::vector<double> targets_of(const Tensor& t) { return to_vector(t); }

// A custom dataset as a libtorch user writes one: example i is {[2] of i, 0-d int64 i}.
class Counting : public data::datasets::Dataset<Counting> {
 public:
  explicit Counting(std::size_t n) : n_(n) {}
  Example<> get(std::size_t index) override {
    return {full({2}, double(index)), scalar(double(index), kInt64)};
  }
  std::optional<std::size_t> size() const override { return n_; }

 private:
  std::size_t n_;
};

class Unsized : public data::datasets::Dataset<Unsized> {
 public:
  Example<> get(std::size_t) override { return {}; }
  std::optional<std::size_t> size() const override { return std::nullopt; }
};

// Every target of one epoch, in the order the loader gave them.
template <class Loader> std::vector<double> epoch(Loader& loader) {
  std::vector<double> seen;
  for (auto& batch : loader)
    for (double v : to_vector(batch.target)) seen.push_back(v);
  return seen;
}

}  // namespace

TEST_CASE("MNIST reads plain and gzip IDX files: images [N,1,28,28] in [0,1], targets int64") {
  const fs::path dir = temp_dir("mnist");
  write_split(dir, "train", 5, false);
  write_split(dir, "t10k", 3, true);

  MNIST train(dir.string());
  CHECK(train.is_train());
  REQUIRE(train.size().value() == 5);
  CHECK(train.images().shape() == Shape{5, 1, 28, 28});
  CHECK(train.images().dtype() == kFloat32);
  CHECK(train.targets().shape() == Shape{5});
  CHECK(train.targets().dtype() == kInt64);
  CHECK(targets_of(train.targets()) == std::vector<double>{0, 3, 6, 9, 2});
  Example<> e = train.get(3);
  CHECK(e.data.shape() == Shape{1, 28, 28});
  CHECK(e.target.shape() == Shape{});
  CHECK(e.target.dtype() == kInt64);
  CHECK(e.target.item<std::int64_t>() == 9);
  const std::vector<double> v = to_vector(e.data);
  for (int j : {0, 1, 100, 783}) CHECK(v[j] == doctest::Approx(pixel(3, j) / 255.0).epsilon(1e-7));

  MNIST test(dir.string(), MNIST::Mode::kTest);
  CHECK_FALSE(test.is_train());
  CHECK(test.size().value() == 3);
  CHECK(test.images().shape() == Shape{3, 1, 28, 28});
  CHECK(to_vector(test.get(2).data)[5] == doctest::Approx(pixel(2, 5) / 255.0).epsilon(1e-7));
}

TEST_CASE("MNIST errors: a missing file names the paths tried; image and label counts must match") {
  const fs::path dir = temp_dir("mnist_errors");
  const std::string tried = (dir / "train-images-idx3-ubyte").string();
  CHECK_THROWS_WITH_AS(MNIST(dir.string()), doctest::Contains(tried.c_str()), IOError);
  CHECK_THROWS_WITH_AS(MNIST(dir.string()), doctest::Contains("[.gz] not found"), IOError);
  write_split(dir, "train", 4, false, 3);
  CHECK_THROWS_WITH_AS(MNIST(dir.string()), doctest::Contains("holds [4,28,28]"), IOError);
  CHECK_THROWS_WITH_AS(MNIST(dir.string()), doctest::Contains("holds [3]"), IOError);
  CHECK_THROWS_AS(MNIST(dir.string(), MNIST::Mode::kTest), IOError);  // no t10k files
}

TEST_CASE("Normalize: (x - mean) / stddev on the data, target unchanged") {
  data::transforms::Normalize<> normalize(0.5, 0.25);
  Example<> e = normalize.apply({tensor({0.0, 0.5, 1.0, 0.75}), scalar(7, kInt64)});
  CHECK(to_vector(e.data) == std::vector<double>{-2, 0, 2, 1});
  CHECK(e.target.item<std::int64_t>() == 7);
  CHECK(e.data.dtype() == kFloat32);

  // MNIST's usual constants on pixel 255 and pixel 0: (1 - 0.1307) / 0.3081, -0.1307 / 0.3081.
  const fs::path dir = temp_dir("normalize");
  write_split(dir, "train", 8, true);
  auto ds = MNIST(dir.string()).map(data::transforms::Normalize<>(0.1307, 0.3081));
  std::vector<Example<>> batch = ds.get_batch({7});  // image 7: pixel(7, j) = (259 + j) % 256
  REQUIRE(batch.size() == 1);
  const std::vector<double> v = to_vector(batch[0].data);
  CHECK(v[252] == doctest::Approx((1 - 0.1307) / 0.3081).epsilon(1e-6));  // (259 + 252) % 256
  CHECK(v[253] == doctest::Approx(-0.1307 / 0.3081).epsilon(1e-6));       // = 255, then 0
  CHECK(v[0] == doctest::Approx((3 / 255.0 - 0.1307) / 0.3081).epsilon(1e-6));
}

TEST_CASE("Stack collates examples; MNIST's whole-tensor batches equal the per-example ones") {
  data::transforms::Stack<> stack;
  Example<> b = stack.apply_batch({{tensor({1, 2}), scalar(3, kInt64)},
                                   {tensor({4, 5}), scalar(6, kInt64)},
                                   {tensor({7, 8}), scalar(9, kInt64)}});
  CHECK(b.data.shape() == Shape{3, 2});
  CHECK(b.data.dtype() == kFloat32);
  CHECK(to_vector(b.data) == std::vector<double>{1, 2, 4, 5, 7, 8});
  CHECK(b.target.shape() == Shape{3});
  CHECK(b.target.dtype() == kInt64);
  CHECK(to_vector(b.target) == std::vector<double>{3, 6, 9});

  const fs::path dir = temp_dir("stack");
  write_split(dir, "train", 6, false);
  const std::vector<std::size_t> indices = {4, 0, 5, 2};
  auto fast = MNIST(dir.string())
                  .map(data::transforms::Normalize<>(0.1307, 0.3081))
                  .map(data::transforms::Stack<>());
  Example<> batch = fast.get_batch(indices);
  CHECK(batch.data.shape() == Shape{4, 1, 28, 28});
  CHECK(batch.data.dtype() == kFloat32);
  CHECK(batch.target.shape() == Shape{4});
  CHECK(batch.target.dtype() == kInt64);
  // The same through the per-example path: a Lambda (not elementwise) forces it.
  auto slow = MNIST(dir.string())
                  .map(data::transforms::Normalize<>(0.1307, 0.3081))
                  .map(data::transforms::Lambda<>([](Example<> e) { return e; }))
                  .map(data::transforms::Stack<>());
  Example<> expect = slow.get_batch(indices);
  CHECK(to_vector(batch.data) == to_vector(expect.data));
  CHECK(to_vector(batch.target) == std::vector<double>{2, 0, 5, 6});
  CHECK(to_vector(expect.target) == std::vector<double>{2, 0, 5, 6});
  MNIST lvalue(dir.string());  // map on an lvalue copies the dataset (its tensors are shared)
  auto mapped = lvalue.map(data::transforms::Stack<>());
  CHECK(to_vector(mapped.get_batch({1}).target) == std::vector<double>{3});
  CHECK(mapped.size().value() == 6);
}

TEST_CASE("the libtorch MNIST program compiles and runs with tg:: for torch::") {
  const fs::path dir = temp_dir("program");
  write_split(dir, "train", 150, true);
  write_split(dir, "t10k", 30, false);
  const std::string root = dir.string();
  auto train_dataset = tg::data::datasets::MNIST(root)
                           .map(tg::data::transforms::Normalize<>(0.1307, 0.3081))
                           .map(tg::data::transforms::Stack<>());
  const size_t n = train_dataset.size().value();
  CHECK(n == 150);
  auto train_loader = tg::data::make_data_loader<tg::data::samplers::SequentialSampler>(
      std::move(train_dataset), 64);
  std::vector<std::size_t> sizes;
  for (auto& batch : *train_loader) {
    CHECK(batch.data.size(0) == batch.target.size(0));
    sizes.push_back(batch.data.size(0));
  }
  CHECK(sizes == std::vector<std::size_t>{64, 64, 22});
  auto test_dataset = tg::data::datasets::MNIST(root, tg::data::datasets::MNIST::Mode::kTest)
                          .map(tg::data::transforms::Normalize<>(0.1307, 0.3081))
                          .map(tg::data::transforms::Stack<>());
  auto test_loader = tg::data::make_data_loader(std::move(test_dataset),
                                                tg::data::DataLoaderOptions().batch_size(1000));
  std::size_t seen = 0;
  for (const auto& batch : *test_loader) {
    CHECK(batch.data.shape() == Shape{30, 1, 28, 28});
    seen += batch.target.size(0);
  }
  CHECK(seen == 30);
}

TEST_CASE("SequentialSampler: indices in order; drop_last drops the short batch") {
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(
      Counting(7).map(data::transforms::Stack<>()), 3);
  CHECK(epoch(*loader) == std::vector<double>{0, 1, 2, 3, 4, 5, 6});
  CHECK(epoch(*loader) == std::vector<double>{0, 1, 2, 3, 4, 5, 6});  // every epoch restarts
  auto dropping = data::make_data_loader<data::samplers::SequentialSampler>(
      Counting(7).map(data::transforms::Stack<>()), data::DataLoaderOptions(3).drop_last(true));
  std::vector<std::size_t> sizes;
  for (auto& batch : *dropping) sizes.push_back(batch.data.size(0));
  CHECK(sizes == std::vector<std::size_t>{3, 3});
  CHECK(epoch(*dropping) == std::vector<double>{0, 1, 2, 3, 4, 5});

  data::samplers::SequentialSampler sampler(5);
  CHECK(sampler.next(2).value() == std::vector<std::size_t>{0, 1});
  CHECK(sampler.next(4).value() == std::vector<std::size_t>{2, 3, 4});
  CHECK_FALSE(sampler.next(1).has_value());
  sampler.reset(2);
  CHECK(sampler.next(9).value() == std::vector<std::size_t>{0, 1});
}

TEST_CASE("RandomSampler: every index once per epoch, a new order each epoch, from manual_seed") {
  auto loader = data::make_data_loader(Counting(100).map(data::transforms::Stack<>()), 16);
  std::vector<double> first = epoch(*loader), second = epoch(*loader), all(100);
  std::iota(all.begin(), all.end(), 0.0);
  CHECK(first != second);
  CHECK(first != all);
  std::sort(first.begin(), first.end());
  std::sort(second.begin(), second.end());
  CHECK(first == all);
  CHECK(second == all);
  auto draw = [] {
    manual_seed(5);
    data::samplers::RandomSampler sampler(10);
    return sampler.next(10).value();
  };
  CHECK(draw() == draw());
}

TEST_CASE("without Stack a batch is the vector of examples; Lambda maps each example") {
  auto doubled = Counting(5).map(data::transforms::Lambda<>([](Example<> e) {
    return Example<>{e.data * 2.0, e.target};
  }));
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(std::move(doubled), 2);
  std::vector<double> values;
  for (auto& batch : *loader)
    for (const Example<>& e : batch) values.push_back(to_vector(e.data)[0]);
  CHECK(values == std::vector<double>{0, 2, 4, 6, 8});
}

TEST_CASE("make_data_loader errors: batch size 0; DataLoader's ordering options; no size") {
  CHECK_THROWS_WITH_AS(data::make_data_loader(Counting(3), 0),
                       doctest::Contains("batch_size must be positive"), ValueError);
  CHECK_THROWS_WITH_AS(data::make_data_loader(Counting(3),
                                              data::DataLoaderOptions(2).shuffle(true)),
                       doctest::Contains("the sampler orders the samples"), ValueError);
  CHECK_THROWS_AS(data::make_data_loader(Counting(3), data::DataLoaderOptions(2).seed(1)),
                  ValueError);
  CHECK_THROWS_WITH_AS(data::make_data_loader(Unsized(), 2),
                       doctest::Contains("the dataset must have a size"), ValueError);
}

TEST_CASE("MNIST on the real Fashion-MNIST files (Debian's dataset-fashion-mnist), if installed") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir + "/train-images-idx3-ubyte.gz")) {
    MESSAGE("skipped: ", dir, " is not installed (apt-get install dataset-fashion-mnist)");
    return;
  }
  MNIST train(dir), test(dir, MNIST::Mode::kTest);
  CHECK(train.size().value() == 60000);
  CHECK(test.size().value() == 10000);
  CHECK(train.images().shape() == Shape{60000, 1, 28, 28});
  CHECK(test.images().shape() == Shape{10000, 1, 28, 28});
  CHECK(test.targets().shape() == Shape{10000});
  CHECK(train.targets().dtype() == kInt64);
  CHECK(train.targets().max().item<double>() == 9);
  CHECK(train.images().max().item<double>() <= 1.0);
  CHECK(train.get(0).target.item<std::int64_t>() == 9);  // the first training image: ankle boot
}
