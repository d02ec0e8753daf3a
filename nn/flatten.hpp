#pragma once
// Flatten: merges dims start_dim..end_dim into one (tg::flatten); by default all but the batch.
#include <cstddef>

#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(std::ptrdiff_t start_dim = 1, std::ptrdiff_t end_dim = -1)
      : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override { return flatten(x, start_dim, end_dim); }
  std::string extra_repr() const override;

  std::ptrdiff_t start_dim, end_dim;
};
TG_MODULE(Flatten);

}  // namespace tg::nn
