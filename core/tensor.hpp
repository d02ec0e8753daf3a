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
#include <string>
#include <vector>

#include <tapegrad/core/error.hpp>

namespace tg {

enum class Dtype { float32, float64 };
using Shape = std::vector<std::size_t>;

struct TensorImpl;
class Node;
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

  template <class T> const xt::xarray<T>& value() const;  // T must match dtype()
  template <class T> xt::xarray<T>& mutable_value();      // in-place writes: optimizers, init
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
  void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false,
                bool create_graph = false) const;
  Tensor detach() const;  // same values, no history; copies nothing but the handle data
  Tensor clone() const;   // a differentiable copy
  Tensor to(Dtype dtype) const;  // a differentiable cast
  const std::string& name() const;  // parameter names, shown in graphs
  Tensor& set_name(std::string name);

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Shape& shape);
std::string to_string(const Shape& shape);  // "[3,4]"
const char* to_string(Dtype dtype);

// --- creation. Every factory takes a dtype (float32 by default) and requires_grad.
Tensor scalar(double value, Dtype dtype = Dtype::float32);
Tensor tensor(std::initializer_list<double> values, Dtype dtype = Dtype::float32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> values,
              Dtype dtype = Dtype::float32);
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> values,
              Dtype dtype = Dtype::float32);
Tensor from_vector(const std::vector<double>& values, const Shape& shape,
                   Dtype dtype = Dtype::float32);
std::vector<double> to_vector(const Tensor& t);  // values in row-major order, as double

Tensor zeros(const Shape& shape, Dtype dtype = Dtype::float32);
Tensor ones(const Shape& shape, Dtype dtype = Dtype::float32);
Tensor full(const Shape& shape, double value, Dtype dtype = Dtype::float32);
Tensor arange(double start, double stop, double step = 1, Dtype dtype = Dtype::float32);
Tensor linspace(double start, double stop, std::size_t steps, Dtype dtype = Dtype::float32);
Tensor eye(std::size_t n, Dtype dtype = Dtype::float32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);

// Random tensors draw from gen, a tg::Generator (core/generator.hpp), or when it is nullptr
// from the default generator, which manual_seed seeds. Same seed, same stream, same tensors.
class Generator;
void manual_seed(std::uint64_t seed);
std::uint64_t random_u64(Generator* gen = nullptr);  // next raw draw
Tensor rand(const Shape& shape, Dtype dtype = Dtype::float32,
            Generator* gen = nullptr);  // U[0, 1)
Tensor randn(const Shape& shape, Dtype dtype = Dtype::float32,
             Generator* gen = nullptr);  // N(0, 1)
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape,
               Dtype dtype = Dtype::float32,
               Generator* gen = nullptr);  // integers in [low, high), stored as floats
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);
std::vector<std::size_t> randperm(std::size_t n, Generator* gen = nullptr);

// Threads used by BLAS (matrix products) and by tapegrad's own kernels (OpenMP: conv and pool
// over the batch, large elementwise loops). Both default to one per core.
void set_num_threads(int threads);

}  // namespace tg
