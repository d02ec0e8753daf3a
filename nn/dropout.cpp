#include <tapegrad/nn/dropout.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

Dropout::Dropout(double p, Generator* generator) : p(p), generator(generator) {
  if (!(p >= 0 && p <= 1))
    throw ValueError(str("Dropout: probability must be in [0, 1], got ", p));
}

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p, is_training(), generator); }

std::string Dropout::extra_repr() const { return str("p=", p); }

}  // namespace tg::nn
