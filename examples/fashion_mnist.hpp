#pragma once
// The training program behind fashion_mnist_mlp.cpp and fashion_mnist_cnn.cpp, which only
// define their model. Read run() below: load the data, build the model and the optimizer, then
// for every epoch loop over shuffled mini-batches (forward, loss, backward, step), evaluate on
// the test set, and at the end plot the curves, save the weights and reload them.
#include <tapegrad/tapegrad.hpp>

#include <xtensor/xarray.hpp>  // the pixels, standardised in place

#include "common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace fashion {

struct Options {
  int epochs = 5;
  std::size_t batch_size = 64;
  double lr = 1e-3;
  std::string optimizer = "adam";
  std::uint64_t seed = 0;
  std::string output;
  std::size_t limit = 0;  // 0: all 60000 training images
  std::string data = "/usr/share/datasets/fashion-mnist";
  int threads = 0;  // 0: tapegrad's default (one, or OMP_NUM_THREADS)
  double min_accuracy = 0;
};

inline void add_options(CLI::App& app, Options& o) {
  app.add_option("--epochs", o.epochs, "passes over the training set")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o.batch_size, "samples per step")->check(CLI::PositiveNumber);
  app.add_option("--lr", o.lr, "initial learning rate (cosine-annealed to 0 over the epochs)")
      ->check(CLI::PositiveNumber);
  app.add_option("--optimizer", o.optimizer, "adam, or sgd (momentum 0.9)")
      ->check(CLI::IsMember({"adam", "sgd"}));
  app.add_option("--seed", o.seed, "random seed (initial weights and shuffling)");
  app.add_option("--output", o.output, "folder for curves.svg, history.csv and model.npz");
  app.add_option("--limit", o.limit, "train on the first N images only (0: all)");
  app.add_option("--data", o.data, "folder with the Fashion-MNIST IDX files");
  app.add_option("--threads", o.threads, "BLAS threads (0: default)");
  app.add_option("--min-accuracy", o.min_accuracy,
                 "exit with status 1 if the final test accuracy (%) is below this");
}

// Per-epoch results, and the smoothed loss of every batch, for the plot and history.csv.
struct History {
  std::vector<std::pair<double, double>> batch_loss;  // (position in epochs, smoothed loss)
  std::vector<double> train_loss, train_accuracy, test_loss, test_accuracy, seconds;
};

inline double correct(const tg::Tensor& logits, const tg::Tensor& labels) {
  return tg::sum(tg::eq(tg::argmax(logits, 1), labels)).item();
}

struct Score {
  double loss, accuracy;
};

// Mean cross-entropy and accuracy over (x, y), in eval mode and without recording a tape.
inline Score evaluate(tg::nn::Module& model, const tg::Tensor& x, const tg::Tensor& y) {
  tg::NoGradGuard no_grad;
  model.eval();
  double loss = 0, hits = 0;
  tg::data::DataLoader loader(tg::data::TensorDataset(x, y), tg::data::DataLoaderOptions(1000));
  for (auto& [bx, by] : loader) {
    tg::Tensor logits = model(bx);
    loss += tg::losses::cross_entropy(logits, by).item() * double(bx.size(0));
    hits += correct(logits, by);
  }
  const double n = double(x.size(0));
  return {loss / n, hits / n};
}

// Two panels drawn by hand as SVG: loss (smoothed per batch, train and test per epoch) and
// accuracy (train and test per epoch), both against epochs.
struct Series {
  std::vector<std::pair<double, double>> points;
  const char* color;
  const char* label;
  bool markers;
};

// A tick spacing of 1, 2 or 5 times a power of ten giving about 5 intervals over `range`.
inline double nice_step(double range) {
  const double magnitude = std::pow(10, std::floor(std::log10(range / 5)));
  for (double m : {1, 2, 5})
    if (range / (m * magnitude) <= 6) return m * magnitude;
  return 10 * magnitude;
}

// y_min and y_max are rounded outwards to whole ticks.
inline void draw_panel(std::ostream& svg, double left, const char* title, const char* unit,
                       double x_max, double y_min, double y_max, const std::vector<Series>& series) {
  const double top = 50, w = 380, h = 260, step = nice_step(y_max - y_min);
  y_min = std::floor(y_min / step) * step;
  y_max = std::ceil(y_max / step) * step;
  auto px = [&](double x) { return left + w * x / x_max; };
  auto py = [&](double y) { return top + h * (y_max - y) / (y_max - y_min); };
  svg << "<text x='" << left + w / 2 << "' y='30' text-anchor='middle' font-size='16'>" << title
      << "</text>\n";
  for (double y = y_min; y <= y_max + step / 2; y += step) {  // horizontal grid and y labels
    char label[32];
    std::snprintf(label, sizeof label, "%.3g%s", y, unit);
    svg << "<line x1='" << left << "' x2='" << left + w << "' y1='" << py(y) << "' y2='" << py(y)
        << "' stroke='#ddd'/><text x='" << left - 6 << "' y='" << py(y) + 4
        << "' text-anchor='end'>" << label << "</text>\n";
  }
  const int x_step = std::max(1, int(std::ceil(x_max / 10)));
  for (int e = 0; e <= int(x_max); e += x_step)
    svg << "<text x='" << px(e) << "' y='" << top + h + 18 << "' text-anchor='middle'>" << e
        << "</text>\n";
  svg << "<text x='" << left + w / 2 << "' y='" << top + h + 38
      << "' text-anchor='middle'>epoch</text>\n<rect x='" << left << "' y='" << top
      << "' width='" << w << "' height='" << h << "' fill='none' stroke='#444'/>\n";
  for (std::size_t s = 0; s < series.size(); ++s) {
    const Series& line = series[s];
    svg << "<polyline fill='none' stroke='" << line.color << "' stroke-width='"
        << (line.markers ? 2 : 1) << "' points='";
    for (auto [x, y] : line.points) svg << px(x) << ',' << py(y) << ' ';
    svg << "'/>\n";
    if (line.markers)
      for (auto [x, y] : line.points)
        svg << "<circle cx='" << px(x) << "' cy='" << py(y) << "' r='3.5' fill='" << line.color
            << "'/>\n";
    const double ly = top + 18 + 18 * double(s);  // legend, top right
    svg << "<line x1='" << left + w - 150 << "' x2='" << left + w - 128 << "' y1='" << ly - 4
        << "' y2='" << ly - 4 << "' stroke='" << line.color << "' stroke-width='3'/><text x='"
        << left + w - 122 << "' y='" << ly << "'>" << line.label << "</text>\n";
  }
}

inline void write_curves_svg(const std::string& path, const std::string& title,
                             const History& h) {
  auto per_epoch = [](const std::vector<double>& v, double scale) {
    std::vector<std::pair<double, double>> points;
    for (std::size_t e = 0; e < v.size(); ++e) points.emplace_back(double(e + 1), scale * v[e]);
    return points;
  };
  const double epochs = double(h.test_loss.size());
  double loss_max = 0, accuracy_min = 100;
  for (auto [x, y] : h.batch_loss) loss_max = std::max(loss_max, y);
  for (double v : h.test_loss) loss_max = std::max(loss_max, v);
  for (const auto* v : {&h.train_accuracy, &h.test_accuracy})
    for (double a : *v) accuracy_min = std::min(accuracy_min, 100 * a);
  std::ofstream svg(path);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='940' height='380' "
         "font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' "
         "fill='white'/>\n<text x='470' y='372' text-anchor='middle' fill='#666'>"
      << title << "</text>\n";
  draw_panel(svg, 60, "loss (cross-entropy)", "", epochs, 0, loss_max,
             {{h.batch_loss, "#9ecae1", "train (per batch)", false},
              {per_epoch(h.train_loss, 1), "#1f77b4", "train (epoch mean)", true},
              {per_epoch(h.test_loss, 1), "#d62728", "test", true}});
  draw_panel(svg, 530, "accuracy", "%", epochs, std::min(accuracy_min, 95.0), 100,
             {{per_epoch(h.train_accuracy, 100), "#1f77b4", "train", true},
              {per_epoch(h.test_accuracy, 100), "#d62728", "test", true}});
  svg << "</svg>\n";
  if (!svg) throw tg::IOError("cannot write " + path);
}

inline void write_history_csv(const std::string& path, const History& h) {
  std::ofstream csv(path);
  csv << "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n";
  for (std::size_t e = 0; e < h.test_loss.size(); ++e)
    csv << e + 1 << ',' << h.train_loss[e] << ',' << h.train_accuracy[e] << ',' << h.test_loss[e]
        << ',' << h.test_accuracy[e] << ',' << h.seconds[e] << '\n';
}

using ModelFactory = std::function<std::shared_ptr<tg::nn::Module>()>;

inline int run(const std::string& title, const ModelFactory& make_model, const Options& o) {
  tg::manual_seed(o.seed);
  if (o.threads > 0) tg::set_num_threads(o.threads);
  auto [train_x, train_y] = tg::data::load_fashion_mnist(o.data, true);
  auto [test_x, test_y] = tg::data::load_fashion_mnist(o.data, false);
  if (o.limit > 0 && o.limit < train_x.size(0)) {
    train_x = tg::narrow(train_x, 0, 0, o.limit);
    train_y = tg::narrow(train_y, 0, 0, o.limit);
  }
  // Standardise with the training set's statistics (mean 0, std 1 trains faster than [0, 1]).
  // The sums run in double (47 million float32 additions would lose digits) and the pixels are
  // rewritten in place: the 188 MB of training images are never copied.
  double sum = 0, sum_of_squares = 0;
  for (float p : train_x.value<float>()) {
    sum += p;
    sum_of_squares += double(p) * p;
  }
  const double n = double(train_x.numel()), mean = sum / n;
  const double deviation = std::sqrt(sum_of_squares / n - mean * mean);
  for (tg::Tensor* x : {&train_x, &test_x})
    for (float& p : x->mutable_value<float>()) p = float((p - mean) / deviation);
  std::printf("%s: %zu training and %zu test images (pixel mean %.4f, std %.4f)\n", title.c_str(),
              train_x.size(0), test_x.size(0), mean, deviation);

  std::shared_ptr<tg::nn::Module> model = make_model();
  std::cout << *model << '\n';
  std::unique_ptr<tg::optim::Optimizer> optimizer;
  if (o.optimizer == "adam")
    optimizer = std::make_unique<tg::optim::Adam>(model->parameters(), tg::optim::AdamOptions(o.lr));
  else
    optimizer = std::make_unique<tg::optim::SGD>(model->parameters(),
                                                 tg::optim::SGDOptions(o.lr).momentum(0.9));
  tg::optim::CosineAnnealingLR schedule(*optimizer, o.epochs);  // lr: o.lr → 0 over the run

  tg::data::DataLoader loader(
      tg::data::TensorDataset(train_x, train_y),
      tg::data::DataLoaderOptions(o.batch_size).shuffle(true).seed(o.seed));
  History history;
  double smoothed = 0;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    model->train();
    examples::ProgressBar bar(epoch, o.epochs, loader.size());
    double loss_sum = 0, hits = 0;
    std::size_t seen = 0, step = 0;
    for (auto& [x, y] : loader) {
      optimizer->zero_grad();
      tg::Tensor logits = (*model)(x);
      tg::Tensor loss = tg::losses::cross_entropy(logits, y);  // mean over the batch
      const double value = loss.item();
      examples::check_finite(value, o.lr, "epoch " + std::to_string(epoch) + ", step " +
                                              std::to_string(step + 1));
      loss.backward();
      optimizer->step();

      const double n = double(x.size(0));
      seen += x.size(0);
      loss_sum += value * n;
      hits += correct(logits, y);
      smoothed = history.batch_loss.empty() ? value : 0.95 * smoothed + 0.05 * value;
      history.batch_loss.emplace_back(epoch - 1 + double(++step) / double(loader.size()), smoothed);
      bar.update(step, loss_sum / double(seen), hits / double(seen), seen);
    }
    const double seconds = bar.seconds();
    schedule.step();
    const Score test = evaluate(*model, test_x, test_y);
    history.train_loss.push_back(loss_sum / double(seen));
    history.train_accuracy.push_back(hits / double(seen));
    history.test_loss.push_back(test.loss);
    history.test_accuracy.push_back(test.accuracy);
    history.seconds.push_back(seconds);
    bar.clear();
    std::printf("epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.1fs\n",
                epoch, o.epochs, history.train_loss.back(), 100 * history.train_accuracy.back(),
                test.loss, 100 * test.accuracy, seconds);
    std::fflush(stdout);
  }

  std::filesystem::create_directories(o.output);
  const std::string folder = o.output + "/";
  write_curves_svg(folder + "curves.svg", title, history);
  write_history_csv(folder + "history.csv", history);
  tg::nn::save(*model, folder + "model.npz");
  // The saved weights in a freshly initialised model must give exactly the same predictions.
  std::shared_ptr<tg::nn::Module> reloaded = make_model();
  tg::nn::load(*reloaded, folder + "model.npz");
  const Score again = evaluate(*reloaded, test_x, test_y);
  const double accuracy = 100 * history.test_accuracy.back();
  std::printf("wrote %scurves.svg, %shistory.csv, %smodel.npz\n", folder.c_str(), folder.c_str(),
              folder.c_str());
  std::printf("reloaded model.npz into a fresh model: test acc %.2f%% (%s)\n", 100 * again.accuracy,
              again.accuracy == history.test_accuracy.back() ? "same" : "DIFFERENT");
  if (again.accuracy != history.test_accuracy.back()) return 1;
  if (accuracy < o.min_accuracy) {
    std::printf("test accuracy %.2f%% is below --min-accuracy %.2f%%\n", accuracy, o.min_accuracy);
    return 1;
  }
  return 0;
}

// main() of both examples: parse the options, run, and turn errors into a message.
inline int main(int argc, char** argv, const std::string& title, const std::string& output,
                const ModelFactory& make_model) {
  examples::App app{title + " on Fashion-MNIST (Debian package dataset-fashion-mnist)."};
  Options o;
  o.output = output;
  add_options(app, o);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(title, make_model, o);
  } catch (const tg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace fashion
