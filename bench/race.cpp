// Training-step race: median ms per full step (zero_grad, forward, loss, backward, step) of the
// same model in tapegrad and libtorch, plus the raw BLAS floor of the 784-256-128-10 MLP. Every
// side runs in its own process so its peak resident memory (VmHWM) is its own:
//   race                                  driver: runs every side, prints the table
//   race --side tapegrad|floor --model M --threads N
//   race_libtorch --side libtorch --model M --threads N   (built only with libtorch)
// Inputs are one fixed random batch (data loading is not part of the race).
#include <tapegrad/tapegrad.hpp>

#include "bench.hpp"

#include <cblas.h>  // the floor; this file must not include xtensor-blas

#ifdef TAPEGRAD_BENCH_TORCH
#include <torch/torch.h>
#endif

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>

namespace {

using Step = std::function<void()>;
const std::vector<std::string> models = {"mlp_fmnist", "mlp_tiny", "linreg", "cnn_fmnist"};

// ---------------------------------------------------------------- tapegrad
Step tapegrad_step(const std::string& model) {
  namespace nn = tg::nn;
  namespace optim = tg::optim;
  tg::manual_seed(0);
  std::shared_ptr<nn::Module> net;
  std::shared_ptr<optim::Optimizer> opt;
  tg::Tensor x, y;
  bool classify = model != "mlp_tiny" && model != "linreg";
  if (model == "mlp_fmnist") {
    net = std::make_shared<nn::SequentialImpl>(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128),
                                           nn::ReLU(), nn::Linear(128, 10));
    opt = std::make_shared<optim::SGD>(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    x = tg::rand({128, 784});
    y = tg::randint(0, 10, {128});
  } else if (model == "mlp_tiny") {
    net = std::make_shared<nn::SequentialImpl>(nn::Linear(2, 16), nn::Tanh(), nn::Linear(16, 16),
                                           nn::Tanh(), nn::Linear(16, 1));
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(1e-3));
    x = tg::randn({32, 2});
    y = tg::randn({32, 1});
  } else if (model == "linreg") {
    net = std::make_shared<nn::LinearImpl>(1, 1);
    opt = std::make_shared<optim::SGD>(net->parameters(), optim::SGDOptions(0.01));
    x = tg::rand({200, 1}) * 4.0 - 2.0;  // as examples/linear_regression: 200 points, full batch
    y = 3.0 * x + 2.0;
  } else {
    net = std::make_shared<nn::SequentialImpl>(
        nn::Conv2d(1, 8, 3, 1, 1), nn::ReLU(), nn::MaxPool2d(2), nn::Conv2d(8, 16, 3, 1, 1),
        nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(784, 10));
    opt = std::make_shared<optim::Adam>(net->parameters(), optim::AdamOptions(1e-3));
    x = tg::rand({64, 1, 28, 28});
    y = tg::randint(0, 10, {64});
  }
  return [=] {
    opt->zero_grad();
    tg::Tensor out = (*net)(x);
    tg::Tensor loss = classify ? tg::losses::cross_entropy(out, y) : tg::losses::mse_loss(out, y);
    loss.backward();
    opt->step();
  };
}

// ---------------------------------------------------------------- the BLAS floor
// The GEMMs of one mlp_fmnist forward + backward, nothing else: 3 forward products, then per
// layer dW = dYᵀ·X and (except the first layer, whose input needs no gradient) dX = dY·W.
// That is 8 GEMMs, 129 MFLOP at batch 128.
Step floor_step(const std::string& model) {
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

// ---------------------------------------------------------------- libtorch
#ifdef TAPEGRAD_BENCH_TORCH
Step libtorch_step(const std::string& model) {
  namespace nn = torch::nn;
  namespace F = torch::nn::functional;
  torch::manual_seed(0);
  nn::Sequential net;
  std::shared_ptr<torch::optim::Optimizer> opt;
  torch::Tensor x, y;
  bool classify = model != "mlp_tiny" && model != "linreg";
  if (model == "mlp_fmnist") {
    net = nn::Sequential(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(),
                         nn::Linear(128, 10));
    opt = std::make_shared<torch::optim::SGD>(net->parameters(),
                                              torch::optim::SGDOptions(0.01).momentum(0.9));
    x = torch::rand({128, 784});
    y = torch::randint(0, 10, {128}, torch::kLong);
  } else if (model == "mlp_tiny") {
    net = nn::Sequential(nn::Linear(2, 16), nn::Tanh(), nn::Linear(16, 16), nn::Tanh(),
                         nn::Linear(16, 1));
    opt = std::make_shared<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-3));
    x = torch::randn({32, 2});
    y = torch::randn({32, 1});
  } else if (model == "linreg") {
    net = nn::Sequential(nn::Linear(1, 1));
    opt = std::make_shared<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(0.01));
    x = torch::rand({200, 1}) * 4 - 2;
    y = 3 * x + 2;
  } else {
    net = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 8, 3).padding(1)), nn::ReLU(),
                         nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)),
                         nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(784, 10));
    opt = std::make_shared<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-3));
    x = torch::rand({64, 1, 28, 28});
    y = torch::randint(0, 10, {64}, torch::kLong);
  }
  std::vector<torch::Tensor> params = net->parameters();
  return [=]() mutable {
    for (auto& p : params) p.mutable_grad().reset();  // zero_grad(set_to_none), as tapegrad's
    torch::Tensor out = net->forward(x);
    torch::Tensor loss = classify ? F::cross_entropy(out, y) : F::mse_loss(out, y);
    loss.backward();
    opt->step();
  };
}
#endif

// ---------------------------------------------------------------- one side, one process
int run_side(const std::string& side, const std::string& model, int threads, int rounds) {
  long base_kb = bench::status_kb("VmRSS");
  tg::set_num_threads(threads);  // OpenBLAS: also libtorch's BLAS (libblas.so.3 -> OpenBLAS)
  Step step;
  if (side == "tapegrad") step = tapegrad_step(model);
  if (side == "floor") step = floor_step(model);
#ifdef TAPEGRAD_BENCH_TORCH
  if (side == "libtorch") {
    torch::set_num_threads(threads);
    at::set_num_interop_threads(1);
    step = libtorch_step(model);
  }
#endif
  if (!step) {
    std::fprintf(stderr, "race: side %s is not available for %s in this binary\n", side.c_str(),
                 model.c_str());
    return 2;
  }
  double ms = bench::median_us({{side, step}}, rounds, 30)[0] / 1000;
  std::printf("RESULT %.6f %ld %ld\n", ms, bench::status_kb("VmHWM"), base_kb);
  return 0;
}

// ---------------------------------------------------------------- the driver
struct Result {
  double ms = bench::missing, peak_mb = bench::missing;
};

std::string self_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string path(buf, n > 0 ? std::size_t(n) : 0);
  return path.substr(0, path.rfind('/') + 1);
}

// Runs one side in a child process; a missing side gives NaNs.
Result spawn(const std::string& exe, const std::string& side, const std::string& model,
             int threads, int rounds) {
  // libtorch runs with the BLAS Debian gives it (libblas.so.3 -> OpenBLAS's pthread build), not
  // with the OpenMP build tapegrad links: both resolve libopenblas.so.0 from the pthread build's
  // folder (found by CMake beside the OpenBLAS it found; empty when there is none).
  const std::string torch_blas = TAPEGRAD_BENCH_TORCH_BLAS_DIR;
  std::string env = side == "libtorch" && !torch_blas.empty()
                        ? "LD_LIBRARY_PATH=" + torch_blas + " "
                        : "";
  std::string cmd = env + exe + " --side " + side + " --model " + model + " --threads " +
                    std::to_string(threads) + " --rounds " + std::to_string(rounds);
  Result r;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char line[256];
    double ms;
    long peak, base;
    while (std::fgets(line, sizeof line, p))
      if (std::sscanf(line, "RESULT %lf %ld %ld", &ms, &peak, &base) == 3)
        r = {ms, double(peak) / 1024};
    pclose(p);
  }
  return r;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
  return v[v.size() / 2];
}

int drive(int repeat, int rounds) {
  std::string dir = self_dir(), torch_exe = dir + "race_libtorch";
  bool have_torch = access(torch_exe.c_str(), X_OK) == 0;
  if (!have_torch)
    std::printf("race: %s not built (install libtorch-dev); libtorch columns skipped\n",
                torch_exe.c_str());
  std::printf("\nTraining-step race: median ms per step (zero_grad, forward, loss, backward, step);"
              "\neach side in its own process, median over %d runs of %d rounds (ratios: median of "
              "the per-run ratios); peak = VmHWM (MB)\n", repeat, rounds);
  std::printf("%-11s %3s %9s %9s %9s | %8s %8s | %8s %8s %8s\n", "model", "thr", "tapegrad",
              "libtorch", "floor", "tg/torch", "tg/floor", "tg MB", "torch MB", "floor MB");
  for (const std::string& model : models)
    for (int threads : {1, 2}) {
      std::map<std::string, std::vector<double>> ms, mb;
      for (int k = 0; k < repeat; ++k) {
        std::vector<std::pair<std::string, std::string>> sides = {{"tapegrad", dir + "race"}};
        if (have_torch) sides.push_back({"libtorch", torch_exe});
        if (model == "mlp_fmnist") sides.push_back({"floor", dir + "race"});
        for (auto& [side, exe] : sides) {
          Result r = spawn(exe, side, model, threads, rounds);
          ms[side].push_back(r.ms);
          mb[side].push_back(r.peak_mb);
        }
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
    }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args = {
      {"--side", ""}, {"--model", "mlp_fmnist"}, {"--threads", "1"}, {"--rounds", "15"},
      {"--repeat", "7"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!args.count(argv[i])) {
      std::fprintf(stderr, "usage: race [--repeat K] [--rounds R] | --side tapegrad|libtorch|"
                           "floor --model M --threads N [--rounds R]\n");
      return 2;
    }
    args[argv[i]] = argv[i + 1];
  }
  int rounds = std::stoi(args["--rounds"]);
  if (args["--side"].empty()) return drive(std::stoi(args["--repeat"]), rounds);
  return run_side(args["--side"], args["--model"], std::stoi(args["--threads"]), rounds);
}
