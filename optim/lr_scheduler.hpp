#pragma once
// Learning-rate schedulers, as PyTorch (torch.optim.lr_scheduler). Each computes the next lr
// of every group from the group's current lr (PyTorch's chainable form), so schedulers stack:
// two schedulers on one optimizer multiply their effects. Construction performs PyTorch's
// initial step (epoch 0): it leaves the lr unchanged except LinearLR (lr *= start_factor).
// Call step() once per epoch, after optimizer.step().
#include <functional>
#include <vector>

#include <tapegrad/optim/optimizer.hpp>

namespace tg::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  void step();                                               // next epoch
  const std::vector<double>& get_last_lr() const { return last_lr_; }  // one per group
  long last_epoch() const { return last_epoch_; }

 protected:
  // rule(lr, base_lr, epoch): a group's lr for `epoch`, from its current lr and its lr at
  // construction. A scheduler's constructor checks its arguments, then calls step() (epoch 0).
  using Rule = std::function<double(double lr, double base_lr, long epoch)>;
  LRScheduler(Optimizer& optimizer, Rule rule);

 private:
  Optimizer& optimizer_;
  Rule rule_;
  std::vector<double> base_lrs_, last_lr_;
  long last_epoch_ = -1;
};

// lr *= gamma every step_size epochs.
struct StepLR : LRScheduler {
  StepLR(Optimizer& optimizer, long step_size, double gamma = 0.1);
};

// lr *= gamma^k at epoch e, where k is how often e appears in milestones.
struct MultiStepLR : LRScheduler {
  MultiStepLR(Optimizer& optimizer, std::vector<long> milestones, double gamma = 0.1);
};

// lr *= gamma every epoch.
struct ExponentialLR : StepLR {
  ExponentialLR(Optimizer& optimizer, double gamma) : StepLR(optimizer, 1, gamma) {}
};

// lr_e = eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2 (continuing as a
// cosine with period 2 T_max past T_max), computed recursively like PyTorch.
struct CosineAnnealingLR : LRScheduler {
  CosineAnnealingLR(Optimizer& optimizer, long T_max, double eta_min = 0);
};

// lr_e = base_lr * (start + (end - start) * min(e, total_iters) / total_iters).
struct LinearLR : LRScheduler {
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
           long total_iters = 5);
};

// Multiplies the lr by factor (not below min_lr) once the metric has not improved for more
// than `patience` epochs, then waits `cooldown` epochs. Improvement: metric < best * (1 -
// threshold) (mode min, rel), < best - threshold (min, abs), > best * (1 + threshold) (max,
// rel), > best + threshold (max, abs). A change smaller than eps is skipped.
class ReduceLROnPlateau {
 public:
  enum Mode { min, max };
  enum ThresholdMode { rel, abs };
  // min_lr: empty (0 for all groups), one value for all groups, or one per group.
  explicit ReduceLROnPlateau(Optimizer& optimizer, Mode mode = min, double factor = 0.1,
                             long patience = 10, double threshold = 1e-4,
                             ThresholdMode threshold_mode = rel, long cooldown = 0,
                             std::vector<double> min_lr = {}, double eps = 1e-8);
  void step(double metric);
  std::vector<double> get_last_lr() const;
  long last_epoch() const { return last_epoch_; }
  long num_bad_epochs() const { return num_bad_epochs_; }
  double best() const { return best_; }

 private:
  bool is_better(double metric) const;
  Optimizer& optimizer_;
  Mode mode_;
  ThresholdMode threshold_mode_;
  double factor_, threshold_, eps_, best_;
  long patience_, cooldown_, num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
  std::vector<double> min_lrs_;
};

}  // namespace tg::optim
