#include <tapegrad/nn/embedding.hpp>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

Embedding::Embedding(std::size_t num, std::size_t dim) : num_embeddings(num), embedding_dim(dim) {
  weight = register_parameter("weight", randn({num, dim}));
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(indices, weight); }

std::string Embedding::extra_repr() const { return str(num_embeddings, ", ", embedding_dim); }

}  // namespace tg::nn
