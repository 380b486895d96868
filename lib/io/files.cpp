// Whole-or-nothing file output (removed on an interrupt), output and input checks, number
// formatting (.npy files: npy.cpp).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "io/interrupt_note.hpp"
#include "spax/io.hpp"

namespace spax {

namespace fs = std::filesystem;

std::string format_double(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) throw_internal("cannot format a number");
  return std::string(buf, p);
}

namespace {

// The temporary files being written, for the interrupt handler: fixed slots (no allocation in
// the handler), each free (0), being filled in (1) or holding a live path (2).
constexpr int kTempSlots = 64;
constexpr std::size_t kTempPathMax = 4096;
struct TempSlot {
  std::atomic<int> state{0};
  char path[kTempPathMax];
};
TempSlot g_temp_slots[kTempSlots];

// Registers a live temporary path; returns its slot or -1 (all slots busy, or too long a path:
// then an interrupt may leave that file behind, as without a handler).
int register_temp(const std::string& path) {
  if (path.size() >= kTempPathMax) return -1;
  for (int k = 0; k < kTempSlots; ++k) {
    int expected = 0;
    if (!g_temp_slots[k].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(g_temp_slots[k].path, path.c_str(), path.size() + 1);
    g_temp_slots[k].state.store(2);
    return k;
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) g_temp_slots[slot].state.store(0);
}

// A line written on SIGTERM before the process ends (rank 0 of a multi-process job: the launcher
// stops the job that way when another rank dies). Set once, before any signal can use it.
std::atomic<const char*> g_termination_note{nullptr};

extern "C" void spax_on_interrupt(int sig) {
  remove_temp_files_now();
  if (const char* note = g_termination_note.load(); note && sig == SIGTERM) {
    const ssize_t unused = ::write(2, note, std::strlen(note));
    (void)unused;
  }
  // SA_RESETHAND restored the default action; the signal is blocked until this returns, then
  // ends the process as it would have without the handler.
  ::raise(sig);
}

}  // namespace

void set_termination_note(const char* line) noexcept {
  g_termination_note.store(line);
}

void remove_temp_files_now() noexcept {
  for (auto& slot : g_temp_slots)
    if (slot.state.load() == 2) ::unlink(slot.path);
}

void install_interrupt_cleanup() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = spax_on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &sa, nullptr);
  }
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  if (path.empty()) throw_usage("empty output file name");
  static std::atomic<unsigned> counter{0};
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw_input("cannot write: directory " + dir.string() + " does not exist", path);
  std::random_device rd;
  std::string tmp_name = ".";
  tmp_name.append(target.filename().string());
  tmp_name.append(".tmp-");
  tmp_name.append(std::to_string(::getpid()));
  tmp_name.append("-");
  tmp_name.append(std::to_string(counter++));
  tmp_name.append("-");
  tmp_name.append(std::to_string(rd() % 1000000));
  fs::path tmp = dir / tmp_name;
  // Registered before it exists, so an interrupt at any point removes it.
  const int slot = register_temp(fs::absolute(tmp, ec).string());
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw_input("cannot write (permission or disk?)", path);
      fill(out);
      out.flush();
      if (!out) throw_input("write failed (disk full?)", path);
    }
    // Make the data durable before the rename publishes it.
    int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    fs::rename(tmp, target, ec);
    if (ec) throw_input("cannot rename the temporary file into place: " + ec.message(), path);
    unregister_temp(slot);
  } catch (...) {
    fs::remove(tmp, ec);
    unregister_temp(slot);
    throw;
  }
}

bool is_stdout_path(const std::string& path) noexcept {
  return path == "-";
}

void write_output(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  if (!is_stdout_path(path)) return write_file_atomic(path, fill);
  fill(std::cout);
  std::cout.flush();
  if (!std::cout) throw_input("could not write to standard output", "-");
}

namespace {

std::string with_option(const std::string& why, const std::string& option) {
  return option.empty() ? why : why + " (" + option + ")";
}

// What kind of thing is at `p` (for messages), from lstat/stat mode bits.
const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a pipe";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISREG(m)) return "a regular file";
  return "not a regular file";
}

void require_writable_dir(const fs::path& dir, const std::string& target,
                          const std::string& option) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    throw_input(with_option("cannot write: directory " + dir.string() + " does not exist", option),
                target);
  }
  if (!S_ISDIR(st.st_mode))
    throw_input(with_option("cannot write: " + dir.string() + " is " + kind_of(st.st_mode) +
                                ", not a directory",
                            option),
                target);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw_input(with_option("cannot write: directory " + dir.string() + " is not writable (" +
                                std::strerror(errno) + ")",
                            option),
                target);
}

}  // namespace

void require_writable_output(const std::string& path, const std::string& option) {
  if (path.empty()) throw_usage(with_option("empty output file name", option));
  if (is_stdout_path(path)) return;
  fs::path target(path);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw_input(with_option("cannot write: is a directory, not a file", option), path);
  if (!target.has_filename())
    throw_input(with_option("cannot write: names a directory, not a file", option), path);
  require_writable_dir(target.has_parent_path() ? target.parent_path() : fs::path("."), path,
                       option);
}

void require_output_directory(const std::string& dir, const std::string& option) {
  if (dir.empty()) throw_usage(with_option("empty output directory name", option));
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw_input(with_option(std::string("cannot use as output directory: it is ") +
                                  kind_of(st.st_mode) + ", not a directory",
                              option),
                  dir);
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      throw_input(with_option("output directory is not writable (" +
                                  std::string(std::strerror(errno)) + ")",
                              option),
                  dir);
    return;
  }
  // Missing: it is created with its parents; the nearest existing ancestor must allow that.
  fs::path p = fs::path(dir).lexically_normal();
  fs::path ancestor = p.has_parent_path() ? p.parent_path() : fs::path(".");
  while (!ancestor.empty() && ::stat(ancestor.c_str(), &st) != 0)
    ancestor = ancestor.has_parent_path() && ancestor.parent_path() != ancestor
                   ? ancestor.parent_path()
                   : fs::path();
  if (ancestor.empty()) ancestor = ".";
  if (::stat(ancestor.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw_input(with_option("cannot create the output directory: " + ancestor.string() + " is " +
                                kind_of(st.st_mode) + ", not a directory",
                            option),
                dir);
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    throw_input(with_option("cannot create the output directory: " + ancestor.string() +
                                " is not writable (" + std::strerror(errno) + ")",
                            option),
                dir);
}

void require_extension(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& format, const std::string& option) {
  if (is_stdout_path(path)) return;
  std::string lower = path;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string list;
  for (const auto& e : extensions) {
    if (lower.size() >= e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0)
      return;
    list += (list.empty() ? "" : " or ") + e;
  }
  throw_usage(path + ": " + (option.empty() ? "" : option + ": ") + "spax writes " + format +
              " here; name the file " + list + " (or - for standard output)");
}

void require_readable_file(const std::string& path, const std::string& what) {
  if (path == "-") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw_input(std::string("cannot open: ") + std::strerror(errno), path);
  if (S_ISDIR(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISBLK(st.st_mode))
    throw_input(std::string("is ") + kind_of(st.st_mode) + ", not a " + what + " file", path);
  if (::access(path.c_str(), R_OK) != 0)
    throw_input(std::string("cannot open: ") + std::strerror(errno), path);
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string all;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    all.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad() || !in.eof()) return std::nullopt;
  return all;
}

}  // namespace spax
