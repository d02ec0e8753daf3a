// Module holders, options objects and the layers written libtorch's way (issue 9): a module
// written for libtorch keeps its shape here.
#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>

#include <tapegrad/tapegrad.hpp>

#include "check.hpp"

using namespace tg;

namespace {

// libtorch's idiom: holders as members, registered in the constructor, forward by value.
struct NetImpl : nn::Module {
  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::Dropout drop{nullptr};
  NetImpl(std::size_t in, std::size_t out) {
    fc1 = register_module("fc1", nn::Linear(in, 8));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(8, out).bias(false)));
    drop = register_module("drop", nn::Dropout(nn::DropoutOptions().p(0.5)));
  }
  Tensor forward(Tensor x) {  // by value, no override
    x = relu(fc1->forward(x));
    return fc2(drop(x));
  }
};
TG_MODULE(Net);

}  // namespace

TEST_CASE("a holder shares its module; an empty one says so") {
  nn::Linear empty{nullptr};
  CHECK(empty.is_empty());
  CHECK_THROWS_WITH_AS(empty->weight, doctest::Contains("empty"), ValueError);
  nn::Linear a(3, 2);
  nn::Linear b = a;  // a copy is the same module, as in libtorch
  CHECK(b.ptr() == a.ptr());
  CHECK(a->options.in_features() == 3);
  CHECK(a->options.out_features() == 2);
  std::ostringstream os;
  os << a;
  CHECK(os.str().rfind("Linear(in_features=3, out_features=2, bias=true)", 0) == 0);
}

TEST_CASE("a TG_MODULE with forward(Tensor) by value: directly, through its holder, in Sequential") {
  manual_seed(0);
  Net net(4, 3);
  CHECK(net->named_parameters().size() == 3);  // fc1.weight, fc1.bias, fc2.weight
  CHECK_FALSE(net->fc2->bias.defined());
  net->eval();
  CHECK_FALSE(net->drop->is_training());  // eval reaches the registered module itself
  Tensor x = randn({5, 4});
  Tensor direct = net->forward(x), held = net(x);
  nn::Sequential seq(net, nn::Functional(tg::tanh));
  Tensor chained = seq(x);
  CHECK(to_vector(held) == to_vector(direct));
  CHECK(to_vector(chained) == to_vector(tanh(direct)));
  CHECK(seq->named_parameters()[0].first == "0.fc1.weight");
  // An LSTM in a Sequential has no one-tensor forward: the error names it.
  nn::Sequential bad(nn::LSTM(4, 2));
  CHECK_THROWS_WITH_AS(bad(randn({3, 1, 4})), doctest::Contains("LSTM"), Error);
}

TEST_CASE("tg::save and tg::load take holders and shared_ptrs") {
  Net a(2, 2), b(2, 2);
  const char* path = "holders_save_test.npz";
  tg::save(a, path);
  tg::load(b.ptr(), path);
  std::remove(path);
  CHECK(to_vector(b->fc1->weight) == to_vector(a->fc1->weight));
}

TEST_CASE("Dropout2d zeroes whole channels and scales the rest by 1/(1-p)") {
  manual_seed(3);
  nn::Dropout2d drop(0.5);
  Tensor y = drop(ones({4, 6, 3, 3}));
  std::vector<double> v = to_vector(y);
  int zero = 0, two = 0;
  for (std::size_t c = 0; c < 24; ++c) {  // each channel: nine equal values, 0 or 2
    for (std::size_t k = 1; k < 9; ++k) CHECK(v[c * 9 + k] == v[c * 9]);
    zero += v[c * 9] == 0.0;
    two += v[c * 9] == 2.0;
  }
  CHECK(zero + two == 24);
  CHECK(zero > 0);
  CHECK(two > 0);
  drop->eval();
  CHECK(to_vector(drop(ones({1, 2, 2, 2}))) == std::vector<double>(8, 1.0));
  CHECK_THROWS_WITH_AS(drop(ones({2, 2})), doctest::Contains("Dropout2d"), ShapeError);
}

TEST_CASE("BatchNorm with momentum None keeps the cumulative average of the batch statistics") {
  nn::BatchNorm1d bn(nn::BatchNorm1dOptions(1).momentum(std::nullopt));
  bn(tensor({1.0, 3.0}).view({2, 1}));  // mean 2, unbiased var 2
  bn(tensor({4.0, 8.0}).view({2, 1}));  // mean 6, unbiased var 8
  bn(tensor({0.0, 0.0}).view({2, 1}));  // mean 0, var 0
  CHECK(bn->running_mean.item() == doctest::Approx((2.0 + 6.0 + 0.0) / 3));
  CHECK(bn->running_var.item() == doctest::Approx((2.0 + 8.0 + 0.0) / 3));
  CHECK(bn->num_batches_tracked.item<std::int64_t>() == 3);
  std::ostringstream os;
  os << bn;
  CHECK(os.str().find("momentum=None") != std::string::npos);
}

TEST_CASE("Embedding padding_idx: a zero row that gets no gradient; Conv2d groups") {
  manual_seed(1);
  nn::Embedding emb(nn::EmbeddingOptions(5, 3).padding_idx(-1));  // row 4
  CHECK(to_vector(index_select(emb->weight, 0, tensor({4.0}))) == std::vector<double>(3, 0.0));
  sum(emb(tensor({{4.0, 1.0, 4.0}}))).backward();
  std::vector<double> g = to_vector(emb->weight.grad());
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(g[4 * 3 + j] == 0.0);
    CHECK(g[1 * 3 + j] == 1.0);
  }
  CHECK_THROWS_WITH_AS(nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(5)),
                       doctest::Contains("padding_idx 5"), ValueError);

  nn::Conv2d depthwise(nn::Conv2dOptions(4, 8, 3).groups(4).padding(1));
  CHECK(depthwise->weight.shape() == Shape{8, 1, 3, 3});
  CHECK(depthwise(randn({2, 4, 5, 5})).shape() == Shape{2, 8, 5, 5});
  std::ostringstream os;
  os << depthwise;
  CHECK(os.str().find("groups=4") != std::string::npos);
}

TEST_CASE("pooling and layer norm options as libtorch spells them") {
  nn::MaxPool2d pool(nn::MaxPool2dOptions(3).stride(2).padding(1));
  CHECK(pool(zeros({1, 1, 8, 8})).shape() == Shape{1, 1, 4, 4});
  CHECK(nn::MaxPool2d(2)(zeros({1, 1, 8, 8})).shape() == Shape{1, 1, 4, 4});
  nn::LayerNorm ln(nn::LayerNormOptions({2, 3}).eps(1e-3).elementwise_affine(false));
  CHECK_FALSE(ln->weight.defined());
  CHECK(ln(randn({4, 2, 3})).shape() == Shape{4, 2, 3});
}

TEST_CASE("functional options objects, as libtorch's F:: takes them") {
  namespace F = tg::nn::functional;
  manual_seed(2);
  Tensor x = randn({2, 3, 6, 6}), w = randn({4, 3, 3, 3}), b = randn({4});
  CHECK(to_vector(F::conv2d(x, w, F::Conv2dFuncOptions().bias(b).padding(1))) ==
        to_vector(conv2d(x, w, b, 1, 1)));
  CHECK(F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2)).shape() == Shape{2, 3, 2, 2});
  CHECK(to_vector(F::avg_pool2d(x, F::AvgPool2dFuncOptions(2))) == to_vector(avg_pool2d(x, 2)));
  CHECK(to_vector(F::dropout(x, F::DropoutFuncOptions().p(0.3).training(false))) == to_vector(x));
  CHECK(to_vector(F::log_softmax(b, F::LogSoftmaxFuncOptions(0))) ==
        to_vector(log_softmax(b, 0)));
  Tensor p = tensor({1.0, 2.0}), t = tensor({0.0, 4.0});
  CHECK(F::mse_loss(p, t, F::MSELossFuncOptions(tg::kSum)).item() == doctest::Approx(1.0 + 4.0));
  CHECK(F::l1_loss(p, t, F::L1LossFuncOptions().reduction(tg::kMean)).item() ==
        doctest::Approx((1.0 + 2.0) / 2));
  Tensor logits = randn({4, 3}), y = tensor({0.0, 2.0, 1.0, 2.0}).to(kLong);
  CHECK(F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().reduction(tg::kSum)).item() ==
        doctest::Approx(4 * cross_entropy(logits, y).item()));
}
