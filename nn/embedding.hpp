#pragma once
// Embedding: a lookup table weight [num_embeddings, embedding_dim] ~ N(0, 1); forward maps
// indices (int64, or whole-number floats) of any shape S to S + [embedding_dim] (tg::embedding).
//   Embedding(65, 64);  Embedding(EmbeddingOptions(65, 64).padding_idx(0))
// padding_idx (negative counts from the end): that row starts at zeros and gets no gradient.
#include <cstddef>
#include <cstdint>
#include <optional>

#include <tapegrad/core/arg.hpp>
#include <tapegrad/nn/module.hpp>

namespace tg::nn {

struct EmbeddingOptions {
  EmbeddingOptions(std::size_t num_embeddings, std::size_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  TG_ARG(std::size_t, num_embeddings, 0);
  TG_ARG(std::size_t, embedding_dim, 0);
  TG_ARG(std::optional<std::int64_t>, padding_idx, std::nullopt);
};

class EmbeddingImpl : public Module {
 public:
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  EmbeddingImpl(std::size_t num_embeddings, std::size_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  Tensor forward(const Tensor& indices) override;
  std::string extra_repr() const override;

  EmbeddingOptions options;
  Tensor weight;
};
TG_MODULE(Embedding);

}  // namespace tg::nn
