#pragma once
// Neural-network ops (torch.nn.functional semantics). Images are [N, C, H, W], row-major.
#include <array>
#include <cstddef>
#include <optional>

#include <tapegrad/core/tensor.hpp>

namespace tg {

// A size per spatial dimension: one number for both, or {h, w} (libtorch's ExpandingArray<2>).
struct Size2 : std::array<std::size_t, 2> {
  Size2(std::size_t both) : std::array<std::size_t, 2>{both, both} {}
  Size2(std::size_t h, std::size_t w) : std::array<std::size_t, 2>{h, w} {}
  Size2(std::array<std::size_t, 2> hw) : std::array<std::size_t, 2>(hw) {}
};

// 2-D cross-correlation: out[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q] ·
//   x[n, c, i·stride_h + p·dilation_h - pad_h, j·stride_w + q·dilation_w - pad_w] (zero padding).
// x [N,C,H,W], w [O,C,kh,kw], b [O] or undefined. Computed as im2col + GEMM; the backward uses
// GEMMs and col2im. With groups G, w is [O, C/G, kh, kw]: the channels split into G groups and
// output group k (O/G channels) sees only input group k (depthwise: G = C).
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b = {},
              Size2 stride = {1, 1},
              Size2 padding = {0, 0},
              Size2 dilation = {1, 1},
              std::size_t groups = 1);

// Max over each window (padding counts as -inf); the gradient goes to the first maximum of the
// window. stride {0,0} means stride = kernel. Output size floor((H + 2p - k) / s) + 1.
Tensor max_pool2d(const Tensor& x, Size2 kernel,
                  Size2 stride = {0, 0},
                  Size2 padding = {0, 0});
// Mean over each window; padded zeros are counted (count_include_pad = true, ceil_mode = false).
Tensor avg_pool2d(const Tensor& x, Size2 kernel,
                  Size2 stride = {0, 0},
                  Size2 padding = {0, 0});

// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p), so
// the expectation is unchanged. Identity when !training or p == 0; all zeros when p == 1.
// The mask is drawn from gen (nullptr: the default generator, seeded by manual_seed).
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen = nullptr);

// y = (x - mean) / sqrt(var + eps) · weight + bias per channel (axis 1) of x [N,C] or [N,C,...].
// Training: batch mean and biased variance normalise x, and running_mean / running_var (if
// defined) are updated in place: r = (1 - momentum)·r + momentum·stat, with the UNBIASED batch
// variance for running_var (as PyTorch). Eval: the running statistics normalise x.
// weight and bias ([C]) may be undefined.
Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum = 0.1, double eps = 1e-5);

// Normalises over the trailing dims given by normalized_shape (biased variance), then applies
// the optional elementwise affine weight/bias of shape normalized_shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

// out[..., :] = weight[indices[...], :] for integral float indices; out shape is
// indices.shape + [dim]. The backward scatter-adds into the picked rows (repeats accumulate),
// except row padding_idx (negative: counted from the end), whose gradient stays zero.
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<long> padding_idx = std::nullopt);

}  // namespace tg
