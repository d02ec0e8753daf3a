#pragma once
// Embedding: a lookup table weight [num_embeddings, embedding_dim] ~ N(0, 1); forward maps
// integral float indices of any shape S to S + [embedding_dim] (tg::embedding).
#include <cstddef>

#include <tapegrad/nn/module.hpp>

namespace tg::nn {

class Embedding : public Module {
 public:
  Embedding(std::size_t num_embeddings, std::size_t embedding_dim);
  Tensor forward(const Tensor& indices) override;
  std::string extra_repr() const override;

  std::size_t num_embeddings, embedding_dim;
  Tensor weight;
};

}  // namespace tg::nn
