#include "io/source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "spax/common.hpp"
#include "spax/io.hpp"

namespace spax::detail {

ByteSource ByteSource::open_path(const std::string& path) {
  ByteSource s;
  s.name_ = path == "-" ? "<stdin>" : path;
  if (path == "-") {
    s.fd_ = 0;
    s.own_fd_ = false;
  } else {
    // A directory, a socket or a block device is named as such (not "cannot open").
    require_readable_file(path, "Matrix Market");
    s.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s.fd_ < 0) throw_input(std::string("cannot open: ") + std::strerror(errno), path);
    s.own_fd_ = true;
    struct stat st {};
    if (::fstat(s.fd_, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        ::close(s.fd_);
        s.fd_ = -1;
        throw_input("is a directory, not a Matrix Market file", path);
      }
      if (S_ISREG(st.st_mode)) s.stored_size_ = static_cast<std::uint64_t>(st.st_size);
    }
  }
  bool regular = s.stored_size_ > 0;
  bool use_gz = !regular;  // pipes and stdin: let zlib decide (it reads plain text through)
  if (regular) {
    unsigned char magic[2] = {0, 0};
    ssize_t got = ::pread(s.fd_, magic, 2, 0);
    use_gz = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  }
  if (use_gz) {
    int dupfd = ::dup(s.fd_);
    if (dupfd < 0) throw_input("cannot read", s.name_);
    s.gz_ = gzdopen(dupfd, "rb");
    if (!s.gz_) {
      ::close(dupfd);
      throw_input("cannot open for decompression", s.name_);
    }
    gzbuffer(s.gz_, 1 << 18);
  }
  return s;
}

ByteSource ByteSource::from_memory(std::string_view text, const std::string& name) {
  ByteSource s;
  s.name_ = name;
  s.is_mem_ = true;
  s.mem_ = text;
  s.stored_size_ = text.size();
  return s;
}

ByteSource::ByteSource(ByteSource&& o) noexcept
    : name_(std::move(o.name_)),
      fd_(o.fd_),
      own_fd_(o.own_fd_),
      gz_(o.gz_),
      direct_(o.direct_),
      mem_(o.mem_),
      is_mem_(o.is_mem_),
      stored_size_(o.stored_size_) {
  o.fd_ = -1;
  o.own_fd_ = false;
  o.gz_ = nullptr;
}

ByteSource::~ByteSource() {
  if (gz_) gzclose(gz_);
  if (own_fd_ && fd_ >= 0) ::close(fd_);
}

std::size_t ByteSource::read(char* buf, std::size_t n) {
  if (is_mem_) {
    std::size_t k = std::min(n, mem_.size());
    std::memcpy(buf, mem_.data(), k);
    mem_.remove_prefix(k);
    return k;
  }
  if (gz_) {
    std::size_t total = 0;
    while (total < n) {
      unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - total, 1u << 30));
      int got = gzread(gz_, buf + total, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(gz_, &err);
        throw_input(std::string("corrupt compressed data: ") + (msg ? msg : "gzip error"), name_);
      }
      if (got == 0) {
        // A gzip stream cut short reads as a plain end-of-file; zlib reports it as Z_BUF_ERROR.
        int err = 0;
        gzerror(gz_, &err);
        if (err == Z_BUF_ERROR)
          throw_input("compressed data ends unexpectedly (truncated .gz)", name_);
        break;
      }
      direct_ = gzdirect(gz_) != 0;
      total += static_cast<std::size_t>(got);
    }
    return total;
  }
  std::size_t total = 0;
  while (total < n) {
    ssize_t got = ::read(fd_, buf + total, n - total);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_input(std::string("read failed: ") + std::strerror(errno), name_);
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

}  // namespace spax::detail
