#pragma once
// tg::Tensor: a cheap shared handle to a contiguous row-major array (float32 or float64) plus its
// autograd state (requires_grad, grad, and the grad_fn node that produced it).
#include <xtensor/xstorage.hpp>  // xarray needs uvector/svector complete
#include <xtensor/xtensor_forward.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/core/error.hpp>

namespace tg {

// float32 (the default) and float64 carry gradients; int64 (indices, class targets, counts) and
// boolean (comparison results, masks) never do. As in PyTorch, + - * neg abs, comparisons and
// maximum/minimum of integers (and bools, taken as 0/1) stay int64 (bool op bool stays bool);
// other math, and true division `/`, promote them to float32 (float64 if the other operand is).
enum class Dtype { float32, float64, int64, boolean };
constexpr Dtype kFloat32 = Dtype::float32, kFloat = Dtype::float32, kFloat64 = Dtype::float64,
                kDouble = Dtype::float64, kInt64 = Dtype::int64, kLong = Dtype::int64,
                kBool = Dtype::boolean;
constexpr bool is_floating_point(Dtype d) { return d == Dtype::float32 || d == Dtype::float64; }
using Shape = std::vector<std::size_t>;
// A Shape whose namespace is tg, so `std::cout << t.sizes()` finds the printer without
// `using namespace tg` (libtorch's IntArrayRef prints the same way).
struct Sizes : Shape {
  explicit Sizes(Shape shape) : Shape(std::move(shape)) {}
};

// Devices, for code written for libtorch: tapegrad computes on the CPU, so moving to the CPU
// is a no-op and asking for CUDA is a tg::ValueError (cuda::is_available() is false).
enum class DeviceType { CPU, CUDA };
constexpr DeviceType kCPU = DeviceType::CPU, kCUDA = DeviceType::CUDA;
struct Device {
  Device(DeviceType type = kCPU, int index = -1) : type_(type), index_(index) {}
  DeviceType type() const { return type_; }
  int index() const { return index_; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }

 private:
  DeviceType type_;
  int index_;
};
namespace cuda {
inline bool is_available() { return false; }
inline int device_count() { return 0; }
}  // namespace cuda
void check_device(const Device& device, const char* op);  // throws for anything but the CPU

// A number operand (libtorch's Scalar): remembers whether it was written as an integer, which
// decides the dtype with an integer tensor (int64 + 2 is int64, int64 + 2.0 is float32) and
// keeps int64 values exact.
struct Scalar {
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v) : value(double(v)), integer(std::is_integral_v<T> ? std::int64_t(v) : 0),
                integral(std::is_integral_v<T>) {}
  double value;
  std::int64_t integer;  // the value, when integral
  bool integral;
};

struct TensorImpl;
class Node;
class Generator;
class Tensor;
using Hook = std::function<Tensor(const Tensor&)>;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (like torch::Tensor())
  explicit Tensor(const xt::xarray<float>& value);
  explicit Tensor(const xt::xarray<double>& value);
  explicit Tensor(xt::xarray<float>&& value);
  explicit Tensor(xt::xarray<double>&& value);
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  bool defined() const { return impl_ != nullptr; }
  Shape shape() const;
  std::size_t size(std::ptrdiff_t axis) const;  // negative axes count from the end
  std::size_t ndim() const;
  std::size_t numel() const;
  Dtype dtype() const;
  double item() const;  // the value of a one-element tensor

  // T must match dtype(): float, double, std::int64_t or bool.
  template <class T> const xt::xarray<T>& value() const;
  // For an in-place write: bumps the version counter that the storage shares with every
  // detach()ed handle. Backward through an op that saved this tensor before the write throws.
  template <class T> xt::xarray<T>& mutable_value();
  std::uint64_t _version() const;  // in-place writes so far (PyTorch's _version())
  template <class T> const T* data() const;

  // --- autograd state
  bool requires_grad() const;
  Tensor& set_requires_grad(bool requires = true);  // leaves only
  bool is_leaf() const;
  Tensor grad() const;  // undefined until a backward reaches this tensor
  void set_grad(const Tensor& grad) const;
  void zero_grad() const;  // drops the gradient (set to none)
  const std::shared_ptr<Node>& grad_fn() const;
  void retain_grad() const;  // keep .grad() of a non-leaf
  bool retains_grad() const;
  // fn sees the gradient flowing into this tensor; returning a defined tensor replaces it.
  void register_hook(Hook fn) const;
  // Backpropagate from this tensor. With no grad_output the tensor must have one element.
  // retain_graph defaults to create_graph, as in PyTorch.
  void backward(const Tensor& grad_output = Tensor(),
                std::optional<bool> retain_graph = std::nullopt, bool create_graph = false) const;
  Tensor detach() const;  // same values, no history; copies nothing but the handle data
  Tensor clone() const;   // a differentiable copy
  Tensor to(Dtype dtype) const;  // a differentiable cast
  Tensor to(const Device& device) const { return check_device(device, "Tensor::to"), *this; }
  Device device() const { return kCPU; }
  Tensor cpu() const { return *this; }
  const std::string& name() const;  // parameter names, shown in graphs
  Tensor& set_name(std::string name);

  // --- libtorch's methods: one-line forwards to the free functions (autograd/methods.cpp)
  template <class T> T item() const;  // item() converted: item<float>(), item<std::int64_t>()
  bool is_floating_point() const { return tg::is_floating_point(dtype()); }
  Sizes sizes() const { return Sizes(shape()); }
  std::size_t dim() const { return ndim(); }
  Dtype scalar_type() const { return dtype(); }
  Tensor& requires_grad_(bool requires = true) { return set_requires_grad(requires); }
  Tensor contiguous() const { return *this; }  // tensors are always contiguous
  template <class T> T* data_ptr();  // a write handle: counts as an in-place write
  Tensor sum() const;
  Tensor sum(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor sum(const std::vector<std::ptrdiff_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor mean(const std::vector<std::ptrdiff_t>& dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(std::ptrdiff_t dim, bool keepdim = false) const;  // values, indices
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(std::ptrdiff_t dim, bool keepdim = false) const;
  Tensor all() const;  // a bool 0-d tensor: every element nonzero
  Tensor any() const;  // a bool 0-d tensor: some element nonzero
  Tensor norm(double p = 2) const;
  Tensor norm(double p, const std::vector<std::ptrdiff_t>& dims, bool keepdim = false) const;
  Tensor var() const;
  Tensor var(const std::vector<std::ptrdiff_t>& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor std() const;
  Tensor std(const std::vector<std::ptrdiff_t>& dims, bool unbiased = true, bool keepdim = false) const;
  Tensor logsumexp(const std::vector<std::ptrdiff_t>& dims, bool keepdim = false) const;
  Tensor reshape(const std::vector<std::ptrdiff_t>& shape) const;
  Tensor view(const std::vector<std::ptrdiff_t>& shape) const;
  Tensor flatten(std::ptrdiff_t start_dim = 0, std::ptrdiff_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(std::ptrdiff_t dim) const;
  Tensor unsqueeze(std::ptrdiff_t dim) const;
  Tensor transpose(std::ptrdiff_t dim0, std::ptrdiff_t dim1) const;
  Tensor permute(const std::vector<std::ptrdiff_t>& dims) const;
  Tensor t() const;
  Tensor expand(const std::vector<std::ptrdiff_t>& sizes) const;  // -1 keeps a dimension
  Tensor index_select(std::ptrdiff_t dim, const Tensor& index) const;
  Tensor gather(std::ptrdiff_t dim, const Tensor& index) const;
  Tensor narrow(std::ptrdiff_t dim, std::ptrdiff_t start, std::size_t length) const;
  Tensor slice(std::ptrdiff_t dim, std::ptrdiff_t start, std::ptrdiff_t end,
               std::ptrdiff_t step = 1) const;
  Tensor select(std::ptrdiff_t dim, std::ptrdiff_t index) const;  // that dim dropped
  Tensor operator[](std::ptrdiff_t index) const;                   // select(0, index)
  std::vector<Tensor> chunk(std::size_t chunks, std::ptrdiff_t dim = 0) const;
  std::vector<Tensor> split(std::size_t split_size, std::ptrdiff_t dim = 0) const;
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor neg() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor softmax(std::ptrdiff_t dim) const;
  Tensor log_softmax(std::ptrdiff_t dim) const;
  Tensor clamp(std::optional<double> min, std::optional<double> max = std::nullopt) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(Scalar other) const;
  Tensor le(Scalar other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(Scalar other) const;
  Tensor masked_fill(const Tensor& mask, double value) const;
  Tensor triu(std::ptrdiff_t diagonal = 0) const;
  Tensor tril(std::ptrdiff_t diagonal = 0) const;
  // In-place: write into this tensor's storage and bump its version. As in PyTorch, a tensor
  // that requires grad is written only with grad mode off (tg::NoGradGuard), e.g. the classic
  // manual step { tg::NoGradGuard g; w.sub_(lr * w.grad()); w.grad().zero_(); }.
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);  // src broadcast to this tensor's shape and dtype
  Tensor& add_(const Tensor& other, double alpha = 1);
  Tensor& add_(Scalar other);
  Tensor& sub_(const Tensor& other, double alpha = 1);
  Tensor& sub_(Scalar other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(Scalar other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(Scalar other);
  Tensor& clamp_(std::optional<double> min, std::optional<double> max = std::nullopt);
  Tensor& normal_(double mean = 0, double std = 1, Generator* gen = nullptr);
  Tensor& uniform_(double from = 0, double to = 1, Generator* gen = nullptr);

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Shape& shape);
std::string to_string(const Shape& shape);  // "[3,4]"
const char* to_string(Dtype dtype);

// --- creation. Every factory takes TensorOptions, libtorch's: a dtype (float32 by default, or
// what a Dtype converts to), requires_grad and a device (the CPU):
//   tg::zeros({2, 3}, tg::kFloat64);  tg::ones({2}, tg::dtype(tg::kFloat64).requires_grad(true));
//   tg::randn({4}, tg::requires_grad());  tg::TensorOptions().dtype(tg::kLong)
struct TensorOptions {
  TensorOptions(Dtype dtype) : dtype_(dtype) {}
  TensorOptions(const Device& device = kCPU) : device_(device) {}
  TensorOptions& dtype(Dtype d) { return dtype_ = d, *this; }
  Dtype dtype() const { return dtype_.value_or(Dtype::float32); }
  bool has_dtype() const { return dtype_.has_value(); }  // arange's dtype depends on it

 private:
  std::optional<Dtype> dtype_;
  TG_ARG(bool, requires_grad, false);  // float dtypes only
  TG_ARG(Device, device, kCPU);
};
inline TensorOptions dtype(Dtype d) { return TensorOptions(d); }
inline TensorOptions requires_grad(bool on = true) { return TensorOptions().requires_grad(on); }
inline TensorOptions device(const Device& d) { return TensorOptions(d); }

Tensor scalar(double value, const TensorOptions& options = {});
// tensor(5.0), tensor({1, 2}), tensor({{1.0}, {2.0}}) ([2, 1]), nested to any depth: each braced
// list is one TensorData (as libtorch's TensorDataContainer), so a one-element row is a row.
class TensorData {
 public:
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorData(T value) : values_{double(value)} {}
  TensorData(std::initializer_list<TensorData> rows);  // rows of one shape
  const std::vector<double>& values() const { return values_; }
  const Shape& shape() const { return shape_; }

 private:
  std::vector<double> values_;
  Shape shape_;
};
Tensor tensor(const TensorData& data, const TensorOptions& options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                   const TensorOptions& options = {});
std::vector<double> to_vector(const Tensor& t);  // values in row-major order, as double

Tensor zeros(const Shape& shape, const TensorOptions& options = {});
Tensor ones(const Shape& shape, const TensorOptions& options = {});
Tensor full(const Shape& shape, double value, const TensorOptions& options = {});
Tensor empty(const Shape& shape, const TensorOptions& options = {});  // zero-filled here
// [start, end) by step. As PyTorch: int64 when every bound is an integer and options give no
// dtype, else float32.
Tensor arange(Scalar end, const TensorOptions& options = {});
Tensor arange(Scalar start, Scalar end, const TensorOptions& options = {});
Tensor arange(Scalar start, Scalar end, Scalar step, const TensorOptions& options = {});
Tensor linspace(double start, double stop, std::size_t steps, const TensorOptions& options = {});
Tensor eye(std::size_t n, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);

// Random tensors draw from gen, a tg::Generator (core/generator.hpp), or when it is nullptr
// from the default generator, which manual_seed seeds. Same seed, same stream, same tensors.
void manual_seed(std::uint64_t seed);
std::uint64_t random_u64(Generator* gen = nullptr);  // next raw draw
Tensor rand(const Shape& shape, const TensorOptions& options = {},
            Generator* gen = nullptr);  // U[0, 1)
Tensor randn(const Shape& shape, const TensorOptions& options = {},
             Generator* gen = nullptr);  // N(0, 1)
// randint: in [low, high), int64 unless the options say otherwise.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape,
               const TensorOptions& options = Dtype::int64, Generator* gen = nullptr);
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);
std::vector<std::size_t> randperm(std::size_t n, Generator* gen = nullptr);

// Threads used by BLAS (matrix products) and by tapegrad's own kernels (OpenMP: conv and pool
// over the batch, large elementwise loops). Both default to one (see core/blas.cpp), or to
// OMP_NUM_THREADS / OPENBLAS_NUM_THREADS when set.
void set_num_threads(int threads);

}  // namespace tg
