#include "progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "spax/report/text_format.hpp"

namespace spax::app {

Progress::Mode Progress::mode_for_stderr() {
  const bool tty = ::isatty(2) != 0;
  if (const char* v = std::getenv("SPAX_PROGRESS"); v && *v) {
    if (std::strcmp(v, "0") == 0) return Mode::off;
    return tty ? Mode::terminal : Mode::lines;
  }
  return tty ? Mode::terminal : Mode::off;
}

Progress::Progress(std::string task, std::size_t total)
    : Progress(std::move(task), total, mode_for_stderr(), std::cerr) {}

Progress::Progress(std::string task, std::size_t total, Mode mode, std::ostream& out)
    : task_(std::move(task)),
      total_(total),
      mode_(mode),
      out_(out),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  // Not finished: the command failed. The terminal line is erased (the error follows on its
  // own line); no "done" is claimed.
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!finished_ && mode_ == Mode::terminal && drew_) out_ << "\r\033[K" << std::flush;
    finished_ = true;
  } catch (...) {
  }
}

std::string Progress::format(const std::string& task, std::size_t done, std::size_t total,
                             double seconds, const std::string& what) {
  std::string s = "spax " + task + ": ";
  if (total > 0) {
    const std::size_t width = 20;
    const std::size_t filled = std::min(width, width * done / total);
    s += "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " +
         std::to_string(done) + "/" + std::to_string(total) + " ";
  }
  s += format_seconds(seconds);
  if (!what.empty()) s += " " + what;
  return s;
}

void Progress::set_total(std::size_t total) {
  std::lock_guard<std::mutex> lock(mutex_);
  total_ = total;
}

void Progress::update(std::size_t done, std::size_t total, const std::string& what) {
  if (mode_ == Mode::off) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = done;
    total_ = total;
  }
  step(what, false);
}

void Progress::step(const std::string& what, bool advance) {
  if (mode_ == Mode::off) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  if (advance) ++done_;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = format(task_, done_, total_, t, what);
  if (mode_ == Mode::terminal) {
    // Redrawn in place, cut to a terminal's width so that it never wraps.
    if (line.size() > 100) line.resize(100);
    out_ << "\r\033[K" << line << std::flush;
    drew_ = true;
  } else {
    out_ << line << '\n' << std::flush;
  }
}

void Progress::finish() {
  if (mode_ == Mode::off) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  finished_ = true;
  if (mode_ == Mode::terminal) {
    // The line is erased: the report follows on stdout, a clean terminal.
    if (drew_) out_ << "\r\033[K" << std::flush;
  } else {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    out_ << format(task_, done_, total_, t, "done") << '\n' << std::flush;
  }
}

}  // namespace spax::app
