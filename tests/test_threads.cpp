// Several trainings on std::threads at once (run under ThreadSanitizer in CI): each thread's
// own Generator makes its run reproducible, and threads sharing the default generator neither
// race nor lose draws. Tensors stay far below the 32k elements at which tapegrad's kernels
// enter OpenMP (libgomp is not instrumented for TSan).
#include "check.hpp"

#include <algorithm>
#include <map>
#include <thread>

namespace {
constexpr int threads = 4;

// A 4-16-1 tanh MLP, initialised from gen, fitted to data drawn from gen with Adam (and a
// shuffling DataLoader and dropout from gen too); returns the last loss.
double train(std::uint64_t seed) {
  Generator gen(seed);
  nn::Sequential model(nn::Linear(4, 16), nn::Tanh(), nn::Dropout(0.1, &gen), nn::Linear(16, 1));
  for (std::size_t i : {0, 3}) {
    auto& layer = model->at<nn::LinearImpl>(i);
    nn::init::default_layer_init_(layer.weight, layer.bias, &gen);
  }
  Tensor x = randn({64, 4}, Dtype::float32, &gen);
  Tensor y = sin(matmul(x, reshape(tensor({1.0, -2.0, 0.5, 0.3}), {4, 1})));
  data::DataLoader loader(data::TensorDataset(x, y),
                          data::DataLoaderOptions(16).shuffle(true).generator(&gen));
  optim::Adam opt(model->parameters(), optim::AdamOptions(3e-2));
  double last = 0;
  for (int epoch = 0; epoch < 25; ++epoch)
    for (auto& [xb, yb] : loader) {
      opt.zero_grad();
      Tensor loss = losses::mse_loss(model(xb), yb);
      loss.backward();
      opt.step();
      last = loss.item();
    }
  return last;
}
}  // namespace

TEST_CASE("threads training with their own generators match the same runs one by one") {
  set_num_threads(1);
  std::vector<double> alone, together(threads);
  for (int i = 0; i < threads; ++i) alone.push_back(train(std::uint64_t(i)));
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&together, i] { together[i] = train(std::uint64_t(i)); });
  for (auto& t : pool) t.join();
  CHECK(together == alone);  // bitwise
  CHECK(alone[0] != alone[1]);
  for (double loss : alone) CHECK(loss < 0.3);  // from about 0.5: each run learns
}

TEST_CASE("threads drawing from the default generator take whole, disjoint tensors of its stream") {
  set_num_threads(1);
  constexpr std::size_t tensors = 50, size = 64;  // a float64 draw is one raw draw of the engine
  manual_seed(123);
  std::vector<std::vector<Values>> drawn(threads);
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&drawn, i] {
      for (std::size_t k = 0; k < tensors; ++k)
        drawn[i].push_back(to_vector(rand({size}, Dtype::float64)));
      nn::Linear layer(8, 8);  // layers' default init draws alongside, as in the report
    });
  for (auto& t : pool) t.join();
  const double next = rand({1}, Dtype::float64).item();

  // Replayed in one thread, the stream holds every drawn tensor as one contiguous block, and
  // the draw after the threads' comes next: none was lost or taken twice.
  constexpr std::size_t total = threads * (tensors * size + 8 * 8 + 8);
  manual_seed(123);
  const Values stream = to_vector(rand({total + 1}, Dtype::float64));
  CHECK(stream.back() == next);
  std::map<double, std::size_t> position;
  for (std::size_t k = 0; k < stream.size(); ++k) position[stream[k]] = k;
  std::vector<bool> used(stream.size());
  std::size_t whole = 0;  // tensors found as a contiguous, not yet used block of the stream
  for (const auto& per_thread : drawn)
    for (const Values& v : per_thread) {
      auto it = position.find(v[0]);
      if (it == position.end() || it->second + size > stream.size()) continue;
      const std::size_t first = it->second;
      bool ok = true;
      for (std::size_t k = 0; k < size; ++k)
        ok = ok && stream[first + k] == v[k] && !used[first + k];
      if (!ok) continue;
      std::fill(used.begin() + long(first), used.begin() + long(first + size), true);
      ++whole;
    }
  CHECK(whole == threads * tensors);
}
