#include <tapegrad/optim/adamw.hpp>

#include <tapegrad/optim/detail/adam_rule.hpp>

namespace tg::optim {

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, options) {}
AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer("AdamW", defaults, {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {
  init(std::move(groups));
}

void AdamW::check(const OptimizerOptions& options) const {
  detail::check_adam(static_cast<const AdamWOptions&>(options), name_);
}

void AdamW::update() {
  for_each_param<AdamWOptions>(
      [](const AdamWOptions& o, auto& x) { detail::adam_update(o, x, detail::Decay::decoupled); });
}

}  // namespace tg::optim
