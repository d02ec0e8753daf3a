#pragma once
// tg::Generator: a stream of pseudo-random numbers (std::mt19937_64), as torch.Generator.
// Every random function (rand, randn, randint, randperm, the nn::init ones, dropout, the
// DataLoader's shuffle) takes an optional Generator* last; nullptr draws from
// default_generator(), the one tg::manual_seed seeds. A generator is locked while it fills a
// tensor, so threads may share one safely; but only a generator of its own gives a thread a
// reproducible stream (threads sharing one interleave their draws in no fixed order). Layers
// initialise from the default generator when built; re-initialise them from a thread's own:
//   nn::init::default_layer_init_(linear.weight, linear.bias, &gen);
#include <cstdint>
#include <mutex>
#include <random>

namespace tg {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = std::mt19937_64::default_seed);
  Generator(const Generator&) = delete;  // one stream, one lock: share it by pointer
  Generator& operator=(const Generator&) = delete;

  Generator& manual_seed(std::uint64_t seed);  // restarts the stream
  std::uint64_t seed();                         // reseeds from std::random_device; returns it
  std::uint64_t initial_seed() const;           // the seed the stream started from

  // Runs draw(engine) under the lock: take it once per tensor fill, not once per element.
  template <class F> auto draw(F&& draw) {
    std::lock_guard<std::mutex> lock(mutex_);
    return draw(engine_);
  }

 private:
  mutable std::mutex mutex_;
  std::mt19937_64 engine_;
  std::uint64_t initial_seed_;
};

// The process-wide generator (PyTorch's at::detail::getDefaultCPUGenerator()).
Generator& default_generator();

}  // namespace tg
