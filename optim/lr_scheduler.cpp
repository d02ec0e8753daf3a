#include <tapegrad/optim/lr_scheduler.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include <tapegrad/core/detail/impl.hpp>

namespace tg::optim {

using tg::detail::str;

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (const ParamGroup& group : optimizer.param_groups())
    base_lrs_.push_back(group.options().get_lr());
}

void LRScheduler::step() {
  ++last_epoch_;
  last_lr_.clear();
  auto& groups = optimizer_.param_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    OptimizerOptions& options = groups[g].options();
    // A group added after the scheduler was built starts from its current lr.
    double base = g < base_lrs_.size() ? base_lrs_[g] : options.get_lr();
    options.set_lr(next_lr(options.get_lr(), base));
    last_lr_.push_back(options.get_lr());
  }
}

static void require_positive(long value, const char* scheduler, const char* what) {
  if (value <= 0) throw ValueError(str(scheduler, ": ", what, " must be > 0, got ", value));
}

StepLR::StepLR(Optimizer& optimizer, long step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  require_positive(step_size, "StepLR", "step_size");
  step();
}
double StepLR::next_lr(double lr, double) const {
  return last_epoch_ == 0 || last_epoch_ % step_size_ != 0 ? lr : lr * gamma_;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<long> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  step();
}
double MultiStepLR::next_lr(double lr, double) const {
  auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  return hits == 0 ? lr : lr * std::pow(gamma_, double(hits));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, long T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  require_positive(T_max, "CosineAnnealingLR", "T_max");
  step();
}
double CosineAnnealingLR::next_lr(double lr, double base_lr) const {
  const double pi = 3.14159265358979323846, t = double(last_epoch_), T = double(t_max_);
  if (last_epoch_ == 0) return lr;
  // Restarting from eta_min after the minimum: the ratio below would divide by zero there.
  if ((last_epoch_ - 1 - t_max_) % (2 * t_max_) == 0)
    return lr + (base_lr - eta_min_) * (1 - std::cos(pi / T)) / 2;
  return (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * (lr - eta_min_) +
         eta_min_;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   long total_iters)
    : LRScheduler(optimizer), start_(start_factor), end_(end_factor), total_iters_(total_iters) {
  if (!(start_factor > 0 && start_factor <= 1))
    throw ValueError(str("LinearLR: start_factor must be in (0, 1], got ", start_factor));
  if (!(end_factor >= 0 && end_factor <= 1))
    throw ValueError(str("LinearLR: end_factor must be in [0, 1], got ", end_factor));
  require_positive(total_iters, "LinearLR", "total_iters");
  step();
}
double LinearLR::next_lr(double lr, double) const {
  if (last_epoch_ == 0) return lr * start_;
  if (last_epoch_ > total_iters_) return lr;
  return lr * (1 + (end_ - start_) /
                       (total_iters_ * start_ + double(last_epoch_ - 1) * (end_ - start_)));
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, Mode mode, double factor,
                                     long patience, double threshold,
                                     ThresholdMode threshold_mode, long cooldown,
                                     std::vector<double> min_lr, double eps)
    : optimizer_(optimizer), mode_(mode), factor_(factor), patience_(patience),
      threshold_(threshold), threshold_mode_(threshold_mode), cooldown_(cooldown), eps_(eps),
      best_(mode == min ? std::numeric_limits<double>::infinity()
                        : -std::numeric_limits<double>::infinity()) {
  if (!(factor < 1.0))
    throw ValueError(str("ReduceLROnPlateau: factor must be < 1.0, got ", factor));
  std::size_t groups = optimizer.param_groups().size();
  if (min_lr.size() > 1 && min_lr.size() != groups)
    throw ValueError(str("ReduceLROnPlateau: expected ", groups, " min_lr values (one per "
                         "parameter group), got ", min_lr.size()));
  min_lrs_ = min_lr.size() == groups ? min_lr
                                     : std::vector<double>(groups, min_lr.empty() ? 0 : min_lr[0]);
}

bool ReduceLROnPlateau::is_better(double metric) const {
  if (mode_ == min)
    return threshold_mode_ == rel ? metric < best_ * (1 - threshold_) : metric < best_ - threshold_;
  return threshold_mode_ == rel ? metric > best_ * (1 + threshold_) : metric > best_ + threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {  // bad epochs during cooldown do not count
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > patience_) {
    auto& groups = optimizer_.param_groups();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      double old_lr = groups[g].options().get_lr();
      double new_lr = std::max(old_lr * factor_, g < min_lrs_.size() ? min_lrs_[g] : 0.0);
      if (old_lr - new_lr > eps_) groups[g].options().set_lr(new_lr);
    }
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

std::vector<double> ReduceLROnPlateau::get_last_lr() const {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.options().get_lr());
  return lrs;
}

}  // namespace tg::optim
