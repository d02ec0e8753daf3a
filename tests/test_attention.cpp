// masked_fill, triu, tril, scaled_dot_product_attention, MultiheadAttention,
// TransformerEncoderLayer and TransformerEncoder: values by hand, values and gradients against
// PyTorch 1.13 (tests/make_attention_reference.py writes tests/data/attention), PyTorch's
// parameter names and init, float64 gradient checks, error messages.
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "check.hpp"

namespace {

using Named = std::map<std::string, Tensor>;
const double inf = std::numeric_limits<double>::infinity();

Tensor entry(const Named& data, const char* key) {
  return data.count(key) ? data.at(key) : Tensor();
}

// Loads PyTorch's state_dict of case `name` into m (if any) with nn::load, runs `run` on the
// case's inputs and masks, and compares its outputs and the gradients of
// L = Σ sum(output · w_output) with respect to the inputs and every parameter.
void check_reference(const std::string& name, nn::Module* m,
                     const std::function<Named(const Named&)>& run) {
  INFO("case ", name);
  if (m) {
    m->to(f64).eval();
    nn::load(*m, "data/attention/" + name + "_state.npz");
  }
  Named data, inputs;
  for (auto& [key, t] : load_npz("data/attention/" + name + "_data.npz")) data[key] = t;
  for (const char* key : {"query", "key", "value", "src"})
    if (data.count(key)) inputs[key] = data[key].set_requires_grad();
  Tensor loss = zeros({}, f64);
  for (auto& [key, t] : run(data)) {
    check_values(key, t, data.at(key));
    loss = loss + sum(t * data.at("w_" + key));
  }
  loss.backward();
  for (auto& [key, t] : inputs) check_values("d/d" + key, t.grad(), data.at("grad_" + key));
  if (m)
    for (auto& [key, p] : m->named_parameters())
      check_values("d/d" + key, p.grad(), data.at("grad_" + key));
}

void check_mha(const std::string& name, nn::MultiheadAttention m, bool need_weights = true,
               bool average = true) {
  check_reference(name, m.get(), [&](const Named& d) {
    Tensor q = d.at("query"), k = d.count("key") ? d.at("key") : q;
    Tensor v = d.count("value") ? d.at("value") : q;
    auto [out, weights] = m(q, k, v, entry(d, "key_padding_mask"), need_weights,
                            entry(d, "attn_mask"), average);
    CHECK(weights.defined() == need_weights);
    return need_weights ? Named{{"output", out}, {"weights", weights}} : Named{{"output", out}};
  });
}

template <class M> void check_encoder(const std::string& name, M m) {
  check_reference(name, m.get(), [&](const Named& d) {
    return Named{{"output", m(d.at("src"), entry(d, "attn_mask"), entry(d, "key_padding_mask"))}};
  });
}

void check_sdpa(const std::string& name, bool is_causal = false) {
  check_reference(name, nullptr, [&](const Named& d) {
    return Named{{"output", nn::functional::scaled_dot_product_attention(
                                d.at("query"), d.at("key"), d.at("value"), entry(d, "attn_mask"),
                                0, is_causal)}};
  });
}

std::vector<std::string> names(const nn::Module& m) {
  std::vector<std::string> out;
  for (const auto& entry : m.named_parameters()) out.push_back(entry.first);
  return out;
}

}  // namespace

TEST_CASE("masked_fill: value where the mask is true (bool or 0/1, broadcast), no gradient there") {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}, f64).set_requires_grad();
  Tensor mask = tensor({1, 0, 1}) == 1.0;
  CHECK(mask.dtype() == kBool);
  Tensor y = masked_fill(x, mask, -1);
  check_close(y, {-1, 2, -1, -1, 5, -1});
  sum(y).backward();
  check_close(x.grad(), {0, 1, 0, 0, 1, 0});
  check_close(x.masked_fill(reshape(tensor({0, 1}), {2, 1}), -8), {1, 2, 3, -8, -8, -8});
  CHECK(masked_fill(x, tensor({1, 0, 1}) == 1.0, 0).dtype() == f64);
  auto f = [](const Inputs& in) { return masked_fill(in[0], in[1] > 0.0, 7); };
  CHECK(gradcheck(f, {randn({2, 3, 4}, f64).set_requires_grad(), randn({3, 1}, f64)}));
  CHECK(gradcheck(f, {randn({0, 4}, f64).set_requires_grad(), randn({4}, f64)}));
  CHECK(gradgradcheck(f, {randn({2, 3}, f64).set_requires_grad(), randn({2, 3}, f64)}));
}

TEST_CASE("triu and tril keep a triangle of the last two dims (diagonal offsets, batches)") {
  Tensor x = reshape(arange(1, 10, 1, f64), {3, 3});
  check_close(triu(x), {1, 2, 3, 0, 5, 6, 0, 0, 9});
  check_close(x.triu(1), {0, 2, 3, 0, 0, 6, 0, 0, 0});
  check_close(x.triu(-1), {1, 2, 3, 4, 5, 6, 0, 8, 9});
  check_close(tril(x), {1, 0, 0, 4, 5, 0, 7, 8, 9});
  check_close(x.tril(-1), {0, 0, 0, 4, 0, 0, 7, 8, 0});
  check_close(tril(reshape(arange(1, 7, 1, f64), {2, 3})), {1, 0, 0, 4, 5, 0});
  check_close(triu(reshape(arange(1, 7, 1, f64), {3, 2})), {1, 2, 0, 4, 0, 0});
  check_close(tril(reshape(arange(1, 9, 1, f64), {2, 2, 2})), {1, 0, 3, 4, 5, 0, 7, 8});
  check_close(triu(x, 5), std::vector<double>(9, 0.0));
  CHECK(triu(zeros({2, 0, 3})).shape() == Shape{2, 0, 3});
  for (std::ptrdiff_t d : {-1, 0, 2}) {
    CHECK(gradcheck([d](const Inputs& in) { return triu(in[0], d); },
                    {randn({2, 3, 4}, f64).set_requires_grad()}));
    CHECK(gradcheck([d](const Inputs& in) { return tril(in[0], d); },
                    {randn({4, 3}, f64).set_requires_grad()}));
  }
  CHECK(gradcheck([](const Inputs& in) { return tril(in[0]); },
                  {randn({3, 0, 2}, f64).set_requires_grad()}));
  // broadcast into the op: the gradient of an expanded input is summed back
  CHECK(gradcheck([](const Inputs& in) { return triu(in[0] + zeros({2, 3, 3}, f64)); },
                  {randn({3, 1}, f64).set_requires_grad()}));
}

TEST_CASE("scaled_dot_product_attention matches the formula computed with PyTorch") {
  check_sdpa("sdpa");
  check_sdpa("sdpa_bool_mask_4d");
  check_sdpa("sdpa_float_mask_broadcast_batch");
  check_sdpa("sdpa_causal", true);
  // By hand: one key; causal: the first query sees only the first key; dropout_p = 1 drops all.
  Tensor q = tensor({{1, 0}, {0, 1}}, f64), v = tensor({{1, 2}, {3, 4}}, f64);
  check_close(scaled_dot_product_attention(q, narrow(q, 0, 0, 1), narrow(v, 0, 0, 1)),
              {1, 2, 1, 2});
  check_close(narrow(scaled_dot_product_attention(q, q, v, {}, 0, true), 0, 0, 1), {1, 2});
  Tensor keep_second = tensor({0, 1}) == 1.0;
  check_close(scaled_dot_product_attention(q, q, v, keep_second), {3, 4, 3, 4});
  check_close(scaled_dot_product_attention(q, q, v, tensor({-inf, 0}, f64)), {3, 4, 3, 4});
  check_close(scaled_dot_product_attention(q, q, v, {}, 1.0), {0, 0, 0, 0});
  // float64 gradients of everything, the float mask included; second order.
  auto f = [](const Inputs& in) {
    return scaled_dot_product_attention(in[0], in[1], in[2], in[3]);
  };
  Inputs in = {randn({2, 3, 4}, f64), randn({2, 5, 4}, f64), randn({1, 5, 2}, f64),
               randn({3, 5}, f64)};
  for (Tensor& t : in) t.set_requires_grad();
  CHECK(gradcheck(f, in));
  CHECK(gradgradcheck(f, in));
  auto causal = [](const Inputs& in) {
    return scaled_dot_product_attention(in[0], in[1], in[2], {}, 0, true);
  };
  CHECK(gradcheck(causal, {randn({3, 2}, f64).set_requires_grad(),
                           randn({4, 2}, f64).set_requires_grad(),
                           randn({4, 3}, f64).set_requires_grad()}));
}

TEST_CASE("MultiheadAttention: PyTorch's names, shapes and init") {
  manual_seed(0);
  nn::MultiheadAttention m(8, 2);
  CHECK(names(*m) ==
        std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight",
                                 "out_proj.bias"});
  CHECK(m->in_proj_weight.shape() == Shape{24, 8});
  CHECK(m->in_proj_bias.shape() == Shape{24});
  CHECK(to_vector(m->in_proj_bias) == Values(24, 0.0));
  CHECK(to_vector(m->out_proj->bias) == Values(8, 0.0));
  const double xavier = std::sqrt(6.0 / (8 + 24));
  double largest = 0;
  for (double w : to_vector(m->in_proj_weight)) largest = std::max(largest, std::abs(w));
  CHECK(largest <= xavier);
  CHECK(largest > 0.8 * xavier);
  for (double w : to_vector(m->out_proj->weight)) CHECK(std::abs(w) <= 1 / std::sqrt(8.0));
  nn::MultiheadAttention no_bias(nn::MultiheadAttentionOptions(8, 4).bias(false));
  CHECK(names(*no_bias) == std::vector<std::string>{"in_proj_weight", "out_proj.weight"});
  auto [out, weights] = m(zeros({5, 3, 8}), zeros({7, 3, 8}), zeros({7, 3, 8}));
  CHECK(out.shape() == Shape{5, 3, 8});
  CHECK(weights.shape() == Shape{3, 5, 7});
  auto [out2, per_head] = m(zeros({5, 8}), zeros({7, 8}), zeros({7, 8}), Tensor(), true, Tensor(),
                                  false);
  CHECK(out2.shape() == Shape{5, 8});
  CHECK(per_head.shape() == Shape{2, 5, 7});
}

TEST_CASE("MultiheadAttention matches PyTorch: outputs, weights, input and parameter gradients") {
  check_mha("mha_cross", nn::MultiheadAttention(6, 2));
  check_mha("mha_batch_first_kpm",
            nn::MultiheadAttention(nn::MultiheadAttentionOptions(6, 2).batch_first(true)), true,
            false);
  check_mha("mha_bool_mask_kpm", nn::MultiheadAttention(6, 2));
  check_mha("mha_float_mask_3d",
            nn::MultiheadAttention(nn::MultiheadAttentionOptions(6, 2).batch_first(true)), true,
            false);
  check_mha("mha_unbatched", nn::MultiheadAttention(6, 2));
  check_mha("mha_unbatched_3d_mask", nn::MultiheadAttention(6, 2), true, false);
  check_mha("mha_no_weights_no_bias",
            nn::MultiheadAttention(nn::MultiheadAttentionOptions(6, 2).bias(false)), false);
}

TEST_CASE("MultiheadAttention: float64 gradient check with masks; dropout only in training") {
  manual_seed(3);
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2).dropout(0.5));
  m->to(f64).eval();
  Tensor padding = tensor({{0, 0, 1}, {0, 0, 0}}) == 1.0;
  auto f = [&](const Inputs& in) {
    auto [out, weights] = m(in[0], in[1], in[2], padding, true, in[3], false);
    return cat({flatten(out), flatten(weights)});
  };
  Inputs in = {randn({2, 2, 4}, f64), randn({3, 2, 4}, f64), randn({3, 2, 4}, f64),
               randn({2, 3}, f64)};
  for (Tensor& t : in) t.set_requires_grad();
  CHECK(gradcheck(f, in));
  Tensor x = randn({2, 2, 4}, f64);
  const Values eval_out = to_vector(std::get<0>(m(x, x, x)));
  m->train();
  CHECK(to_vector(std::get<0>(m(x, x, x))) != eval_out);
}

TEST_CASE("TransformerEncoderLayer and TransformerEncoder: PyTorch's names; copies start equal") {
  nn::TransformerEncoderLayer layer(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16));
  CHECK(names(*layer) == std::vector<std::string>{
      "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
      "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight",
      "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"});
  CHECK(layer->linear1->weight.shape() == Shape{16, 8});
  CHECK(layer->dropout->options.p() == 0.1);
  CHECK(layer(zeros({5, 3, 8})).shape() == Shape{5, 3, 8});
  layer->to(f64);
  nn::TransformerEncoder encoder(layer, 2, nn::LayerNorm(8));
  const std::vector<std::string> all = names(*encoder);
  REQUIRE(all.size() == 26);
  CHECK(all[0] == "layers.0.self_attn.in_proj_weight");
  CHECK(all[12] == "layers.1.self_attn.in_proj_weight");
  CHECK(all[25] == "norm.bias");
  CHECK(names(*nn::TransformerEncoder(layer, 3)).size() == 36);
  // Deep copies: equal to the layer, each with its own storage.
  auto& first = encoder->layers->at<nn::TransformerEncoderLayerImpl>(0);
  auto& second = encoder->layers->at<nn::TransformerEncoderLayerImpl>(1);
  CHECK(first.self_attn->in_proj_weight.dtype() == f64);
  CHECK(to_vector(first.linear2->weight) == to_vector(layer->linear2->weight));
  CHECK(to_vector(second.linear2->weight) == to_vector(layer->linear2->weight));
  {
    NoGradGuard no_grad;
    first.linear2->weight.fill_(0);
  }
  CHECK(to_vector(second.linear2->weight) == to_vector(layer->linear2->weight));
  CHECK(to_vector(layer->linear2->weight) != Values(layer->linear2->weight.numel(), 0.0));
}

TEST_CASE("TransformerEncoderLayer and TransformerEncoder match PyTorch (eval, with masks)") {
  using Options = nn::TransformerEncoderLayerOptions;
  check_encoder("encoder_layer_relu",
                nn::TransformerEncoderLayer(Options(6, 2).dim_feedforward(5)));
  check_encoder("encoder_layer_gelu_norm_first",
                nn::TransformerEncoderLayer(Options(6, 2).dim_feedforward(5).activation("gelu")
                                                .norm_first(true).batch_first(true)));
  check_encoder("encoder_layer_unbatched_eps",
                nn::TransformerEncoderLayer(Options(6, 2).dim_feedforward(5).layer_norm_eps(1e-3)));
  check_encoder("encoder", nn::TransformerEncoder(
                               nn::TransformerEncoderLayer(Options(6, 2).dim_feedforward(5)), 2,
                               nn::LayerNorm(6)));
  check_encoder("encoder_gelu_batch_first",
                nn::TransformerEncoder(nn::TransformerEncoderLayer(
                                           Options(6, 2).dim_feedforward(5).activation("gelu")
                                               .batch_first(true).norm_first(true)),
                                       2, nn::LayerNorm(6)));
}

TEST_CASE("attention errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(nn::MultiheadAttention(6, 4),
                       "MultiheadAttention: embed_dim 6 is not divisible by num_heads 4",
                       ValueError);
  CHECK_THROWS_WITH_AS(
      nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(6, 2).activation("tanh")),
      doctest::Contains("activation \"tanh\""), ValueError);
  nn::MultiheadAttention m(6, 2);
  Tensor x = zeros({3, 2, 6});
  CHECK_THROWS_WITH_AS(m(zeros({3, 2, 5}), x, x), doctest::Contains("query [3,2,5]"), ShapeError);
  CHECK_THROWS_WITH_AS(m(x, zeros({4, 2, 6}), x), doctest::Contains("key [4,2,6]"), ShapeError);
  CHECK_THROWS_WITH_AS(m(x, zeros({3, 1, 6}), zeros({3, 1, 6})),
                       doctest::Contains("with E = embed_dim 6"), ShapeError);
  CHECK_THROWS_WITH_AS(m(x, x, x, Tensor(), true, zeros({3, 4})),
                       doctest::Contains("attn_mask of shape [3,4] should be [3,3] or [4,3,3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(m(x, x, x, zeros({3, 2}) == 1.0),
                       doctest::Contains("key_padding_mask of shape [3,2] should be [2,3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(m(zeros({3, 6}), zeros({3, 6}), zeros({3, 6}), zeros({1, 3}) == 1.0),
                       doctest::Contains("key_padding_mask of shape [1,3] should be [3]"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(zeros({3, 6}), zeros({4, 5}), zeros({4, 2})),
                       "scaled_dot_product_attention: query [3,6], key [4,5] and value [4,2] do "
                       "not fit [..., L, E], [..., S, E] and [..., S, Ev]",
                       ShapeError);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(zeros({3, 6}), zeros({4, 6}), zeros({5, 2})),
                       doctest::Contains("value [5,2]"), ShapeError);
  CHECK_THROWS_WITH_AS(
      scaled_dot_product_attention(zeros({3, 6}), zeros({4, 6}), zeros({4, 2}), zeros({2, 3, 4})),
      "scaled_dot_product_attention: a mask of shape [2,3,4] does not broadcast to the scores' "
      "shape [3,4]",
      ShapeError);
  CHECK_THROWS_WITH_AS(
      scaled_dot_product_attention(x, x, x, zeros({3, 5})), doctest::Contains("[3,5]"),
      ShapeError);
  CHECK_THROWS_WITH_AS(
      scaled_dot_product_attention(x, x, x, zeros({3, 3}) == 1.0, 0, true),
      "scaled_dot_product_attention: pass either attn_mask or is_causal, not both", ValueError);
  CHECK_THROWS_WITH_AS(triu(zeros({3})),
                       "triu: input of shape [3] has fewer than 2 dimensions", ShapeError);
  CHECK_THROWS_WITH_AS(tril(zeros({})), doctest::Contains("tril: input of shape []"), ShapeError);
  CHECK_THROWS_WITH_AS(masked_fill(zeros({2, 3}), zeros({2}) == 1.0, 0),
                       doctest::Contains("masked_fill"), ShapeError);
}
