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
}  // namespace detail

using Grads = std::vector<Tensor>;
using detail::make;
using detail::map;
using detail::str;
using detail::visit;
using detail::zip;
}  // namespace tg
