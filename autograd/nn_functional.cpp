// Neural-network ops. conv2d and the pools run array kernels (im2col + GEMM, window loops);
// their backward passes are again recorded linear primitives (adjoint pairs), so create_graph
// works through them. batch_norm and layer_norm are compositions of ops: no backward to write.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>
#include <tapegrad/core/detail/blas.hpp>
#include <tapegrad/core/detail/im2col.hpp>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xoperation.hpp>

#include <omp.h>

#include <algorithm>
#include <functional>
#include <cmath>

namespace tg {

using detail::ConvGeometry;
using Pair = Size2;

static std::string pair_str(Pair p) { return str(p[0], "x", p[1]); }

// The windows over the last two dims of x; checks that the dilated kernel fits the padded input.
static ConvGeometry geometry(const char* op, const Shape& xs, Pair kernel, Pair stride,
                             Pair padding, Pair dilation) {
  for (std::size_t i = 0; i < 2; ++i)
    if (kernel[i] == 0 || stride[i] == 0 || dilation[i] == 0)
      throw ValueError(str(op, ": kernel, stride and dilation must be positive, got kernel ",
                           pair_str(kernel), ", stride ", pair_str(stride), ", dilation ",
                           pair_str(dilation)));
  const std::size_t span_h = dilation[0] * (kernel[0] - 1) + 1,
                    span_w = dilation[1] * (kernel[1] - 1) + 1;
  ConvGeometry g{xs[xs.size() - 3], xs[xs.size() - 2], xs.back(), kernel[0], kernel[1],
                 stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], 0, 0};
  if (g.height + 2 * g.pad_h < span_h || g.width + 2 * g.pad_w < span_w)
    throw ShapeError(str(op, ": kernel ", pair_str(kernel), " with dilation ", pair_str(dilation),
                         " does not fit input ", to_string(xs), " with padding ",
                         pair_str(padding)));
  g.out_h = (g.height + 2 * g.pad_h - span_h) / g.stride_h + 1;
  g.out_w = (g.width + 2 * g.pad_w - span_w) / g.stride_w + 1;
  return g;
}

// ---------------------------------------------------------------- conv2d
// The three bilinear maps of a convolution, each recorded with the other two as its
// derivatives (K = C·kh·kw rows of columns, L = oh·ow output pixels per image):
//   conv_forward(x, w)       y[n]  = W[O,K] · cols(x[n])[K,L] (+ bias)
//   conv_input_grad(gy, w)   dx[n] = col2im(Wᵀ · gy[n])
//   conv_weight_grad(x, gy)  dW    = Σ_n gy[n] · cols(x[n])ᵀ
// With G groups, g.channels = C = C_in/G and each image is G images of C channels, each
// convolved with its own O = C_out/G rows of W ([G·O, K]): the loops run over N·G (image, group)
// pairs, pair i reading x and y at i·C·H·W and i·O·L, and W and dW at (i mod G)·O·K.
static Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                           const ConvGeometry& g, std::size_t groups);
static Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const ConvGeometry& g,
                              std::size_t groups);
static Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvGeometry& g,
                               std::size_t groups);

// The sizes of one (image, group) pair, and n pairs of o output channels each.
struct ConvSizes {
  std::size_t image, k, l, n, o;
  ConvSizes(const ConvGeometry& g, std::size_t batch, std::size_t out_channels, std::size_t groups)
      : image(g.channels * g.height * g.width), k(g.channels * g.kernel_h * g.kernel_w),
        l(g.out_h * g.out_w), n(batch * groups), o(out_channels / groups) {}
  // body(i, cols) for each pair i, split among the threads, each with its own [K, L] columns
  // buffer; nothing when the GEMMs are empty (BLAS rejects a leading dimension of 0).
  template <class T, class F> void each_pair(F&& body) const {
    if (k * o * l == 0) return;
#pragma omp parallel if (n > 1)
    {
      std::vector<T> cols(k * l);
#pragma omp for schedule(static)
      for (std::size_t i = 0; i < n; ++i) body(i, cols.data());
    }
  }
};

static Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b,
                           const ConvGeometry& g, std::size_t groups) {
  const ConvSizes s(g, x.size(0), w.size(0), groups);
  Tensor out = visit(x, [&](const auto& xa) {
    using T = typename std::decay_t<decltype(xa)>::value_type;
    auto y = detail::empty_array<T>({x.size(0), s.o * groups, g.out_h, g.out_w});
    for (std::size_t i = 0; i < s.n * s.o; ++i)
      std::fill_n(y.data() + i * s.l, s.l, b.defined() ? b.data<T>()[i % (s.o * groups)] : T(0));
    s.each_pair<T>([&](std::size_t i, T* cols) {
      detail::im2col(xa.data() + i * s.image, g, cols);
      blas::gemm(false, false, s.o, s.l, s.k, T(1), w.data<T>() + i % groups * s.o * s.k, s.k,
                 cols, s.l, T(1), y.data() + i * s.o * s.l, s.l);
    });
    return make(std::move(y));
  });
  return record_op("conv2d", out, {x, w, b}, [g, groups](const BackwardContext& c) {
    const Tensor &x = c.saved[0], &w = c.saved[1];
    return Grads{c.needs(0) ? conv_input_grad(c.grad, w, g, groups) : Tensor(),
                 c.needs(1) ? conv_weight_grad(x, c.grad, g, groups) : Tensor(),
                 c.needs(2) ? sum(c.grad, {0, 2, 3}) : Tensor()};
  }, {x, w});
}

static Tensor conv_input_grad(const Tensor& gy, const Tensor& w, const ConvGeometry& g,
                              std::size_t groups) {
  const ConvSizes s(g, gy.size(0), w.size(0), groups);
  Tensor out = visit(gy, [&](const auto& ga) {
    using T = typename std::decay_t<decltype(ga)>::value_type;
    xt::xarray<T> dx = xt::zeros<T>(Shape{gy.size(0), g.channels * groups, g.height, g.width});
    s.each_pair<T>([&](std::size_t i, T* cols) {
      blas::gemm(true, false, s.k, s.l, s.o, T(1), w.data<T>() + i % groups * s.o * s.k, s.k,
                 ga.data() + i * s.o * s.l, s.l, T(0), cols, s.l);
      detail::col2im(cols, g, dx.data() + i * s.image);
    });
    return make(std::move(dx));
  });
  return record_op("conv2d_input_grad", out, {gy, w}, [g, groups](const BackwardContext& c) {
    const Tensor &gy = c.saved[0], &w = c.saved[1];
    return Grads{c.needs(0) ? conv_forward(c.grad, w, Tensor(), g, groups) : Tensor(),
                 c.needs(1) ? conv_weight_grad(c.grad, gy, g, groups) : Tensor()};
  }, {gy, w});
}

static Tensor conv_weight_grad(const Tensor& x, const Tensor& gy, const ConvGeometry& g,
                               std::size_t groups) {
  const ConvSizes s(g, x.size(0), gy.size(1), groups);
  Tensor out = visit(x, [&](const auto& xa) {
    using T = typename std::decay_t<decltype(xa)>::value_type;
    xt::xarray<T> dw = xt::zeros<T>(Shape{gy.size(1), g.channels, g.kernel_h, g.kernel_w});
    // Each thread sums its images into its own partial dW; the partials are added in thread
    // order, so the result does not depend on timing.
    std::vector<std::vector<T>> parts(static_cast<std::size_t>(omp_get_max_threads()));
    s.each_pair<T>([&](std::size_t i, T* cols) {
      std::vector<T>& part = parts[std::size_t(omp_get_thread_num())];
      if (part.empty()) part.assign(dw.size(), T(0));
      detail::im2col(xa.data() + i * s.image, g, cols);
      blas::gemm(false, true, s.o, s.k, s.l, T(1), gy.data<T>() + i * s.o * s.l, s.l, cols, s.l,
                 T(1), part.data() + i % groups * s.o * s.k, s.k);
    });
    for (const std::vector<T>& part : parts)
      if (!part.empty()) std::transform(part.begin(), part.end(), dw.begin(), dw.begin(),
                                        std::plus<T>());
    return make(std::move(dw));
  });
  return record_op("conv2d_weight_grad", out, {x, gy}, [g, groups](const BackwardContext& c) {
    const Tensor &x = c.saved[0], &gy = c.saved[1];
    return Grads{c.needs(0) ? conv_input_grad(gy, c.grad, g, groups) : Tensor(),
                 c.needs(1) ? conv_forward(x, c.grad, Tensor(), g, groups) : Tensor()};
  }, {x, gy});
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, Pair stride, Pair padding,
              Pair dilation, std::size_t groups) {
  Shape xs = x.shape(), ws = w.shape();
  if (xs.size() == 3 && ws.size() == 4)  // an unbatched [C,H,W] image
    return squeeze(conv2d(unsqueeze(x, 0), w, b, stride, padding, dilation, groups), 0);
  if (xs.size() != 4 || ws.size() != 4)
    throw ShapeError(str("conv2d: expected input [N,C,H,W] and weight [O,C,kh,kw], got ",
                         to_string(xs), " and ", to_string(ws)));
  if (groups == 0 || ws[0] % groups != 0)
    throw ValueError(str("conv2d: groups ", groups, " must be positive and divide the ", ws[0],
                         " output channels of weight ", to_string(ws)));
  if (xs[1] != ws[1] * groups)
    throw ShapeError(str("conv2d: input ", to_string(xs), " has ", xs[1], " channels, weight ",
                         to_string(ws), " expects ", ws[1] * groups,
                         groups > 1 ? str(" (", groups, " groups of ", ws[1], ")") : ""));
  if (b.defined() && b.shape() != Shape{ws[0]})
    throw ShapeError(str("conv2d: bias of shape ", to_string(b.shape()), " for weight ",
                         to_string(ws), " (expected [", ws[0], "])"));
  if (x.dtype() != w.dtype() || (b.defined() && b.dtype() != w.dtype()))
    throw ValueError(str("conv2d: input (", to_string(x.dtype()), "), weight (",
                         to_string(w.dtype()), ") and bias must share a dtype"));
  ConvGeometry g = geometry("conv2d", xs, {ws[2], ws[3]}, stride, padding, dilation);
  g.channels = ws[1];  // per group
  return conv_forward(x, w, b, g, groups);
}

// ---------------------------------------------------------------- embedding
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<long> padding_idx) {
  if (weight.ndim() != 2)
    throw ShapeError(str("embedding: weight must be 2-D [num_embeddings, dim], got ",
                         to_string(weight.shape())));
  const std::size_t num = weight.size(0), dim = weight.size(1);
  const long padding = padding_idx.value_or(0) + (padding_idx.value_or(0) < 0 ? long(num) : 0);
  if (padding_idx && (padding < 0 || padding >= long(num)))
    throw ValueError(str("embedding: padding_idx ", *padding_idx, " is out of range for ", num,
                         " embeddings"));
  std::vector<std::size_t> rows;  // each lookup's row, as the offset of its first element
  for (double v : to_vector(indices)) {
    if (!(v >= 0 && v < double(num)))
      throw ValueError(str("embedding: index ", v, " is out of range for ", num, " embeddings"));
    if (v != std::floor(v)) throw ValueError(str("embedding: index ", v, " is not an integer"));
    rows.push_back(std::size_t(v) * dim);
  }
  Shape out_shape = indices.shape();
  out_shape.push_back(dim);
  Tensor out = detail::take_blocks("embedding", weight, std::move(rows), dim, out_shape);
  if (!padding_idx || !needs_grad({weight})) return out;
  // The lookups of row padding_idx give its value but pass no gradient back.
  return where(unsqueeze(indices != double(padding), -1), out, out.detach());
}

// ---------------------------------------------------------------- pooling
// Pools see x [N,C,H,W] (or [C,H,W]) as planes [P, H, W]; stride 0 means stride = kernel.
static ConvGeometry pool_geometry(const char* op, const Tensor& x, Pair kernel, Pair stride,
                                  Pair padding) {
  Shape xs = x.shape();
  if ((xs.size() != 3 && xs.size() != 4) || xs[xs.size() - 2] == 0 || xs.back() == 0)
    throw ShapeError(str(op, ": expected a [N,C,H,W] or [C,H,W] input with H, W > 0, got ",
                         to_string(xs)));
  for (std::size_t i = 0; i < 2; ++i) {
    if (stride[i] == 0) stride[i] = kernel[i];
    if (padding[i] > kernel[i] / 2)
      throw ValueError(str(op, ": padding ", pair_str(padding),
                           " should be at most half of kernel ", pair_str(kernel)));
  }
  return geometry(op, xs, kernel, stride, padding, {1, 1});
}
static Shape pooled_shape(Shape xs, const ConvGeometry& g) {
  xs[xs.size() - 2] = g.out_h;
  xs.back() = g.out_w;
  return xs;
}

// One kernel tap of a pool over a plane [H, W] -> [oh, ow]: output pixel (i, j), i in [i0, i1),
// j in [j0, j1), meets input pixel offset + i·row_step + j·stride; the other output pixels'
// windows have this tap in the padding.
struct Tap {
  std::size_t i0, i1, j0, j1;
  std::ptrdiff_t offset;
  std::size_t row_step, stride, out_w;
};
// Calls visit(tap) for every kernel tap in window order (im2col.hpp's walk_taps, one channel).
template <class Visit> static void for_each_tap(ConvGeometry g, Visit&& visit) {
  using I = std::ptrdiff_t;
  g.channels = 1;
  detail::walk_taps(g, [&](std::size_t, std::size_t, std::size_t p, I dx, std::size_t j0,
                           std::size_t j1) {
    const I sh = I(g.stride_h), y0 = I(p) - I(g.pad_h);  // output row i reads row i·sh + y0
    const I i0 = std::min(I(g.out_h), y0 >= 0 ? 0 : (-y0 + sh - 1) / sh);
    const I i1 = std::clamp((I(g.height) - y0 + sh - 1) / sh, i0, I(g.out_h));
    if (i0 < i1 && j0 < j1)
      visit(Tap{std::size_t(i0), std::size_t(i1), j0, j1, y0 * I(g.width) + dx,
                g.stride_h * g.width, g.stride_w, g.out_w});
  });
}

// One tap of max pooling: each output pixel takes the input pixel the tap meets if it is
// larger or NaN. Branch-free (on random data the comparison is a coin toss) and with unaliased
// pointers, so it vectorises.
template <class T>
[[gnu::noinline]] static void max_tap(const T* __restrict in, T* __restrict top,
                                      std::size_t* __restrict best, const Tap& t) {
  for (std::size_t i = t.i0; i < t.i1; ++i) {
    const std::ptrdiff_t offset = t.offset + std::ptrdiff_t(i * t.row_step);
    T* row_top = top + i * t.out_w;
    std::size_t* row_best = best + i * t.out_w;
    for (std::size_t j = t.j0; j < t.j1; ++j) {
      const std::size_t k = std::size_t(offset + std::ptrdiff_t(j * t.stride));
      const T v = in[k];
      const bool take = (row_best[j] == std::size_t(-1)) | (v > row_top[j]) | (v != v);
      row_top[j] = take ? v : row_top[j];
      row_best[j] = take ? k : row_best[j];
    }
  }
}

// The forward is a gather of the argmax pixels, the backward its scatter-add. The argmax is the
// first maximum of each window (taps run in window order), a NaN counting as the maximum (the
// last NaN, as in PyTorch).
Tensor max_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding) {
  const ConvGeometry g = pool_geometry("max_pool2d", x, kernel, stride, padding);
  const std::size_t plane = g.height * g.width, planes = x.numel() / plane,
                    outs = g.out_h * g.out_w;
  std::vector<std::size_t> rows(planes * outs, std::size_t(-1));
  visit(x, [&](const auto& xa) {
    using T = typename std::decay_t<decltype(xa)>::value_type;
    std::vector<T> top;
#pragma omp parallel for firstprivate(top) if (planes * plane >= detail::parallel_grain)
    for (std::size_t p = 0; p < planes; ++p) {
      top.resize(outs);
      std::size_t* best = rows.data() + p * outs;
      for_each_tap(g, [&](const Tap& t) { max_tap(xa.data() + p * plane, top.data(), best, t); });
      for (std::size_t o = 0; o < outs; ++o) best[o] += p * plane;
    }
  });
  return detail::take_blocks("max_pool2d", x, std::move(rows), 1, pooled_shape(x.shape(), g));
}

// Forward: the sum of each window / (kh·kw) ([P,H,W] -> [P,oh,ow]); adjoint: each value
// / (kh·kw) added to every pixel of its window ([P,oh,ow] -> [P,H,W]). Padding counts in the
// divisor (count_include_pad); each direction is recorded with the other as its derivative.
static Tensor avg_pool(const Tensor& t, const ConvGeometry& g, bool adjoint,
                       const Shape& out_shape) {
  const std::size_t plane = g.height * g.width, outs = g.out_h * g.out_w,
                    planes = t.numel() / (adjoint ? outs : plane), sw = g.stride_w;
  Tensor out = visit(t, [&](const auto& a) {
    using T = typename std::decay_t<decltype(a)>::value_type;
    const T divisor = T(g.kernel_h * g.kernel_w);
    xt::xarray<T> y = xt::zeros<T>(out_shape);
    for (std::size_t p = 0; p < planes; ++p) {
      const T* in = a.data() + p * (adjoint ? outs : plane);
      T* res = y.data() + p * (adjoint ? plane : outs);
      for_each_tap(g, [&](const Tap& t) {
        for (std::size_t i = t.i0; i < t.i1; ++i)
          for (std::size_t j = t.j0; j < t.j1; ++j) {
            const std::size_t k = std::size_t(t.offset + std::ptrdiff_t(i * t.row_step + j * sw));
            if (adjoint) res[k] += in[i * t.out_w + j] / divisor;
            else res[i * t.out_w + j] += in[k];
          }
      });
    }
    if (!adjoint) y /= divisor;
    return make(std::move(y));
  });
  Shape in_shape = t.shape();
  return record_op(adjoint ? "avg_pool2d_backward" : "avg_pool2d", out, {t},
                   [g, adjoint, in_shape](const BackwardContext& c) {
    return Grads{avg_pool(c.grad, g, !adjoint, in_shape)};
  });
}

Tensor avg_pool2d(const Tensor& x, Pair kernel, Pair stride, Pair padding) {
  const ConvGeometry g = pool_geometry("avg_pool2d", x, kernel, stride, padding);
  return avg_pool(x, g, false, pooled_shape(x.shape(), g));
}

// ---------------------------------------------------------------- dropout
Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  if (!(p >= 0 && p <= 1))
    throw ValueError(str("dropout: probability has to be between 0 and 1, got ", p));
  if (!training || p == 0) return x;
  // Keep with probability 1 - p, scaled by 1/(1 - p) so that E[mask] = 1 (p = 1: all zeros).
  const double scale = p < 1 ? 1 / (1 - p) : 0;
  Tensor mask = map(rand(x.shape(), x.dtype(), gen), [&](const auto& u) {
    using T = typename std::decay_t<decltype(u)>::value_type;
    return xt::cast<T>(u < T(1 - p)) * T(scale);
  });
  return x * mask;
}

// ---------------------------------------------------------------- normalisation
struct Moments {
  Tensor mean, centered, var;  // var is biased (divides by the count)
};
static Moments moments(const Tensor& x, const Axes& axes) {
  Tensor m = mean(x, axes, true), centered = x - m;
  return {m, centered, mean(centered * centered, axes, true)};
}

// running ← (1 - momentum)·running + momentum·stat, written into running's own array, which
// the caller (a module's buffer) shares.
static void blend(Tensor running, const Tensor& stat, double momentum) {
  NoGradGuard no_grad;
  running.copy_((1 - momentum) * running + momentum * reshape(stat, {-1}).to(running.dtype()));
}

Tensor batch_norm(const Tensor& x, Tensor running_mean, Tensor running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const Shape xs = x.shape();
  if (xs.size() < 2)
    throw ShapeError(str("batch_norm: expected an input [N,C] or [N,C,...], got ", to_string(xs)));
  const std::size_t channels = xs[1];
  for (const Tensor& t : {running_mean, running_var, weight, bias})
    if (t.defined() && t.shape() != Shape{channels})
      throw ShapeError(str("batch_norm: a parameter or running statistic of shape ",
                           to_string(t.shape()), " does not match the ", channels,
                           " channels of input ", to_string(xs)));
  std::vector<std::ptrdiff_t> per_channel(xs.size(), 1);  // [1, C, 1, ...]
  per_channel[1] = std::ptrdiff_t(channels);
  auto channelwise = [&](const Tensor& t) { return reshape(t, per_channel); };
  Axes axes{0};
  for (std::size_t i = 2; i < xs.size(); ++i) axes.push_back(std::ptrdiff_t(i));

  Tensor centered, var;
  if (training) {
    const std::size_t count = channels ? x.numel() / channels : 0;
    if (count <= 1)
      throw ValueError(str("batch_norm: expected more than 1 value per channel when training, "
                           "got input ", to_string(xs)));
    Moments m = moments(x, axes);
    centered = m.centered;
    var = m.var;
    if (running_mean.defined()) blend(running_mean, m.mean, momentum);
    if (running_var.defined())  // the running variance is the unbiased one
      blend(running_var, m.var * (double(count) / double(count - 1)), momentum);
  } else {
    if (!running_mean.defined() || !running_var.defined())
      throw ValueError("batch_norm: eval mode needs running_mean and running_var");
    centered = x - channelwise(running_mean);
    var = channelwise(running_var);
  }
  Tensor scale = pow(var + eps, -0.5);
  if (weight.defined()) scale = scale * channelwise(weight);
  Tensor y = centered * scale;
  return bias.defined() ? y + channelwise(bias) : y;
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const Shape xs = x.shape();
  const std::size_t k = normalized_shape.size();
  if (k == 0 || k > xs.size() ||
      !std::equal(normalized_shape.begin(), normalized_shape.end(), xs.end() - std::ptrdiff_t(k)))
    throw ShapeError(str("layer_norm: normalized_shape ", to_string(normalized_shape),
                         " does not match the trailing dimensions of input ", to_string(xs)));
  for (const Tensor& t : {weight, bias})
    if (t.defined() && t.shape() != normalized_shape)
      throw ShapeError(str("layer_norm: weight and bias must have shape ",
                           to_string(normalized_shape), ", got ", to_string(t.shape())));
  Axes axes;
  for (std::size_t i = xs.size() - k; i < xs.size(); ++i) axes.push_back(std::ptrdiff_t(i));
  Moments m = moments(x, axes);
  Tensor y = m.centered * pow(m.var + eps, -0.5);
  if (weight.defined()) y = y * weight;
  return bias.defined() ? y + bias : y;
}

}  // namespace tg
