// Random numbers: tg::Generator streams, the default generator (manual_seed), and every random
// function taking an explicit generator (factories, nn::init, dropout, DataLoader).
#include "check.hpp"

#include <algorithm>

using namespace tg::data;

namespace {
// One of each random factory from gen, flattened.
Values draws(Generator* gen) {
  Values v = to_vector(rand({3, 4}, Dtype::float32, gen));
  for (double d : to_vector(randn({5}, f64, gen))) v.push_back(d);
  for (double d : to_vector(randint(-3, 9, {7}, f64, gen))) v.push_back(d);
  for (double d : to_vector(rand_like(zeros({2}), gen))) v.push_back(d);
  for (double d : to_vector(randn_like(zeros({2}, f64), gen))) v.push_back(d);
  for (std::size_t i : randperm(10, gen)) v.push_back(double(i));
  v.push_back(double(random_u64(gen)));
  return v;
}
}  // namespace

TEST_CASE("Generators with the same seed give the same tensors; other seeds others") {
  Generator a(42), b(42), c(43);
  const Values va = draws(&a);
  CHECK(va == draws(&b));
  CHECK(va != draws(&c));
  CHECK(va != draws(&a));  // the stream goes on
  a.manual_seed(42);       // and restarts
  CHECK(va == draws(&a));
  CHECK(a.initial_seed() == 42);
  CHECK(Generator().initial_seed() == std::mt19937_64::default_seed);

  // seed() picks a fresh seed and restarts the stream from it.
  const std::uint64_t s = c.seed();
  CHECK(c.initial_seed() == s);
  Generator d(s);
  CHECK(draws(&c) == draws(&d));
}

TEST_CASE("the default generator is the one manual_seed seeds; an explicit one leaves it alone") {
  manual_seed(7);
  const Values expected = draws(nullptr);
  Generator g(7);
  CHECK(draws(&g) == expected);  // manual_seed(7) and Generator(7): the same stream
  CHECK(default_generator().initial_seed() == 7);

  manual_seed(7);
  const Values first = to_vector(rand({3, 4})), second = to_vector(rand({5}));
  manual_seed(7);
  CHECK(to_vector(rand({3, 4})) == first);
  Tensor w = zeros({2, 3});  // between the two: draws from g only
  draws(&g);
  nn::init::kaiming_uniform_(w, 0, "fan_in", "leaky_relu", &g);
  dropout(w, 0.5, true, &g);
  data::TensorDataset ds(arange(0, 4), arange(0, 4));
  for (auto& batch : DataLoader(ds, DataLoaderOptions(2).shuffle(true).generator(&g))) (void)batch;
  CHECK(to_vector(rand({5})) == second);
}

TEST_CASE("nn::init functions with a generator are reproducible") {
  using namespace nn::init;
  auto all = [](std::uint64_t seed) {
    Generator g(seed);
    Tensor w = zeros({4, 6}), b = zeros({4});
    Values v;
    for (auto init : std::vector<std::function<void()>>{
             [&] { uniform_(w, -2, 3, &g); }, [&] { normal_(w, 1, 2, &g); },
             [&] { kaiming_uniform_(w, 0, "fan_out", "relu", &g); },
             [&] { kaiming_normal_(w, 0.1, "fan_in", "leaky_relu", &g); },
             [&] { xavier_uniform_(w, 2, &g); }, [&] { xavier_normal_(w, 0.5, &g); },
             [&] { default_layer_init_(w, b, &g); }}) {
      init();
      for (const Tensor& t : {w, b}) for (double d : to_vector(t)) v.push_back(d);
    }
    return v;
  };
  CHECK(all(3) == all(3));
  CHECK(all(3) != all(4));
  // uniform_ from g is rand from a generator seeded alike, scaled.
  Generator g(9), h(9);
  Tensor w = zeros({2, 5});
  nn::init::uniform_(w, -1, 1, &g);
  check_close(w, to_vector(rand({2, 5}, Dtype::float32, &h) * 2.0 - 1.0), 1e-7);
}

TEST_CASE("dropout and nn::Dropout with a generator are reproducible") {
  Tensor x = ones({8, 16});
  Generator a(5), b(5);
  const Values first = to_vector(dropout(x, 0.5, true, &a));
  CHECK(first == to_vector(dropout(x, 0.5, true, &b)));
  CHECK(first != to_vector(dropout(x, 0.5, true, &a)));
  nn::Dropout module(0.5, &b);
  b.manual_seed(5);
  CHECK(to_vector(module(x)) == first);
  CHECK(std::count(first.begin(), first.end(), 0.0) > 0);
}

TEST_CASE("DataLoader with a generator: each epoch is randperm from it") {
  TensorDataset ds(arange(0, 20), arange(0, 20));
  auto epoch = [](DataLoader& loader) {
    Values order;
    for (auto& batch : loader) for (double d : to_vector(batch.y)) order.push_back(d);
    return order;
  };
  Generator g(11), h(11);
  DataLoader loader(ds, DataLoaderOptions(6).shuffle(true).generator(&g));
  for (int e = 0; e < 2; ++e) {
    Values expected;
    for (std::size_t i : randperm(20, &h)) expected.push_back(double(i));
    CHECK(epoch(loader) == expected);
  }
  // seed(s) gives the loader its own generator seeded s: the same permutations.
  h.manual_seed(11);
  DataLoader seeded(ds, DataLoaderOptions(6).shuffle(true).seed(11));
  Values expected;
  for (std::size_t i : randperm(20, &h)) expected.push_back(double(i));
  CHECK(epoch(seeded) == expected);
  CHECK_THROWS_WITH_AS(DataLoader(ds, DataLoaderOptions(6).seed(1).generator(&g)),
                       doctest::Contains("not both"), ValueError);
}
