#pragma once
// Learning-rate schedulers, as PyTorch (torch.optim.lr_scheduler). Each computes the next lr
// of every group from the group's current lr (PyTorch's chainable form), so schedulers stack:
// two schedulers on one optimizer multiply their effects. Construction performs PyTorch's
// initial step (epoch 0): it leaves the lr unchanged except LinearLR (lr *= start_factor).
// Call step() once per epoch, after optimizer.step().
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
  explicit LRScheduler(Optimizer& optimizer);
  // The group's lr for epoch last_epoch_, from its current lr and its lr at construction.
  virtual double next_lr(double lr, double base_lr) const = 0;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  long last_epoch_ = -1;

 private:
  std::vector<double> last_lr_;
};

// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, long step_size, double gamma = 0.1);

 private:
  double next_lr(double lr, double base_lr) const override;
  long step_size_;
  double gamma_;
};

// lr *= gamma^k at epoch e, where k is how often e appears in milestones.
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<long> milestones, double gamma = 0.1);

 private:
  double next_lr(double lr, double base_lr) const override;
  std::vector<long> milestones_;
  double gamma_;
};

// lr *= gamma every epoch.
class ExponentialLR : public StepLR {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma) : StepLR(optimizer, 1, gamma) {}
};

// lr_e = eta_min + (base_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2 (continuing as a
// cosine with period 2 T_max past T_max), computed recursively like PyTorch.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, long T_max, double eta_min = 0);

 private:
  double next_lr(double lr, double base_lr) const override;
  long t_max_;
  double eta_min_;
};

// lr_e = base_lr * (start + (end - start) * min(e, total_iters) / total_iters).
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
           long total_iters = 5);

 private:
  double next_lr(double lr, double base_lr) const override;
  double start_, end_;
  long total_iters_;
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
  double factor_;
  long patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  long cooldown_;
  std::vector<double> min_lrs_;
  double eps_;
  double best_;
  long num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
};

}  // namespace tg::optim
