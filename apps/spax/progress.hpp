// Progress on stderr for long commands (analyze's phases and orderings, bench's cases): on a
// terminal one line redrawn in place; nothing when stderr is not a terminal, so pipes, files and
// CI logs stay clean. SPAX_PROGRESS=1 forces it on (one plain line per step, for logs and the
// tests), SPAX_PROGRESS=0 off. Thread-safe: steps may come from worker threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <mutex>
#include <string>

namespace spax::app {

class Progress {
 public:
  enum class Mode { off, terminal, lines };
  // The mode for stderr: SPAX_PROGRESS=1 -> lines (terminal when stderr is one), 0 -> off,
  // unset -> terminal on a terminal, else off.
  static Mode mode_for_stderr();

  // `task` names the command ("analyze", "bench"); `total` steps, 0 when unknown (no bar).
  Progress(std::string task, std::size_t total = 0);
  Progress(std::string task, std::size_t total, Mode mode, std::ostream& out);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Announces what runs now; `advance` counts one more step done first (for a bar).
  void step(const std::string& what, bool advance = false);
  // Counts one step done with its name (bench: a case finished).
  void advance(const std::string& what) { step(what, true); }
  void set_total(std::size_t total);
  // Sets the count from the caller's own (a library callback's done of total) and shows `what`.
  void update(std::size_t done, std::size_t total, const std::string& what);
  // Ends the line (terminal) and says how long it took (lines). The destructor of a progress
  // that was not finished (the command failed) only erases the terminal line.
  void finish();
  bool enabled() const { return mode_ != Mode::off; }

  // The text of one update, without terminal control codes (what `lines` mode prints):
  // "spax analyze: [#####.....] 3/6 1.2 s amd" or "spax analyze: 1.2 s LU fill".
  static std::string format(const std::string& task, std::size_t done, std::size_t total,
                            double seconds, const std::string& what);

 private:
  std::string task_;
  std::size_t total_ = 0, done_ = 0;
  Mode mode_;
  std::ostream& out_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
  bool drew_ = false;
};

}  // namespace spax::app
