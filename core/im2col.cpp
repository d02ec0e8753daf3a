// im2col / col2im, as segments of walk over the taps of walk_taps (core/detail/im2col.hpp).
#include <tapegrad/core/detail/im2col.hpp>

#include <algorithm>

namespace tg::detail {

// Calls segment(column_offset, inside, image_offset, j0, j1) for each output row i of each tap:
// output column j in [j0, j1) reads image[image_offset + j·stride_w] (image_offset may be
// negative: only j >= j0 is in bounds); the rest is padding, and all of it when !inside.
template <class Segment> static void walk(const ConvGeometry& g, Segment&& segment) {
  using I = std::ptrdiff_t;
  walk_taps(g, [&](std::size_t row, std::size_t c, std::size_t p, I dx, std::size_t j0,
                   std::size_t j1) {
    for (std::size_t i = 0; i < g.out_h; ++i) {
      const I y = I(i * g.stride_h + p * g.dilation_h) - I(g.pad_h);
      segment((row * g.out_h + i) * g.out_w, y >= 0 && y < I(g.height),
              (I(c) * I(g.height) + y) * I(g.width) + dx, j0, j1);
    }
  });
}

template <class T> void im2col(const T* image, const ConvGeometry& g, T* columns) {
  const std::size_t sw = g.stride_w, ow = g.out_w, l = g.out_h * ow;
  if (g.stride_h == 1 && sw == 1 && ow == g.width) {
    // A "same" convolution (stride 1, output as wide as the input): the in-bounds rows of a
    // tap are one block of the image shifted by base, copied at once; then what fell into the
    // padding (rows outside the image, columns outside [j0, j1)) is zeroed.
    using I = std::ptrdiff_t;
    walk_taps(g, [&](std::size_t row, std::size_t c, std::size_t p, I dx, std::size_t j0,
                     std::size_t j1) {
      T* out = columns + row * l;
      const I shift = I(p * g.dilation_h) - I(g.pad_h);  // output row i reads image row i + shift
      const I i0 = std::clamp<I>(-shift, 0, I(g.out_h)),
              i1 = std::clamp<I>(I(g.height) - shift, i0, I(g.out_h));
      if (i0 == i1 || j0 == j1) {
        std::fill(out, out + l, T(0));
        return;
      }
      const I base = (I(c * g.height) + shift) * I(ow) + dx;  // out[e] = image[e + base]
      const std::size_t first = std::size_t(i0) * ow + j0, last = std::size_t(i1 - 1) * ow + j1;
      std::fill(out, out + first, T(0));
      std::copy(image + (I(first) + base), image + (I(last) + base), out + first);
      std::fill(out + last, out + l, T(0));
      for (std::size_t i = std::size_t(i0); i < std::size_t(i1); ++i) {
        std::fill(out + i * ow, out + i * ow + j0, T(0));
        std::fill(out + i * ow + j1, out + (i + 1) * ow, T(0));
      }
    });
    return;
  }
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
