#include <tapegrad/nn/embedding.hpp>

#include <algorithm>

#include <tapegrad/autograd/detail/op.hpp>
#include <tapegrad/autograd/nn_functional.hpp>

namespace tg::nn {

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& o) : options(o) {
  weight = register_parameter("weight", randn({o.num_embeddings(), o.embedding_dim()}));
  if (o.padding_idx()) {
    auto row = *o.padding_idx() < 0 ? *o.padding_idx() + std::int64_t(o.num_embeddings())
                                    : *o.padding_idx();
    if (row < 0 || row >= std::int64_t(o.num_embeddings()))
      throw ValueError(str("Embedding: padding_idx ", *o.padding_idx(), " is out of range for ",
                           o.num_embeddings(), " embeddings"));
    std::fill_n(weight.data_ptr<float>() + row * std::int64_t(o.embedding_dim()), o.embedding_dim(), 0.0f);
  }
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return embedding(indices, weight, options.padding_idx());
}

std::string EmbeddingImpl::extra_repr() const {
  return str(options.num_embeddings(), ", ", options.embedding_dim());
}

}  // namespace tg::nn
