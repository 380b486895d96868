#include "io/source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "spax/common.hpp"
#include "spax/io.hpp"

namespace spax::detail {

namespace {

constexpr std::size_t kInputBuffer = std::size_t{1} << 18;  // compressed bytes per refill

bool is_gzip_magic(std::string_view m) {
  return m.size() >= 2 && static_cast<unsigned char>(m[0]) == 0x1f &&
         static_cast<unsigned char>(m[1]) == 0x8b;
}
// "BZh" then the block size '1'..'9'.
bool is_bzip2_magic(std::string_view m) {
  return m.size() >= 4 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h' && m[3] >= '1' && m[3] <= '9';
}

}  // namespace

const char* to_string(Compression c) noexcept {
  switch (c) {
    case Compression::gzip:
      return "gzip";
    case Compression::bzip2:
      return "bzip2";
    default:
      return "none";
  }
}

ByteSource ByteSource::open_path(const std::string& path) {
  ByteSource s;
  s.name_ = path == "-" ? "<stdin>" : path;
  bool regular = false;
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
      if (S_ISDIR(st.st_mode)) throw_input("is a directory, not a Matrix Market file", path);
      if (S_ISREG(st.st_mode)) {
        regular = true;
        s.stored_size_ = static_cast<std::uint64_t>(st.st_size);
      }
    }
  }
  // The magic bytes: read in place on a file; taken from a pipe and served again first.
  char magic[4] = {0, 0, 0, 0};
  std::size_t got = 0;
  if (regular) {
    const ssize_t r = ::pread(s.fd_, magic, sizeof magic, 0);
    got = r > 0 ? static_cast<std::size_t>(r) : 0;
  } else {
    got = s.read_raw(magic, sizeof magic);
    s.peeked_.assign(magic, got);
  }
  const std::string_view m(magic, got);
  if (is_gzip_magic(m)) {
    s.compression_ = Compression::gzip;
    s.zs_ = std::make_unique<z_stream>();
    std::memset(s.zs_.get(), 0, sizeof(z_stream));
    if (inflateInit2(s.zs_.get(), 16 + MAX_WBITS) != Z_OK)
      throw_internal("zlib: cannot start decompression");
  } else if (is_bzip2_magic(m)) {
    s.compression_ = Compression::bzip2;
    s.bz_ = std::make_unique<bz_stream>();
    std::memset(s.bz_.get(), 0, sizeof(bz_stream));
    if (BZ2_bzDecompressInit(s.bz_.get(), 0, 0) != BZ_OK)
      throw_internal("bzip2: cannot start decompression");
  }
  if (s.compressed()) s.in_.resize(kInputBuffer);
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
      mem_(o.mem_),
      is_mem_(o.is_mem_),
      stored_size_(o.stored_size_),
      compression_(o.compression_),
      peeked_(std::move(o.peeked_)),
      peeked_pos_(o.peeked_pos_),
      in_(std::move(o.in_)),
      raw_eof_(o.raw_eof_),
      stream_ended_(o.stream_ended_),
      zs_(std::move(o.zs_)),
      bz_(std::move(o.bz_)) {
  o.fd_ = -1;
  o.own_fd_ = false;
}

void ByteSource::end_decoders() noexcept {
  if (zs_) inflateEnd(zs_.get());
  if (bz_) BZ2_bzDecompressEnd(bz_.get());
  zs_.reset();
  bz_.reset();
}

ByteSource::~ByteSource() {
  end_decoders();
  if (own_fd_ && fd_ >= 0) ::close(fd_);
}

std::size_t ByteSource::read_raw(char* buf, std::size_t n) {
  std::size_t total = 0;
  if (peeked_pos_ < peeked_.size()) {
    const std::size_t k = std::min(n, peeked_.size() - peeked_pos_);
    std::memcpy(buf, peeked_.data() + peeked_pos_, k);
    peeked_pos_ += k;
    total += k;
  }
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

bool ByteSource::refill_input() {
  if (raw_eof_) return false;
  const std::size_t got = read_raw(in_.data(), in_.size());
  if (got == 0) {
    raw_eof_ = true;
    return false;
  }
  if (zs_) {
    zs_->next_in = reinterpret_cast<Bytef*>(in_.data());
    zs_->avail_in = static_cast<uInt>(got);
  } else {
    bz_->next_in = in_.data();
    bz_->avail_in = static_cast<unsigned>(got);
  }
  return true;
}

std::size_t ByteSource::read(char* buf, std::size_t n) {
  if (is_mem_) {
    std::size_t k = std::min(n, mem_.size());
    std::memcpy(buf, mem_.data(), k);
    mem_.remove_prefix(k);
    return k;
  }
  switch (compression_) {
    case Compression::gzip:
      return read_gzip(buf, n);
    case Compression::bzip2:
      return read_bzip2(buf, n);
    default:
      return read_raw(buf, n);
  }
}

// gzip members one after the other (as `cat a.gz b.gz` or pigz make them) are one text; bytes
// after the last member that do not start another (zero padding) are ignored, as gzip does.
std::size_t ByteSource::read_gzip(char* buf, std::size_t n) {
  z_stream& z = *zs_;
  std::size_t total = 0;
  while (total < n) {
    if (z.avail_in == 0 && !refill_input()) {
      if (stream_ended_) break;
      throw_input("compressed data ends unexpectedly (truncated .gz)", name_);
    }
    if (stream_ended_) {
      if (static_cast<unsigned char>(z.next_in[0]) != 0x1f) {
        // Trailing bytes that start no member: the text has ended.
        z.avail_in = 0;
        raw_eof_ = true;
        break;
      }
      inflateReset(&z);
      stream_ended_ = false;
    }
    const std::size_t want = std::min<std::size_t>(n - total, UINT_MAX);
    z.next_out = reinterpret_cast<Bytef*>(buf + total);
    z.avail_out = static_cast<uInt>(want);
    const int ret = inflate(&z, Z_NO_FLUSH);
    total += want - z.avail_out;
    if (ret == Z_STREAM_END) {
      stream_ended_ = true;
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      throw_input(std::string("corrupt compressed data: ") + (z.msg ? z.msg : "gzip error"), name_);
    }
  }
  return total;
}

// The same for bzip2 streams (pbzip2 writes several); trailing bytes are ignored as bzip2 does.
std::size_t ByteSource::read_bzip2(char* buf, std::size_t n) {
  bz_stream& b = *bz_;
  std::size_t total = 0;
  while (total < n) {
    if (b.avail_in == 0 && !refill_input()) {
      if (stream_ended_) break;
      throw_input("compressed data ends unexpectedly (truncated .bz2)", name_);
    }
    if (stream_ended_) {
      if (b.next_in[0] != 'B') {
        b.avail_in = 0;
        raw_eof_ = true;
        break;
      }
      // Another stream: a fresh decoder keeps the unread input.
      char* next = b.next_in;
      const unsigned avail = b.avail_in;
      BZ2_bzDecompressEnd(&b);
      std::memset(&b, 0, sizeof b);
      if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK)
        throw_internal("bzip2: cannot start decompression");
      b.next_in = next;
      b.avail_in = avail;
      stream_ended_ = false;
    }
    const std::size_t want = std::min<std::size_t>(n - total, UINT_MAX);
    b.next_out = buf + total;
    b.avail_out = static_cast<unsigned>(want);
    const int ret = BZ2_bzDecompress(&b);
    total += want - b.avail_out;
    if (ret == BZ_STREAM_END) {
      stream_ended_ = true;
    } else if (ret != BZ_OK) {
      throw_input(std::string("corrupt compressed data: ") +
                      (ret == BZ_DATA_ERROR_MAGIC ? "not bzip2 data"
                       : ret == BZ_MEM_ERROR      ? "bzip2 ran out of memory"
                                                  : "bzip2 data error"),
                  name_);
    }
  }
  return total;
}

}  // namespace spax::detail
