// Training-step race: median ms per full step (zero_grad, forward, loss, backward, [clip], step)
// of the same model in tapegrad and libtorch, each in its own idiom, plus the raw BLAS floor of
// the 784-256-128-10 MLP. Every side runs in its own process, so its peak resident memory
// (VmHWM) and its process settings are its own; the libtorch side is a separate program that
// does not link tapegrad (race_libtorch.cpp):
//   race [--repeat K] [--rounds R] [--data DIR]   driver: runs every side, prints the table
//   race --side tapegrad|floor --model M --threads N [--rounds R] [--data DIR]
//   race_libtorch --side libtorch --model M --threads N [--rounds R] [--data DIR]
// Both load the same OpenBLAS (libopenblas.so.0 as the system's alternative selects it).
#include <tapegrad/tapegrad.hpp>

#include "race.hpp"

#include <cblas.h>  // the floor; this file must not include xtensor-blas

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <tuple>

extern char** environ;

namespace {

namespace nn = tg::nn;
namespace optim = tg::optim;
using tg::Tensor;

// ---------------------------------------------------------------- tapegrad
// Embedding(65, 64) -> LSTM or GRU(64 -> 128, batch_first) -> Linear(128 -> 65) at every step:
// logits [N·T, 65].
template <class RNN> struct CharModelImpl : nn::Module {
  nn::Embedding embed{nullptr};
  RNN rnn{nullptr};
  nn::Linear head{nullptr};
  CharModelImpl() {
    embed = register_module("embed", nn::Embedding(race::vocab, 64));
    rnn = register_module("rnn", RNN(nn::RNNOptions(64, 128).batch_first(true)));
    head = register_module("head", nn::Linear(128, race::vocab));
  }
  Tensor forward(const Tensor& tokens) override {
    return head(std::get<0>(rnn(embed(tokens)))).reshape({-1, race::vocab});
  }
};

// tokens [N, T] -> Embedding(65, 64) + positional embedding [T, 64] -> encoder layer (batch
// first) -> mean over time -> Linear(64 -> 10).
struct AttnTinyImpl : nn::Module {
  nn::Embedding embed{nullptr};
  Tensor pos;
  nn::TransformerEncoderLayer encoder{nullptr};
  nn::Linear head{nullptr};
  AttnTinyImpl() {
    embed = register_module("embed", nn::Embedding(race::vocab, 64));
    pos = register_parameter("pos", tg::randn({race::seq_len, 64}));
    encoder = register_module("encoder", nn::TransformerEncoderLayer(
        nn::TransformerEncoderLayerOptions(64, 4).dim_feedforward(128).dropout(0).batch_first(true)));
    head = register_module("head", nn::Linear(64, race::attn_classes));
  }
  Tensor forward(const Tensor& tokens) override {
    return head(encoder(embed(tokens) + pos).mean(1));
  }
};

Tensor from(const std::vector<double>& values, const tg::Shape& shape, tg::Dtype dtype = tg::kFloat) {
  return tg::from_vector(values, shape, dtype);
}

race::Step tapegrad_step(const std::string& model, const std::string& data) {
  tg::manual_seed(0);
  std::shared_ptr<nn::Module> net;
  std::shared_ptr<optim::Optimizer> opt;
  std::vector<std::pair<Tensor, Tensor>> batches;
  bool classify = model != "mlp_tiny" && model != "linreg", clip = false;
  if (model == "mlp_fmnist") {
    net = nn::Sequential(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                         nn::Linear(128, 10)).ptr();
    opt = std::make_shared<optim::SGD>(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  } else if (model == "mlp_bn") {
    net = nn::Sequential(nn::Linear(784, 256), nn::BatchNorm1d(256), nn::ReLU(),
                         nn::Linear(256, 128), nn::BatchNorm1d(128), nn::ReLU(),
                         nn::Linear(128, 10)).ptr();
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(1e-3));
  } else if (model == "cnn_fmnist") {
    net = nn::Sequential(nn::Conv2d(1, 8, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2),
                         nn::Conv2d(8, 16, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                         nn::Linear(784, 10)).ptr();
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(1e-3));
  } else if (model == "mlp_tiny") {
    net = nn::Sequential(nn::Linear(2, 16), nn::Tanh(), nn::Linear(16, 16), nn::Tanh(),
                         nn::Linear(16, 1)).ptr();
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(1e-3));
    batches = {{from(race::uniform(64, -2, 2, 1), {32, 2}), from(race::uniform(32, -1, 1, 2), {32, 1})}};
  } else if (model == "linreg") {  // the linear-regression example's step: 200 points, full batch
    net = nn::Linear(1, 1).ptr();
    opt = std::make_shared<optim::SGD>(net->parameters(), optim::SGDOptions(0.01));
    Tensor x = from(race::uniform(200, -2, 2, 1), {200, 1});
    batches = {{x, 3.0 * x + 2.0}};
  } else if (model == "lstm_char" || model == "gru_char") {
    if (model == "lstm_char") net = std::make_shared<CharModelImpl<nn::LSTM>>();
    else net = std::make_shared<CharModelImpl<nn::GRU>>();
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(2e-3));
    clip = true;
    const std::size_t n = race::char_batch, t = race::seq_len;
    Tensor tokens = from(race::integers(n * (t + 1), race::vocab, 3), {n, t + 1}, tg::kInt64);
    batches = {{tokens.narrow(1, 0, t), tokens.narrow(1, 1, t).reshape({-1})}};
  } else if (model == "attn_tiny") {
    net = std::make_shared<AttnTinyImpl>();
    opt = std::make_shared<optim::AdamW>(net->parameters(), optim::AdamWOptions(1e-3));
    const std::size_t n = race::attn_batch, t = race::seq_len;
    batches = {{from(race::integers(n * t, race::vocab, 4), {n, t}, tg::kInt64),
                from(race::integers(n, race::attn_classes, 5), {n}, tg::kInt64)}};
  } else {
    return nullptr;
  }
  if (race::uses_fmnist(model)) {
    const std::size_t size = race::fmnist_batch_size(model);
    tg::data::datasets::MNIST train(data);
    for (std::size_t k = 0; k < race::fmnist_batches; ++k) {
      Tensor x = train.images().narrow(0, k * size, size);  // a copy: tapegrad has no views
      batches.push_back({model == "cnn_fmnist" ? x : x.reshape({-1, 784}),
                         train.targets().narrow(0, k * size, size)});
    }
  }
  std::vector<Tensor> params = net->parameters();
  return [=, k = std::size_t(0)]() mutable {
    const auto& [x, y] = batches[k++ % batches.size()];
    opt->zero_grad();
    Tensor out = (*net)(x);
    Tensor loss = classify ? tg::losses::cross_entropy(out, y) : tg::losses::mse_loss(out, y);
    loss.backward();
    if (clip) optim::clip_grad_norm_(params, 1.0);
    opt->step();
  };
}

// ---------------------------------------------------------------- the BLAS floor
// The GEMMs of one mlp_fmnist forward + backward, nothing else: 3 forward products, then per
// layer dW = dYᵀ·X and (except the first layer, whose input needs no gradient) dX = dY·W.
// That is 8 GEMMs, 129 MFLOP at batch 128.
race::Step floor_step(const std::string& model) {
  if (model != "mlp_fmnist") return nullptr;
  struct Layer {
    int in, out;
    std::vector<float> w, dw, y, dy;
  };
  const int batch = 128;
  auto layers = std::make_shared<std::vector<Layer>>();
  for (auto [in, out] : {std::pair{784, 256}, {256, 128}, {128, 10}})
    layers->push_back({in, out, std::vector<float>(std::size_t(in) * out, 0.01f),
                       std::vector<float>(std::size_t(in) * out), std::vector<float>(batch * out),
                       std::vector<float>(batch * out, 0.01f)});
  auto x = std::make_shared<std::vector<float>>(std::size_t(batch) * 784, 0.5f);
  return [=] {
    const float* in = x->data();
    for (Layer& l : *layers) {  // Y = X·Wᵀ
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, l.out, l.in, 1, in, l.in,
                  l.w.data(), l.in, 0, l.y.data(), l.out);
      in = l.y.data();
    }
    for (std::size_t i = layers->size(); i-- > 0;) {
      Layer& l = (*layers)[i];
      const float* li = i ? (*layers)[i - 1].y.data() : x->data();
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l.out, l.in, batch, 1, l.dy.data(),
                  l.out, li, l.in, 0, l.dw.data(), l.in);  // dW = dYᵀ·X
      if (i)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, l.in, l.out, 1,
                    l.dy.data(), l.out, l.w.data(), l.in, 0, (*layers)[i - 1].dy.data(),
                    l.in);  // dX = dY·W
    }
  };
}

// ---------------------------------------------------------------- the driver
struct Result {
  double ms = bench::missing, peak_mb = bench::missing;
  std::string blas = "-";
};

std::string self_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string path(buf, n > 0 ? std::size_t(n) : 0);
  return path.substr(0, path.rfind('/') + 1);
}

// Runs one side in a child process with the driver's environment as is; a missing side or a
// failed run gives NaNs.
Result spawn(const std::string& exe, const std::string& side, const std::string& model,
             int threads, int rounds, const std::string& data) {
  std::string cmd = exe + " --side " + side + " --model " + model + " --threads " +
                    std::to_string(threads) + " --rounds " + std::to_string(rounds) +
                    " --data '" + data + "'";
  Result r;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char line[4096];
    double ms;
    long peak;
    while (std::fgets(line, sizeof line, p)) {
      std::string s(line);
      if (s.rfind("BLAS ", 0) == 0) r.blas = s.substr(5, s.size() - 6);
      if (std::sscanf(line, "RESULT %lf %ld", &ms, &peak) == 2) r.ms = ms, r.peak_mb = peak / 1024.0;
    }
    pclose(p);
  }
  return r;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// The machine and the settings the table was measured with.
void print_setup(const std::string& blas_tapegrad, const std::string& blas_torch) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::map<std::string, std::string> cpu;
  for (std::string line; std::getline(cpuinfo, line) && !line.empty();)
    if (std::size_t colon = line.find(':'); colon != std::string::npos)  // "cpu family\t: 25"
      cpu[line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1)] =
          line.substr(std::min(colon + 2, line.size()));
  std::string env;
  for (char** e = environ; *e; ++e)
    for (const char* prefix : {"OPENBLAS_", "OMP_", "GOMP_", "MALLOC_", "GLIBC_TUNABLES"})
      if (std::string(*e).rfind(prefix, 0) == 0) env += std::string(" ") + *e;
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", std::localtime(&now));
  std::printf("date: %s\ncpu: %s (family %s, model %s), %ld logical CPUs\n", date,
              cpu["model name"].c_str(), cpu["cpu family"].c_str(), cpu["model"].c_str(),
              sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("OpenBLAS mapped by tapegrad's process: %s\n", blas_tapegrad.c_str());
  std::printf("OpenBLAS mapped by libtorch's process: %s\n", blas_torch.c_str());
  std::printf("environment:%s\n", env.empty() ? " (no OPENBLAS_*, OMP_*, MALLOC_* settings)" : env.c_str());
  std::printf("threads (N = the thr column): tapegrad tg::set_num_threads(N); libtorch "
              "torch::set_num_threads(N) and at::set_num_interop_threads(1); floor "
              "openblas_set_num_threads(N); nothing else\n");
}

int drive(int repeat, int rounds, const std::string& data) {
  std::string dir = self_dir(), torch_exe = dir + "race_libtorch";
  bool have_torch = access(torch_exe.c_str(), X_OK) == 0;
  bool have_data = access((data + "/train-images-idx3-ubyte").c_str(), R_OK) == 0 &&
                   access((data + "/train-labels-idx1-ubyte").c_str(), R_OK) == 0;
  if (!have_torch)
    std::printf("race: %s not built (install libtorch-dev); libtorch columns skipped\n",
                torch_exe.c_str());
  if (!have_data)
    std::printf("race: no Fashion-MNIST training files (train-{images-idx3,labels-idx1}-ubyte) "
                "in %s: install Debian's dataset-fashion-mnist and rebuild the benchmarks "
                "target (it unpacks them there), or pass --data DIR; the mlp_fmnist, mlp_bn and "
                "cnn_fmnist rows are skipped\n", data.c_str());
  std::printf("\nTraining-step race: median ms per step (zero_grad, forward, loss, backward, "
              "[clip], step), float32\n");
  print_setup(spawn(dir + "race", "tapegrad", "none", 1, 1, data).blas,
              have_torch ? spawn(torch_exe, "libtorch", "none", 1, 1, data).blas : "-");
  std::printf("each side in its own process (libtorch's does not link tapegrad), sides in "
              "alternating order; times: median over %d runs of %d rounds; ratios: median of the "
              "per-run (back-to-back) ratios; peak = VmHWM after the data is loaded (MB)\n"
              "mlp_fmnist, mlp_bn, cnn_fmnist: the first %d Fashion-MNIST training batches, "
              "cycled (%s)\n", repeat, rounds, race::fmnist_batches, data.c_str());
  std::printf("%-11s %3s %9s %9s %9s | %8s %8s | %8s %8s %8s\n", "model", "thr", "tapegrad",
              "libtorch", "floor", "tg/torch", "tg/floor", "tg MB", "torch MB", "floor MB");
  for (const std::string& model : race::models) {
    if (race::uses_fmnist(model) && !have_data) continue;
    for (int threads : {1, 2}) {
      std::vector<std::pair<std::string, std::string>> sides = {{"tapegrad", dir + "race"}};
      if (have_torch) sides.push_back({"libtorch", torch_exe});
      if (model == "mlp_fmnist") sides.push_back({"floor", dir + "race"});
      std::map<std::string, std::vector<double>> ms, mb;
      for (int k = 0; k < repeat; ++k) {
        for (auto& [side, exe] : sides) {  // tapegrad first in even runs, last in odd ones
          Result r = spawn(exe, side, model, threads, rounds, data);
          ms[side].push_back(r.ms);
          mb[side].push_back(r.peak_mb);
        }
        std::reverse(sides.begin(), sides.end());
      }
      auto get = [](std::map<std::string, std::vector<double>>& m, const char* side) {
        return m.count(side) ? median(m[side]) : bench::missing;
      };
      // Ratios are medians of the per-run ratios: the sides of one run are measured back to
      // back, so a slow phase of a shared machine slows both and cancels out.
      auto ratio = [&](const char* side) {
        if (!ms.count(side)) return bench::missing;
        std::vector<double> r;
        for (int k = 0; k < repeat; ++k) r.push_back(ms["tapegrad"][k] / ms[side][k]);
        return median(r);
      };
      std::printf("%-11s %3d %9s %9s %9s | %8s %8s | %8s %8s %8s\n", model.c_str(), threads,
                  bench::fmt(get(ms, "tapegrad"), 3).c_str(),
                  bench::fmt(get(ms, "libtorch"), 3).c_str(),
                  bench::fmt(get(ms, "floor"), 3).c_str(), bench::fmt(ratio("libtorch")).c_str(),
                  bench::fmt(ratio("floor")).c_str(), bench::fmt(get(mb, "tapegrad"), 1).c_str(),
                  bench::fmt(get(mb, "libtorch"), 1).c_str(),
                  bench::fmt(get(mb, "floor"), 1).c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = race::parse_args(argc, argv, {{"--side", ""}, {"--model", "none"},
                                            {"--threads", "1"}, {"--rounds", "15"},
                                            {"--repeat", "7"}, {"--data", self_dir() + "fashion-mnist"}});
  const std::string side = args["--side"];
  if (args.empty() || !(side.empty() || side == "tapegrad" || side == "floor")) {
    std::fprintf(stderr, "usage: race [--repeat K] [--rounds R] [--data DIR] | --side tapegrad|"
                         "floor --model M --threads N [--rounds R] [--data DIR]\n");
    return 2;
  }
  if (side.empty()) return drive(std::stoi(args["--repeat"]), std::stoi(args["--rounds"]), args["--data"]);
  const int threads = std::stoi(args["--threads"]);
  if (side == "tapegrad") tg::set_num_threads(threads);
  else openblas_set_num_threads(threads);
  return race::run_side(side, args["--model"], std::stoi(args["--rounds"]), [&] {
    return side == "tapegrad" ? tapegrad_step(args["--model"], args["--data"])
                              : floor_step(args["--model"]);
  });
}
