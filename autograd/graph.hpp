#pragma once
// Seeing backprop: the recorded graph as Graphviz DOT, tape statistics, anomaly detection.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/autograd/node.hpp>

namespace tg::autograd {

// The recorded ops that produced `root`, in tape (creation) order; backward runs them reversed.
std::vector<std::shared_ptr<Node>> tape(const Tensor& root);

struct DotOptions {
  bool values = false;     // leaf value summaries (norm, min, max)
  bool gradients = false;  // leaf .grad() summaries (norm, min, max)
  DotOptions& with_values(bool on = true) { values = on; return *this; }
  DotOptions& with_gradients(bool on = true) { gradients = on; return *this; }
};
// The graph that produced `root`: op nodes (boxes, named, in tape order), leaf tensors (ellipses;
// parameters — named leaves — filled), edges labelled with the shapes flowing along them.
// Render with `dot -Tsvg graph.dot -o graph.svg`.
std::string to_dot(const Tensor& root, const DotOptions& options = {});

struct TapeStats {
  std::size_t nodes = 0;        // recorded ops reachable from the root
  std::size_t saved_bytes = 0;  // bytes of arrays the graph keeps alive for backward
};
TapeStats tape_stats(const Tensor& root);

// While a guard lives (per thread), every recorded op checks its output and every backward
// step checks the gradients it produces; a NaN or Inf raises tg::AutogradError naming the op,
// its place on the tape and the shapes of its inputs.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};
bool is_anomaly_enabled();

}  // namespace tg::autograd
