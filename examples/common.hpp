#pragma once
// What every example shares: a command line whose --help shows the defaults, a stop when the
// loss diverges, and a progress bar that fits the terminal.
#include <CLI/CLI.hpp>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace examples {

// A CLI11 command line whose --help lists every option with its default value.
struct App : CLI::App {
  explicit App(std::string description) : CLI::App(std::move(description)) {
    option_defaults()->always_capture_default();
  }
};

// A loss that is NaN or infinite stays so: the next step spreads it into every weight. Stop
// there, say where and what to try, and exit with status 1 (a script must not take a NaN run
// for a finished one). `where` is e.g. "epoch 12".
inline void check_finite(double loss, double lr, const std::string& where) {
  if (std::isfinite(loss)) return;
  std::fflush(stdout);
  std::fprintf(stderr,
               "error: the loss is %g at %s with learning rate %g: training diverged (each step "
               "overshoots further than the last). Try a smaller learning rate, e.g. %g.\n",
               loss, where.c_str(), lr, lr / 10);
  std::exit(1);
}

// Columns of the terminal on stdout: the kernel's window size, else $COLUMNS, else 80.
inline int terminal_width() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns && std::atoi(columns) > 0)
    return std::atoi(columns);
  return 80;
}

// One epoch's progress on one line, redrawn in place (\r) at most 10 times a second and as wide
// as the terminal, when stdout is a terminal. Into a file or a pipe it writes nothing: the
// caller's plain per-epoch lines are the whole log there.
class ProgressBar {
 public:
  ProgressBar(int epoch, int epochs, std::size_t batches)
      : epoch_(epoch), epochs_(epochs), batches_(batches), live_(isatty(STDOUT_FILENO)) {}

  void update(std::size_t done, double loss, double accuracy, std::size_t samples) {
    const double elapsed = seconds();
    if (!live_ || (done < batches_ && elapsed - last_draw_ < 0.1)) return;
    last_draw_ = elapsed;
    char head[32], tail[128];
    std::snprintf(head, sizeof head, "epoch %d/%d ", epoch_, epochs_);
    // Fixed-width fields, so that the bar keeps its width from one draw to the next.
    const int digits = int(std::to_string(batches_).size());
    std::snprintf(tail, sizeof tail, " %*zu/%zu loss %.4f acc %5.1f%% %5.0f/s ETA %4.0fs",
                  digits, done, batches_, loss, 100 * accuracy,
                  double(samples) / std::max(elapsed, 1e-9),
                  elapsed * double(batches_ - done) / double(std::max<std::size_t>(done, 1)));
    // The bar gets the columns the text leaves; the last column stays empty, since writing it
    // makes some terminals wrap. Too narrow for a bar: the text alone, cut to fit.
    const int columns = terminal_width() - 1;
    const int width = columns - int(std::strlen(head) + std::strlen(tail)) - 2;
    std::string line = head;
    if (width >= 10) {
      const int filled = int(std::size_t(width) * done / batches_);
      line += '[' + std::string(filled, '#') + std::string(width - filled, '.') + ']';
    }
    line += tail;
    line.resize(columns, ' ');  // spaces cover the longer text of the last draw
    std::printf("\r%s", line.c_str());
    std::fflush(stdout);
  }
  // Erases the bar, so that the line printed next takes its place.
  void clear() const {
    if (live_ && last_draw_ >= 0)
      std::printf("\r%s\r", std::string(terminal_width() - 1, ' ').c_str());
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  int epoch_, epochs_;
  std::size_t batches_;
  bool live_;
  double last_draw_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace examples
