#include <tapegrad/optim/lr_scheduler.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include <tapegrad/core/detail/impl.hpp>

namespace tg::optim {

using tg::detail::str;

LRScheduler::LRScheduler(Optimizer& optimizer, Rule rule)
    : optimizer_(optimizer), rule_(std::move(rule)) {
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
    options.set_lr(rule_(options.get_lr(), base, last_epoch_));
    last_lr_.push_back(options.get_lr());
  }
}

static void require_positive(long value, const char* scheduler, const char* what) {
  if (value <= 0) throw ValueError(str(scheduler, ": ", what, " must be > 0, got ", value));
}

StepLR::StepLR(Optimizer& optimizer, long step_size, double gamma)
    : LRScheduler(optimizer, [=](double lr, double, long epoch) {
        return epoch == 0 || epoch % step_size != 0 ? lr : lr * gamma;
      }) {
  require_positive(step_size, "StepLR", "step_size");
  step();
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<long> milestones, double gamma)
    : LRScheduler(optimizer, [=](double lr, double, long epoch) {
        auto hits = std::count(milestones.begin(), milestones.end(), epoch);
        return hits == 0 ? lr : lr * std::pow(gamma, double(hits));
      }) {
  step();
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, long T_max, double eta_min)
    : LRScheduler(optimizer, [=](double lr, double base_lr, long epoch) {
        const double pi = 3.14159265358979323846, t = double(epoch), T = double(T_max);
        if (epoch == 0) return lr;
        // Restarting from eta_min after the minimum: the ratio below would divide by zero there.
        if ((epoch - 1 - T_max) % (2 * T_max) == 0)
          return lr + (base_lr - eta_min) * (1 - std::cos(pi / T)) / 2;
        return (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * (lr - eta_min) +
               eta_min;
      }) {
  require_positive(T_max, "CosineAnnealingLR", "T_max");
  step();
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   long total_iters)
    : LRScheduler(optimizer, [=](double lr, double, long epoch) {
        const double start = start_factor, end = end_factor;
        if (epoch == 0) return lr * start;
        if (epoch > total_iters) return lr;
        return lr * (1 + (end - start) / (total_iters * start + double(epoch - 1) * (end - start)));
      }) {
  if (!(start_factor > 0 && start_factor <= 1))
    throw ValueError(str("LinearLR: start_factor must be in (0, 1], got ", start_factor));
  if (!(end_factor >= 0 && end_factor <= 1))
    throw ValueError(str("LinearLR: end_factor must be in [0, 1], got ", end_factor));
  require_positive(total_iters, "LinearLR", "total_iters");
  step();
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, Mode mode, double factor,
                                     long patience, double threshold,
                                     ThresholdMode threshold_mode, long cooldown,
                                     std::vector<double> min_lr, double eps)
    : optimizer_(optimizer), mode_(mode), threshold_mode_(threshold_mode), factor_(factor),
      threshold_(threshold), eps_(eps),
      best_(mode == min ? std::numeric_limits<double>::infinity()
                        : -std::numeric_limits<double>::infinity()),
      patience_(patience), cooldown_(cooldown) {
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
