// im2col / col2im. Per (channel, kernel row, kernel column) the in-bounds output columns
// [j0, j1) are computed once, so the inner loops carry no bounds checks.
#include <tapegrad/core/detail/im2col.hpp>

#include <algorithm>

namespace tg::detail {

// Calls segment(column_offset, inside, image_offset, j0, j1) for each output row of each column
// row: output column j in [j0, j1) reads image[image_offset + j·stride_w] (image_offset may be
// negative: only j >= j0 is in bounds); the rest is padding, and all of it when !inside.
template <class Segment> static void walk(const ConvGeometry& g, Segment&& segment) {
  using I = std::ptrdiff_t;
  const I height = I(g.height), width = I(g.width), sw = I(g.stride_w);
  std::size_t row = 0;
  for (std::size_t c = 0; c < g.channels; ++c)
    for (std::size_t p = 0; p < g.kernel_h; ++p)
      for (std::size_t q = 0; q < g.kernel_w; ++q, ++row) {
        const I dx = I(q * g.dilation_w) - I(g.pad_w);
        const I j0 = std::min(I(g.out_w), dx >= 0 ? 0 : (-dx + sw - 1) / sw);
        const I last = width - dx <= 0 ? 0 : (width - dx + sw - 1) / sw;
        const I j1 = std::max(j0, std::min(I(g.out_w), last));
        for (std::size_t i = 0; i < g.out_h; ++i) {
          const I y = I(i * g.stride_h + p * g.dilation_h) - I(g.pad_h);
          segment((row * g.out_h + i) * g.out_w, y >= 0 && y < height,
                  (I(c) * height + y) * width + dx, std::size_t(j0), std::size_t(j1));
        }
      }
}

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
