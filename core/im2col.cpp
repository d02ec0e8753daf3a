// im2col / col2im, as segments of walk (core/detail/im2col.hpp).
#include <tapegrad/core/detail/im2col.hpp>

#include <algorithm>

namespace tg::detail {

template <class T> void im2col(const T* image, const ConvGeometry& g, T* columns) {
  const std::size_t sw = g.stride_w, ow = g.out_w;
  walk(g, [&](std::size_t col, bool inside, std::ptrdiff_t offset, std::size_t j0,
              std::size_t j1) {
    T* out = columns + col;
    if (!inside || j0 == j1) {
      std::fill(out, out + ow, T(0));
      return;
    }
    std::fill(out, out + j0, T(0));
    const T* in = image + (offset + std::ptrdiff_t(j0 * sw));
    if (sw == 1) std::copy(in, in + (j1 - j0), out + j0);  // the common case: one block copy
    else for (std::size_t j = j0; j < j1; ++j) out[j] = in[(j - j0) * sw];
    std::fill(out + j1, out + ow, T(0));
  });
}

template <class T> void col2im(const T* columns, const ConvGeometry& g, T* image) {
  const std::size_t sw = g.stride_w;
  walk(g, [&](std::size_t col, bool inside, std::ptrdiff_t offset, std::size_t j0,
              std::size_t j1) {
    if (!inside || j0 == j1) return;
    const T* in = columns + col + j0;
    T* out = image + (offset + std::ptrdiff_t(j0 * sw));
    if (sw == 1) for (std::size_t j = 0; j < j1 - j0; ++j) out[j] += in[j];  // vectorises
    else for (std::size_t j = 0; j < j1 - j0; ++j) out[j * sw] += in[j];
  });
}

template void im2col<float>(const float*, const ConvGeometry&, float*);
template void im2col<double>(const double*, const ConvGeometry&, double*);
template void col2im<float>(const float*, const ConvGeometry&, float*);
template void col2im<double>(const double*, const ConvGeometry&, double*);

}  // namespace tg::detail
