// Elementwise functions: the forward maps the array, the backward multiplies the incoming
// gradient by the local derivative, written with Tensor ops so it can be differentiated again.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>

#include <xtensor/xmath.hpp>

namespace tg {

Tensor exp(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::exp(a); });
  return record_op("exp", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad * c.out};
  }, {}, SaveOutput::yes);
}

Tensor log(const Tensor& x) {
  Tensor out = map(x, [](const auto& a) { return xt::log(a); });
  return record_op("log", out, {x}, [](const BackwardContext& c) {
    return Grads{c.grad / c.saved[0]};
  }, {x});
}

}  // namespace tg
