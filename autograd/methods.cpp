// libtorch's Tensor methods, each a one-line forward to the free function that implements it,
// and the in-place methods, which all write through one function.
#include <tapegrad/autograd/arithmetic.hpp>
#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/elementwise.hpp>
#include <tapegrad/autograd/linalg.hpp>
#include <tapegrad/autograd/reduction.hpp>
#include <tapegrad/autograd/shape.hpp>

namespace tg {

using Dims = std::vector<std::ptrdiff_t>;

Tensor Tensor::sum() const { return tg::sum(*this); }
Tensor Tensor::sum(std::ptrdiff_t dim, bool keepdim) const { return tg::sum(*this, {dim}, keepdim); }
Tensor Tensor::sum(const Dims& dims, bool keepdim) const { return tg::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return tg::mean(*this); }
Tensor Tensor::mean(std::ptrdiff_t dim, bool keepdim) const { return tg::mean(*this, {dim}, keepdim); }
Tensor Tensor::mean(const Dims& dims, bool keepdim) const { return tg::mean(*this, dims, keepdim); }
Tensor Tensor::prod() const { return tg::prod(*this); }
Tensor Tensor::prod(std::ptrdiff_t dim, bool keepdim) const { return tg::prod(*this, dim, keepdim); }
Tensor Tensor::max() const { return tg::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(std::ptrdiff_t dim, bool keepdim) const {
  return {tg::max(*this, dim, keepdim), tg::argmax(*this, dim, keepdim)};
}
Tensor Tensor::min() const { return tg::min(*this); }
std::tuple<Tensor, Tensor> Tensor::min(std::ptrdiff_t dim, bool keepdim) const {
  return {tg::min(*this, dim, keepdim), tg::argmin(*this, dim, keepdim)};
}
Tensor Tensor::argmax() const { return tg::argmax(*this); }
Tensor Tensor::argmax(std::ptrdiff_t dim, bool keepdim) const { return tg::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin() const { return tg::argmin(*this); }
Tensor Tensor::argmin(std::ptrdiff_t dim, bool keepdim) const { return tg::argmin(*this, dim, keepdim); }
Tensor Tensor::all() const { return ne(0).sum() == numel(); }
Tensor Tensor::any() const { return ne(0).sum() > 0; }
Tensor Tensor::norm(double p) const { return tg::norm(*this, p); }
Tensor Tensor::norm(double p, const Dims& dims, bool keepdim) const {
  return tg::norm(*this, p, dims, keepdim);
}
Tensor Tensor::var() const { return tg::var(*this); }
Tensor Tensor::var(const Dims& dims, bool unbiased, bool keepdim) const {
  return tg::var(*this, dims, unbiased, keepdim);  // correction 1 or 0
}
Tensor Tensor::std() const { return tg::std(*this); }
Tensor Tensor::std(const Dims& dims, bool unbiased, bool keepdim) const {
  return tg::std(*this, dims, unbiased, keepdim);
}
Tensor Tensor::logsumexp(const Dims& dims, bool keepdim) const {
  return tg::logsumexp(*this, dims, keepdim);
}

Tensor Tensor::reshape(const Dims& shape) const { return tg::reshape(*this, shape); }
Tensor Tensor::view(const Dims& shape) const { return tg::view(*this, shape); }
Tensor Tensor::flatten(std::ptrdiff_t start, std::ptrdiff_t end) const {
  return tg::flatten(*this, start, end);
}
Tensor Tensor::squeeze() const { return tg::squeeze(*this); }
Tensor Tensor::squeeze(std::ptrdiff_t dim) const { return tg::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::ptrdiff_t dim) const { return tg::unsqueeze(*this, dim); }
Tensor Tensor::transpose(std::ptrdiff_t d0, std::ptrdiff_t d1) const {
  return tg::transpose(*this, d0, d1);
}
Tensor Tensor::permute(const Dims& dims) const { return tg::permute(*this, dims); }
Tensor Tensor::t() const { return tg::t(*this); }
Tensor Tensor::expand(const Dims& sizes) const {
  Shape shape(sizes.begin(), sizes.end());
  const std::size_t lead = sizes.size() - std::min(sizes.size(), ndim());
  for (std::size_t i = lead; i < sizes.size(); ++i)  // -1: this tensor's own size there
    if (sizes[i] == -1) shape[i] = size(std::ptrdiff_t(i - lead));
  return tg::expand(*this, shape);
}
Tensor Tensor::index_select(std::ptrdiff_t dim, const Tensor& index) const {
  return tg::index_select(*this, dim, index);
}
Tensor Tensor::gather(std::ptrdiff_t dim, const Tensor& index) const {
  return tg::gather(*this, dim, index);
}
Tensor Tensor::narrow(std::ptrdiff_t dim, std::ptrdiff_t start, std::size_t length) const {
  return tg::narrow(*this, dim, start, length);
}
Tensor Tensor::slice(std::ptrdiff_t dim, std::ptrdiff_t start, std::ptrdiff_t end,
                     std::ptrdiff_t step) const {
  return tg::slice(*this, dim, start, end, step);
}
Tensor Tensor::select(std::ptrdiff_t dim, std::ptrdiff_t index) const {
  return narrow(dim, index, 1).squeeze(dim);
}
Tensor Tensor::operator[](std::ptrdiff_t index) const { return select(0, index); }
std::vector<Tensor> Tensor::chunk(std::size_t chunks, std::ptrdiff_t dim) const {
  return tg::chunk(*this, chunks, dim);
}
std::vector<Tensor> Tensor::split(std::size_t split_size, std::ptrdiff_t dim) const {
  return tg::split(*this, split_size, dim);
}
Tensor Tensor::matmul(const Tensor& other) const { return tg::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return tg::mm(*this, other); }

Tensor Tensor::pow(double exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::exp() const { return tg::exp(*this); }
Tensor Tensor::log() const { return tg::log(*this); }
Tensor Tensor::sqrt() const { return tg::sqrt(*this); }
Tensor Tensor::abs() const { return tg::abs(*this); }
Tensor Tensor::neg() const { return tg::neg(*this); }
Tensor Tensor::tanh() const { return tg::tanh(*this); }
Tensor Tensor::sigmoid() const { return tg::sigmoid(*this); }
Tensor Tensor::relu() const { return tg::relu(*this); }
Tensor Tensor::softmax(std::ptrdiff_t dim) const { return tg::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::ptrdiff_t dim) const { return tg::log_softmax(*this, dim); }
Tensor Tensor::clamp(std::optional<double> min, std::optional<double> max) const {
  return tg::clamp(*this, min, max);
}

#define TG_COMPARISON(name, op)                                                     \
  Tensor Tensor::name(const Tensor& other) const { return tg::name(*this, other); } \
  Tensor Tensor::name(Scalar other) const { return *this op other; }
TG_COMPARISON(eq, ==)
TG_COMPARISON(ne, !=)
TG_COMPARISON(lt, <)
TG_COMPARISON(le, <=)
TG_COMPARISON(gt, >)
TG_COMPARISON(ge, >=)
#undef TG_COMPARISON
Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  return tg::masked_fill(*this, mask, value);
}
Tensor Tensor::triu(std::ptrdiff_t diagonal) const { return tg::triu(*this, diagonal); }
Tensor Tensor::tril(std::ptrdiff_t diagonal) const { return tg::tril(*this, diagonal); }

// Every in-place method: values computed by f with grad mode off, broadcast to this tensor's
// shape and dtype, then written into its storage through mutable_array, which bumps the version.
template <class F> static Tensor& write(Tensor& self, const char* op, F&& f) {
  if (is_grad_enabled() && self.requires_grad())
    throw AutogradError(str(
        op, ": a ", self.is_leaf() ? "leaf tensor that requires grad" : "result of a recorded op",
        " (shape ", to_string(self.shape()), ") cannot be written in place while grad mode is "
        "on; write it inside a tg::NoGradGuard block (as optimizers do), or use the out-of-place "
        "form"));
  NoGradGuard no_grad;
  const Tensor values = f();
  const Shape shape = self.shape();
  if (detail::broadcast_shapes(values.shape(), shape, op) != shape)
    throw ShapeError(str(op, ": a tensor of shape ", to_string(values.shape()),
                         " cannot be written into one of shape ", to_string(shape)));
  const Tensor v = broadcast_to(values, shape).to(self.dtype());
  detail::mutable_array(self) = detail::array(v);
  return self;
}

Tensor& Tensor::zero_() { return fill_(0); }
Tensor& Tensor::fill_(double value) {
  return write(*this, "fill_", [&] { return full_like(*this, value); });
}
Tensor& Tensor::copy_(const Tensor& src) { return write(*this, "copy_", [&] { return src; }); }
Tensor& Tensor::add_(const Tensor& other, double alpha) {
  return write(*this, "add_", [&] { return *this + other * alpha; });
}
Tensor& Tensor::add_(Scalar other) { return write(*this, "add_", [&] { return *this + other; }); }
Tensor& Tensor::sub_(const Tensor& other, double alpha) {
  return write(*this, "sub_", [&] { return *this - other * alpha; });
}
Tensor& Tensor::sub_(Scalar other) { return write(*this, "sub_", [&] { return *this - other; }); }
Tensor& Tensor::mul_(const Tensor& other) {
  return write(*this, "mul_", [&] { return *this * other; });
}
Tensor& Tensor::mul_(Scalar other) { return write(*this, "mul_", [&] { return *this * other; }); }
Tensor& Tensor::div_(const Tensor& other) {
  return write(*this, "div_", [&] { return *this / other; });
}
Tensor& Tensor::div_(Scalar other) { return write(*this, "div_", [&] { return *this / other; }); }
Tensor& Tensor::clamp_(std::optional<double> min, std::optional<double> max) {
  return write(*this, "clamp_", [&] { return tg::clamp(*this, min, max); });
}
Tensor& Tensor::normal_(double mean, double std, Generator* gen) {
  return write(*this, "normal_", [&] { return randn(shape(), dtype(), gen) * std + mean; });
}
Tensor& Tensor::uniform_(double from, double to, Generator* gen) {
  return write(*this, "uniform_", [&] { return rand(shape(), dtype(), gen) * (to - from) + from; });
}

}  // namespace tg
