#include <tapegrad/core/detail/impl.hpp>
#include <tapegrad/core/generator.hpp>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xio.hpp>

#include <cmath>
#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace tg {

#ifdef __GLIBC__
// A training step frees its tensors and allocates the same sizes again in the next step. By
// default glibc hands large blocks back to the kernel (mmap, heap trimming) and gets them back
// zero-filled page by page, which costs a small CNN a quarter of its step. Keep freed memory in
// the heap for reuse instead, unless the user tunes malloc through the environment.
static const bool malloc_tuned = [] {
  for (const char* v : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"})
    if (std::getenv(v)) return false;
  return mallopt(M_MMAP_THRESHOLD, 64 << 20) && mallopt(M_TRIM_THRESHOLD, 256 << 20);
}();
#endif

using detail::make, detail::str;

Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
Tensor::Tensor(const xt::xarray<float>& value) : Tensor(make(value)) {}
Tensor::Tensor(const xt::xarray<double>& value) : Tensor(make(value)) {}
Tensor::Tensor(xt::xarray<float>&& value) : Tensor(make(std::move(value))) {}
Tensor::Tensor(xt::xarray<double>&& value) : Tensor(make(std::move(value))) {}

static const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  if (!impl) throw ValueError("tensor: use of an undefined tensor");
  return *impl;
}

Shape Tensor::shape() const {
  return detail::visit_all(*this, [](const auto& a) { return detail::to_shape(a.shape()); });
}
std::size_t Tensor::size(std::ptrdiff_t axis) const {
  return shape()[detail::norm_axis(axis, ndim(), "size")];
}
std::size_t Tensor::ndim() const {
  return detail::visit_all(*this, [](const auto& a) { return a.dimension(); });
}
std::size_t Tensor::numel() const {
  return detail::visit_all(*this, [](const auto& a) { return a.size(); });
}
Dtype Tensor::dtype() const {
  return static_cast<Dtype>(checked(impl_).data->array.index());
}
std::uint64_t Tensor::_version() const { return checked(impl_).data->version; }
double Tensor::item() const { return item<double>(); }
template <class T> T Tensor::item() const {
  if (numel() != 1)
    throw ValueError(str("item: tensor of shape ", to_string(shape()), " has ", numel(),
                         " elements, expected exactly one"));
  return detail::visit_all(*this, [](const auto& a) { return static_cast<T>(*a.data()); });
}
template float Tensor::item<float>() const;
template double Tensor::item<double>() const;
template int Tensor::item<int>() const;
template long Tensor::item<long>() const;
template long long Tensor::item<long long>() const;
template unsigned long Tensor::item<unsigned long>() const;
template bool Tensor::item<bool>() const;

template <class T> const xt::xarray<T>& Tensor::value() const {
  const auto* a = std::get_if<xt::xarray<T>>(&detail::array(*this));
  if (!a)
    throw ValueError(str("value: tensor is ", to_string(dtype()), ", asked for ",
                         to_string(detail::dtype_of<T>)));
  return *a;
}
template <class T> xt::xarray<T>& Tensor::mutable_value() {
  value<T>();  // checks the dtype before the write is counted
  return std::get<xt::xarray<T>>(detail::mutable_array(*this));
}
template <class T> const T* Tensor::data() const { return value<T>().data(); }
template <class T> T* Tensor::data_ptr() { return mutable_value<T>().data(); }

#define TG_INSTANTIATE(T)                                 \
  template const xt::xarray<T>& Tensor::value<T>() const; \
  template xt::xarray<T>& Tensor::mutable_value<T>();     \
  template const T* Tensor::data<T>() const;              \
  template T* Tensor::data_ptr<T>();
TG_INSTANTIATE(float)
TG_INSTANTIATE(double)
TG_INSTANTIATE(std::int64_t)
TG_INSTANTIATE(bool)
#undef TG_INSTANTIATE

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }
bool Tensor::is_leaf() const { return !checked(impl_).grad_fn; }
Tensor Tensor::grad() const { return checked(impl_).grad; }
void Tensor::set_grad(const Tensor& grad) const {
  checked(impl_);
  if (grad.defined() && grad.shape() != shape())
    throw ShapeError(str("set_grad: gradient of shape ", to_string(grad.shape()),
                         " for a tensor of shape ", to_string(shape())));
  impl_->grad = grad;
}
void Tensor::zero_grad() const { checked(impl_), impl_->grad = Tensor(); }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }
const std::string& Tensor::name() const { return checked(impl_).name; }
Tensor& Tensor::set_name(std::string name) {
  checked(impl_), impl_->name = std::move(name);
  return *this;
}
Tensor& Tensor::set_requires_grad(bool requires) {
  checked(impl_);
  if (impl_->grad_fn)
    throw AutogradError(
        "set_requires_grad: only leaf tensors can change requires_grad; use detach() to get a "
        "leaf from the result of an op");
  if (requires && !is_floating_point())
    throw AutogradError(str("set_requires_grad: only floating-point tensors can require "
                            "gradients; this one is ", to_string(dtype()),
                            " (convert with .to(tg::kFloat32))"));
  impl_->requires_grad = requires;
  return *this;
}

void check_device(const Device& device, const char* op) {
  if (!device.is_cpu())
    throw ValueError(str(op, ": tapegrad computes on the CPU only (tg::cuda::is_available() is "
                         "false); use tg::kCPU"));
}

const char* to_string(Dtype dtype) {
  static const char* const names[] = {"float32", "float64", "int64", "bool"};
  return names[static_cast<int>(dtype)];
}
std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}
std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << to_string(shape); }
std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  detail::visit_all(t, [&](const auto& a) { os << "tensor(" << a; });
  os << ", shape=" << to_string(t.shape()) << ", dtype=" << to_string(t.dtype());
  if (t.grad_fn()) os << ", grad_fn=" << t.grad_fn()->name();
  else if (t.requires_grad()) os << ", requires_grad=true";
  return os << ")";
}

namespace detail {
std::size_t norm_axis(std::ptrdiff_t axis, std::size_t ndim, const char* op) {
  const auto n = static_cast<std::ptrdiff_t>(ndim);
  if (axis < -std::max<std::ptrdiff_t>(n, 1) || axis >= std::max<std::ptrdiff_t>(n, 1))
    throw ShapeError(str(op, ": axis ", axis, " is out of range for a tensor with ", ndim,
                         " dimension", ndim == 1 ? "" : "s"));
  return static_cast<std::size_t>(axis < 0 ? axis + n : axis);
}
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  Shape out(std::max(a.size(), b.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::size_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    std::size_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ShapeError(str(op, ": shapes ", to_string(a), " and ", to_string(b),
                           " cannot be broadcast together"));
    out[i] = da == 1 ? db : da;
  }
  checked_numel(out, op);
  return out;
}
std::size_t checked_numel(const Shape& shape, std::string_view op) {
  std::size_t bytes = 8, numel = 1;
  for (std::size_t d : shape) {
    if (d != 0 && (__builtin_mul_overflow(bytes, d, &bytes) || bytes > std::size_t(PTRDIFF_MAX)))
      throw ShapeError(str(op, ": shape ", to_string(shape),
                           " is too large (more than 2^63 bytes as float64)"));
    numel *= d;
  }
  return numel;
}
void allocation_failed(std::string_view op, const Shape& shape, Dtype dtype, std::size_t item) {
  const std::size_t bytes = checked_numel(shape, op) * item;
  throw MemoryError(str(op, ": cannot allocate ", bytes, " bytes (", double(bytes) / (1 << 30),
                        " GiB) for a tensor of shape ", to_string(shape), " and dtype ",
                        to_string(dtype)));
}
}  // namespace detail

// --- creation
// A tensor of `shape` and options' dtype filled with successive fill() values (doubles,
// converted), requiring grad if the options say so.
template <class F>
static Tensor build(const Shape& shape, const TensorOptions& options, F fill,
                    const char* op = "tensor") {
  check_device(options.device(), op);
  auto filled = [&](auto zero) {
    auto a = detail::empty_array<decltype(zero)>(shape, op);
    for (auto& v : a) v = static_cast<decltype(zero)>(fill());
    Tensor t = make(std::move(a));
    return options.requires_grad() ? t.set_requires_grad() : t;
  };
  const Dtype dtype = options.dtype();
  if (dtype == Dtype::float32) return filled(0.0f);
  if (dtype == Dtype::float64) return filled(0.0);
  return dtype == Dtype::int64 ? filled(std::int64_t(0)) : filled(false);
}

Tensor scalar(double value, const TensorOptions& options) { return full({}, value, options); }
Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                   const TensorOptions& options) {
  if (detail::checked_numel(shape, "from_vector") != values.size())
    throw ShapeError(str("from_vector: ", values.size(), " values do not fill shape ",
                         to_string(shape)));
  std::size_t i = 0;
  return build(shape, options, [&] { return values[i++]; }, "from_vector");
}
std::vector<double> to_vector(const Tensor& t) {
  return detail::visit_all(t, [](const auto& a) { return std::vector<double>(a.begin(), a.end()); });
}
TensorData::TensorData(std::initializer_list<TensorData> rows) : shape_{rows.size()} {
  for (const TensorData& row : rows) {
    if (&row == rows.begin()) shape_.insert(shape_.end(), row.shape_.begin(), row.shape_.end());
    else if (row.shape_ != rows.begin()->shape_)
      throw ShapeError("tensor: nested initializer lists have ragged rows");
    values_.insert(values_.end(), row.values_.begin(), row.values_.end());
  }
}
Tensor tensor(const TensorData& data, const TensorOptions& options) {
  return from_vector(data.values(), data.shape(), options);
}

Tensor zeros(const Shape& shape, const TensorOptions& options) {
  return build(shape, options, [] { return 0.0; }, "zeros");
}
Tensor ones(const Shape& shape, const TensorOptions& options) {
  return build(shape, options, [] { return 1.0; }, "ones");
}
Tensor full(const Shape& shape, double value, const TensorOptions& options) {
  return build(shape, options, [=] { return value; }, "full");
}
Tensor empty(const Shape& shape, const TensorOptions& options) { return zeros(shape, options); }
Tensor arange(Scalar end, const TensorOptions& options) { return arange(0, end, 1, options); }
Tensor arange(Scalar start, Scalar end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}
Tensor arange(Scalar start, Scalar end, Scalar step, const TensorOptions& options) {
  if (start.integral && end.integral && step.integral && !options.has_dtype())
    return arange(start, end, step, TensorOptions(options).dtype(Dtype::int64));
  const double from = start.value, stop = end.value, by = step.value;
  if (by == 0 || !std::isfinite(from) || !std::isfinite(stop) || !std::isfinite(by))
    throw ValueError(str("arange: bad range start=", from, " end=", stop, " step=", by));
  const double count = std::max(0.0, std::ceil((stop - from) / by));
  if (count >= 0x1p63)  // the cast below would be undefined
    throw ShapeError(str("arange: ", count, " elements from start=", from, " end=", stop,
                         " step=", by, " are too many"));
  std::size_t i = 0, n = static_cast<std::size_t>(count);
  return build({n}, options, [&] { return from + by * double(i++); }, "arange");
}
Tensor linspace(double start, double stop, std::size_t steps, const TensorOptions& options) {
  std::size_t i = 0;
  double step = steps > 1 ? (stop - start) / double(steps - 1) : 0;
  return build({steps}, options, [&] { return start + step * double(i++); }, "linspace");
}
Tensor eye(std::size_t n, const TensorOptions& options) {
  std::size_t i = 0;
  return build(
      {n, n}, options, [&] { std::size_t k = i++; return k / n == k % n ? 1.0 : 0.0; }, "eye");
}
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor full_like(const Tensor& t, double value) { return full(t.shape(), value, t.dtype()); }

static Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }
// A tensor of draws from dist, the generator locked once for the whole fill.
template <class Distribution>
static Tensor draw(const Shape& shape, const TensorOptions& options, Generator* gen,
                   Distribution dist) {
  return pick(gen).draw([&](std::mt19937_64& engine) {
    return build(shape, options, [&] { return double(dist(engine)); });
  });
}
void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }
std::uint64_t random_u64(Generator* gen) {
  return pick(gen).draw([](std::mt19937_64& engine) { return engine(); });
}
Tensor rand(const Shape& shape, const TensorOptions& options, Generator* gen) {
  return draw(shape, options, gen, std::uniform_real_distribution<double>(0.0, 1.0));
}
Tensor randn(const Shape& shape, const TensorOptions& options, Generator* gen) {
  return draw(shape, options, gen, std::normal_distribution<double>(0.0, 1.0));
}
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape,
               const TensorOptions& options, Generator* gen) {
  if (high <= low) throw ValueError(str("randint: empty range [", low, ", ", high, ")"));
  return draw(shape, options, gen, std::uniform_int_distribution<std::int64_t>(low, high - 1));
}
Tensor rand_like(const Tensor& t, Generator* gen) { return rand(t.shape(), t.dtype(), gen); }
Tensor randn_like(const Tensor& t, Generator* gen) { return randn(t.shape(), t.dtype(), gen); }
std::vector<std::size_t> randperm(std::size_t n, Generator* gen) {  // Fisher-Yates
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  pick(gen).draw([&](std::mt19937_64& engine) {
    for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[engine() % i]);
  });
  return p;
}

}  // namespace tg
