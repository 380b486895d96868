// Internal: a byte source over a file, standard input or text in memory, with transparent
// gzip and bzip2 decompression (each detected by its magic bytes, on files and pipes alike).
#pragma once

#include <bzlib.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spax::detail {

enum class Compression { none, gzip, bzip2 };
const char* to_string(Compression c) noexcept;

class ByteSource {
 public:
  // path "-" reads standard input.
  static ByteSource open_path(const std::string& path);
  static ByteSource from_memory(std::string_view text, const std::string& name);
  ByteSource(ByteSource&& o) noexcept;
  ByteSource& operator=(ByteSource&&) = delete;
  ByteSource(const ByteSource&) = delete;
  ~ByteSource();

  // Reads up to n bytes (of decompressed text); returns 0 at the end. Throws an input error on
  // a read failure, corrupt compressed data or a compressed stream cut short.
  std::size_t read(char* buf, std::size_t n);
  Compression compression() const noexcept { return compression_; }
  bool gzip() const noexcept { return compression_ == Compression::gzip; }
  bool compressed() const noexcept { return compression_ != Compression::none; }
  // Size of the file as stored (0 when unknown: stdin, pipe).
  std::uint64_t stored_size() const noexcept { return stored_size_; }
  const std::string& name() const noexcept { return name_; }

 private:
  ByteSource() = default;
  // Raw bytes: first the ones peeked at for the magic, then the descriptor's.
  std::size_t read_raw(char* buf, std::size_t n);
  std::size_t read_gzip(char* buf, std::size_t n);
  std::size_t read_bzip2(char* buf, std::size_t n);
  // Refills in_ from the raw source; false at its end.
  bool refill_input();
  void end_decoders() noexcept;

  std::string name_;
  int fd_ = -1;
  bool own_fd_ = false;
  std::string_view mem_;
  bool is_mem_ = false;
  std::uint64_t stored_size_ = 0;
  Compression compression_ = Compression::none;
  std::string peeked_;  // raw bytes read to detect the format, served first
  std::size_t peeked_pos_ = 0;
  // Decoder state (compressed input buffered in in_).
  std::vector<char> in_;
  bool raw_eof_ = false;
  bool stream_ended_ = false;  // the last member/stream ended cleanly
  std::unique_ptr<z_stream> zs_;
  std::unique_ptr<bz_stream> bz_;
};

}  // namespace spax::detail
