#pragma once
// Internal: what an op's .cpp needs — the array helpers and the tape.
#include <tapegrad/autograd/node.hpp>
#include <tapegrad/core/detail/impl.hpp>

namespace tg {
using Grads = std::vector<Tensor>;
using detail::make;
using detail::map;
using detail::str;
using detail::visit;
using detail::zip;
}  // namespace tg
