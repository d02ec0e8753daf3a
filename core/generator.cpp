#include <tapegrad/core/generator.hpp>

namespace tg {

Generator::Generator(std::uint64_t seed) : engine_(seed), initial_seed_(seed) {}

Generator& Generator::manual_seed(std::uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  engine_.seed(seed);
  initial_seed_ = seed;
  return *this;
}

std::uint64_t Generator::seed() {
  std::random_device device;
  const std::uint64_t seed = std::uint64_t(device()) << 32 | device();
  manual_seed(seed);
  return seed;
}

std::uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return initial_seed_;
}

Generator& default_generator() {
  static Generator generator;  // constructed once, thread-safely (C++11 magic static)
  return generator;
}

}  // namespace tg
