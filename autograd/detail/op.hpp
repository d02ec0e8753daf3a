#pragma once
// Internal: what an op's .cpp needs — the array helpers and the tape.
#include <tapegrad/autograd/node.hpp>
#include <tapegrad/core/detail/impl.hpp>

namespace tg {
namespace detail {
// Called with the output of every recorded op, in tape order (gradcheck's fault locator uses it
// to perturb intermediate results). Null almost always.
using ForwardProbe = std::function<void(Tensor&)>;
extern thread_local ForwardProbe* forward_probe;

// A tensor of shape s viewed as [outer, n, inner] around `axis`.
struct Layout {
  std::size_t outer = 1, n = 1, inner = 1;
  // f(first, line) for each of the outer·inner lines along the axis: the offset of its first
  // element (the next ones are `inner` apart) and its index.
  template <class F> void each_line(F&& f) const {
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) f(o * n * inner + i, o * inner + i);
  }
};
inline Layout layout(const Shape& s, std::size_t axis) {
  Layout l;
  for (std::size_t i = 0; i < s.size(); ++i)
    (i < axis ? l.outer : i == axis ? l.n : l.inner) *= s[i];
  return l;
}
// x summed down to `kept` (x's shape with the summed axes set to 1, leading axes possibly
// dropped), accumulated in double, as an unrecorded tensor of shape `out` (kept's size). The
// kernel of sum and sum_to.
Tensor sum_down(const Tensor& x, const Shape& kept, const Shape& out);
// The blocks of `len` elements of x at flat offsets `start` (checked by the caller), in order,
// as a tensor of shape `out`; its backward adds each block back where it came from (repeated
// blocks accumulate). The kernel of every selection op, embedding and max_pool2d.
Tensor take_blocks(const char* op, const Tensor& x, std::vector<std::size_t> start,
                   std::size_t len, const Shape& out);
}  // namespace detail
using detail::Layout, detail::make, detail::map, detail::str, detail::visit, detail::zip;

using Grads = std::vector<Tensor>;
// A shape as reshape() takes it.
inline std::vector<std::ptrdiff_t> dims(const Shape& s) { return {s.begin(), s.end()}; }
}  // namespace tg
