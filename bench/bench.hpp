#pragma once
// Shared benchmark helpers: interleaved timing with medians, peak memory, table printing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace bench {

struct Candidate {
  std::string name;
  std::function<void()> run;  // one call = one measured unit (an op, a step, ...)
};

// Median time per call in µs of each candidate. Each is first warmed up and calibrated to about
// `target_ms` per round; then `rounds` rounds run the candidates in turn (interleaved, so drift
// in the machine's load hits every candidate alike) and the per-round means are medianed.
inline std::vector<double> median_us(const std::vector<Candidate>& cands, int rounds = 15,
                                     double target_ms = 20) {
  using clock = std::chrono::steady_clock;
  auto elapsed_us = [](clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(clock::now() - t0).count();
  };
  std::vector<long> iters;
  for (const Candidate& c : cands) {
    long n = 0;
    auto t0 = clock::now();
    while (elapsed_us(t0) < target_ms * 1000 || n < 3) c.run(), ++n;
    iters.push_back(std::max(1L, n));
  }
  std::vector<std::vector<double>> times(cands.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < cands.size(); ++i) {
      auto t0 = clock::now();
      for (long k = 0; k < iters[i]; ++k) cands[i].run();
      times[i].push_back(elapsed_us(t0) / double(iters[i]));
    }
  std::vector<double> medians;
  for (auto& t : times) {
    std::nth_element(t.begin(), t.begin() + long(t.size() / 2), t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

// A field of /proc/self/status in kB (VmHWM = peak resident set, VmRSS = current).
inline long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

// "1.23" or "-" when a side is missing (NaN).
inline std::string fmt(double v, int decimals = 2) {
  if (v != v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}
inline constexpr double missing = __builtin_nan("");

}  // namespace bench
