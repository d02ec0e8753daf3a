#pragma once
// What the two sides of the training-step race share, with neither library in it: race.cpp
// (the driver, the tapegrad side and the BLAS floor) and race_libtorch.cpp (the libtorch side,
// built without tapegrad, so that its process runs as libtorch ships: none of tapegrad's
// load-time tuning such as its mallopt thresholds).
#include "bench.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace race {

using Step = std::function<void()>;

// The rows, in table order.
inline const std::vector<std::string> models = {"mlp_fmnist", "mlp_bn",    "mlp_tiny",
                                                "linreg",     "cnn_fmnist", "lstm_char",
                                                "gru_char",   "attn_tiny"};

// Real data: the first 64 batches of Fashion-MNIST's training set in file order (both sides
// load the same uncompressed IDX files, scaled /255), preloaded and cycled.
constexpr int fmnist_batches = 64;
inline bool uses_fmnist(const std::string& model) {
  return model == "mlp_fmnist" || model == "mlp_bn" || model == "cnn_fmnist";
}
inline int fmnist_batch_size(const std::string& model) { return model == "cnn_fmnist" ? 64 : 128; }

// The sequence rows: tokens of a 65-symbol alphabet. lstm_char / gru_char read 32 sequences of
// 32 tokens and predict the next token at every position; attn_tiny classifies 16 sequences
// of 32 tokens into 10 classes.
constexpr int vocab = 65, seq_len = 32, char_batch = 32, attn_batch = 16, attn_classes = 10;

// Fixed random inputs, the same on both sides (each library's own generator would differ):
// n draws, uniform in [lo, hi), or integers in [0, high) (as doubles, for either tensor API).
inline std::vector<double> uniform(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> draw(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = draw(gen);
  return v;
}
inline std::vector<double> integers(std::size_t n, int high, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<double> v(n);
  for (double& x : v) x = double(gen() % unsigned(high));
  return v;
}

// "--key value" pairs over the defaults; an unknown key is an error (empty map).
inline std::map<std::string, std::string> parse_args(int argc, char** argv,
                                                     std::map<std::string, std::string> args) {
  for (int i = 1; i < argc; i += 2) {
    if (!args.count(argv[i]) || i + 1 == argc) return {};
    args[argv[i]] = argv[i + 1];
  }
  return args;
}

// The OpenBLAS this process has really mapped (every file of /proc/self/maps with "blas" in its
// name) and the kernel core it runs (openblas_get_corename, looked up at run time: the libtorch
// side does not link OpenBLAS itself, libtorch does).
inline std::string blas_in_use() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> files;
  for (std::string line; std::getline(maps, line);) {
    std::size_t slash = line.find('/');
    if (slash != std::string::npos && line.find("blas", line.rfind('/')) != std::string::npos)
      files.insert(line.substr(slash));
  }
  std::string s;
  for (const std::string& f : files) s += (s.empty() ? "" : " + ") + f;
  using Corename = char* (*)();
  if (auto corename = reinterpret_cast<Corename>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
    s += std::string(" (core ") + corename() + ")";
  return s.empty() ? "none" : s;
}

// One side in this process: prints the BLAS it maps; then (unless model is "none") builds the
// step (not timed), starts the peak count afresh — what loading the data took and freed is
// not the step's: free heap memory goes back to the kernel and VmHWM is reset to the current
// resident set — and times the step. The driver reads the BLAS and RESULT lines.
inline int run_side(const std::string& side, const std::string& model, int rounds,
                    const std::function<Step()>& make_step) {
  std::printf("BLAS %s\n", blas_in_use().c_str());
  if (model == "none") return 0;
  Step step;
  try {
    step = make_step();
  } catch (const std::exception& e) {
    std::string what = e.what();  // libtorch's errors go on with a backtrace: first line only
    std::fprintf(stderr, "race: %s side, %s: %s\n", side.c_str(), model.c_str(),
                 what.substr(0, what.find('\n')).c_str());
    return 2;
  }
  if (!step) {
    std::fprintf(stderr, "race: no %s side for %s in this binary\n", side.c_str(), model.c_str());
    return 2;
  }
  malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  double ms = bench::median_us({{side, step}}, rounds, 30)[0] / 1000;
  std::printf("RESULT %.6f %ld\n", ms, bench::status_kb("VmHWM"));
  return 0;
}

}  // namespace race
