// Whole-or-nothing file output, .npy read/write, number formatting.
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

namespace {

std::string npy_header(const char* descr, std::size_t n) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(n) + ",), }";
  // magic(6) + version(2) + header_len(2) + dict + padding + '\n' is a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  std::size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  std::uint16_t len = static_cast<std::uint16_t>(dict.size());
  const char pre[10] = {'\x93',
                        'N',
                        'U',
                        'M',
                        'P',
                        'Y',
                        '\x01',
                        '\x00',
                        static_cast<char>(len & 0xff),
                        static_cast<char>(len >> 8)};
  std::string h(pre, sizeof pre);
  h.append(dict);
  return h;
}

template <class T>
void write_npy_stream(std::ostream& out, std::span<const T> data, const char* descr) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  std::string h = npy_header(descr, data.size());
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  out.write(reinterpret_cast<const char*>(data.data()),
            static_cast<std::streamsize>(data.size() * sizeof(T)));
}

template <class T>
void write_npy_impl(const std::string& path, std::span<const T> data, const char* descr) {
  write_output(path, [&](std::ostream& out) { write_npy_stream(out, data, descr); });
}

// The header of a .npy file is a Python dict literal, e.g.
//   {'descr': '<i8', 'fortran_order': False, 'shape': (5,), }
// Parsed strictly: quoted keys, values that are a quoted string, True/False or a tuple of
// non-negative integers; anything else is an input error (never an out-of-range read).
// fortran_order must be there, but for a one-dimensional array its value changes nothing.
struct NpyHeader {
  std::string descr;
  std::vector<std::uint64_t> shape;
  bool has_descr = false, has_fortran = false, has_shape = false;
};

NpyHeader parse_npy_header(const std::string& text, const std::string& path) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto fail = [&](const std::string& why) {
    throw_input(".npy header is malformed (" + why + " at offset " + std::to_string(i) + ")", path);
  };
  auto skip = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  };
  auto expect = [&](char c) {
    skip();
    if (i >= n || text[i] != c) fail(std::string("expected '") + c + "'");
    ++i;
  };
  auto quoted = [&] {
    skip();
    if (i >= n || (text[i] != '\'' && text[i] != '"')) fail("expected a quoted string");
    const char q = text[i++];
    const std::size_t b = i;
    while (i < n && text[i] != q) ++i;
    if (i >= n) fail("unterminated string");
    return text.substr(b, i++ - b);
  };
  NpyHeader h;
  expect('{');
  for (;;) {
    skip();
    if (i < n && text[i] == '}') break;
    const std::string key = quoted();
    expect(':');
    skip();
    if (key == "descr") {
      h.descr = quoted();
      h.has_descr = true;
    } else if (key == "fortran_order") {
      if (text.compare(i, 4, "True") == 0) {
        i += 4;
      } else if (text.compare(i, 5, "False") == 0) {
        i += 5;
      } else {
        fail("fortran_order is not True or False");
      }
      h.has_fortran = true;
    } else if (key == "shape") {
      expect('(');
      for (;;) {
        skip();
        if (i < n && text[i] == ')') break;
        std::uint64_t d = 0;
        auto [p, ec] = std::from_chars(text.data() + i, text.data() + n, d);
        if (ec != std::errc()) fail("shape holds something other than a non-negative integer");
        i = static_cast<std::size_t>(p - text.data());
        h.shape.push_back(d);
        skip();
        if (i < n && text[i] == ',')
          ++i;
        else if (i >= n || text[i] != ')')
          fail("expected ',' or ')' in shape");
      }
      ++i;
      h.has_shape = true;
    } else {
      fail("unknown key '" + key + "'");
    }
    skip();
    if (i < n && text[i] == ',') {
      ++i;
      continue;
    }
    if (i >= n || text[i] != '}') fail("expected ',' or '}'");
  }
  if (!h.has_descr) throw_input(".npy header lacks 'descr'", path);
  if (!h.has_fortran) throw_input(".npy header lacks 'fortran_order'", path);
  if (!h.has_shape) throw_input(".npy header lacks 'shape'", path);
  return h;
}
}  // namespace

void write_npy(const std::string& path, std::span<const std::int64_t> data) {
  write_npy_impl(path, data, "<i8");
}
void write_npy(const std::string& path, std::span<const double> data) {
  write_npy_impl(path, data, "<f8");
}
void write_npy(std::ostream& out, std::span<const std::int64_t> data) {
  write_npy_stream(out, data, "<i8");
}

std::vector<std::int64_t> read_npy_int64(const std::string& path) {
  require_readable_file(path, ".npy");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input("cannot open", path);
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw_input("not a NumPy .npy file (bad magic)", path);
  const int major = static_cast<unsigned char>(magic[6]);
  std::uint32_t hlen = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char*>(b), 2)) throw_input("truncated .npy header", path);
    hlen = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char*>(b), 4)) throw_input("truncated .npy header", path);
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  } else {
    throw_input("unsupported .npy version " + std::to_string(major), path);
  }
  if (hlen > (1u << 20)) throw_input(".npy header too long", path);
  std::string header(hlen, '\0');
  if (!in.read(header.data(), hlen)) throw_input("truncated .npy header", path);
  const NpyHeader h = parse_npy_header(header, path);
  std::size_t width = 0;
  bool is_signed = true;
  if (h.descr == "<i8" || h.descr == "i8") {
    width = 8;
  } else if (h.descr == "<i4" || h.descr == "i4") {
    width = 4;
  } else if (h.descr == "<u8" || h.descr == "u8") {
    width = 8;
    is_signed = false;
  } else if (h.descr == "<u4" || h.descr == "u4") {
    width = 4;
    is_signed = false;
  } else {
    throw_input(".npy dtype '" + h.descr + "' is not a little-endian 32/64-bit integer", path);
  }
  std::uint64_t n = 1;
  int non_one = 0;
  for (auto d : h.shape) {
    if (d != 1) ++non_one;
    if (d != 0 && n > (std::uint64_t{1} << 40) / d) throw_input(".npy array too large", path);
    n *= d;
  }
  if (h.shape.empty() || non_one > 1)
    throw_input(".npy array must be one-dimensional, shape has " + std::to_string(h.shape.size()) +
                    " dimensions",
                path);
  // Check the file holds the data before allocating.
  auto here = in.tellg();
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(here);
  if (size < here || static_cast<std::uint64_t>(size - here) < n * width)
    throw_input(".npy data is shorter than its shape says (truncated file)", path);
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  if (width == 8) {
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n * 8));
    if (!is_signed)
      for (auto v : out)
        if (v < 0) throw_input(".npy uint64 value does not fit int64", path);
  } else {
    std::vector<std::int32_t> tmp(static_cast<std::size_t>(n));
    in.read(reinterpret_cast<char*>(tmp.data()), static_cast<std::streamsize>(n * 4));
    for (std::size_t k = 0; k < n; ++k)
      out[k] = is_signed ? tmp[k] : static_cast<std::int64_t>(static_cast<std::uint32_t>(tmp[k]));
  }
  if (!in) throw_input(".npy data is shorter than its shape says", path);
  return out;
}

}  // namespace spax
