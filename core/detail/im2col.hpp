#pragma once
// Internal: the array kernels of convolution. One image [channels, height, width] is unrolled
// into columns [channels·kernel_h·kernel_w, out_h·out_w] so that a convolution is one GEMM.
#include <algorithm>
#include <cstddef>

namespace tg::detail {

struct ConvGeometry {
  std::size_t channels, height, width;
  std::size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  std::size_t out_h, out_w;  // (in + 2·pad - dilation·(kernel - 1) - 1) / stride + 1
};

// Calls tap(row, c, p, dx, j0, j1) for each kernel tap (c, p, q) -- a row of the columns
// below -- in that order: output column j in [j0, j1) reads image column j·stride_w + dx, the
// rest falls into the padding. [j0, j1) is computed once per tap, so the callers' inner loops
// carry no bounds checks.
template <class Tap> void walk_taps(const ConvGeometry& g, Tap&& tap) {
  using I = std::ptrdiff_t;
  const I width = I(g.width), sw = I(g.stride_w);
  std::size_t row = 0;
  for (std::size_t c = 0; c < g.channels; ++c)
    for (std::size_t p = 0; p < g.kernel_h; ++p)
      for (std::size_t q = 0; q < g.kernel_w; ++q, ++row) {
        const I dx = I(q * g.dilation_w) - I(g.pad_w);
        const I j0 = std::min(I(g.out_w), dx >= 0 ? 0 : (-dx + sw - 1) / sw);
        const I last = width - dx <= 0 ? 0 : (width - dx + sw - 1) / sw;
        const I j1 = std::max(j0, std::min(I(g.out_w), last));
        tap(row, c, p, dx, std::size_t(j0), std::size_t(j1));
      }
}

// columns[(c, p, q), (i, j)] = image[c, i·stride_h + p·dilation_h - pad_h,
//                                       j·stride_w + q·dilation_w - pad_w], 0 in the padding.
template <class T> void im2col(const T* image, const ConvGeometry& g, T* columns);
// The adjoint of im2col: adds every column entry into the image pixel it was read from
// (overlapping windows accumulate; the caller zeroes the image first).
template <class T> void col2im(const T* columns, const ConvGeometry& g, T* image);

}  // namespace tg::detail
