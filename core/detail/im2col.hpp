#pragma once
// Internal: the array kernels of convolution. One image [channels, height, width] is unrolled
// into columns [channels·kernel_h·kernel_w, out_h·out_w] so that a convolution is one GEMM.
#include <cstddef>

namespace tg::detail {

struct ConvGeometry {
  std::size_t channels, height, width;
  std::size_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  std::size_t out_h, out_w;  // (in + 2·pad - dilation·(kernel - 1) - 1) / stride + 1
};

// columns[(c, p, q), (i, j)] = image[c, i·stride_h + p·dilation_h - pad_h,
//                                       j·stride_w + q·dilation_w - pad_w], 0 in the padding.
template <class T> void im2col(const T* image, const ConvGeometry& g, T* columns);
// The adjoint of im2col: adds every column entry into the image pixel it was read from
// (overlapping windows accumulate; the caller zeroes the image first).
template <class T> void col2im(const T* columns, const ConvGeometry& g, T* image);

}  // namespace tg::detail
