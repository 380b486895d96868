// Internal: a byte source over a file, standard input or text in memory, with transparent gzip.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace spax::detail {

class ByteSource {
 public:
  // path "-" reads standard input. gzip is detected by its magic bytes.
  static ByteSource open_path(const std::string& path);
  static ByteSource from_memory(std::string_view text, const std::string& name);
  ByteSource(ByteSource&& o) noexcept;
  ByteSource& operator=(ByteSource&&) = delete;
  ByteSource(const ByteSource&) = delete;
  ~ByteSource();

  // Reads up to n bytes; returns 0 at the end. Throws an input error on a read failure.
  std::size_t read(char* buf, std::size_t n);
  bool gzip() const noexcept { return gz_ != nullptr && !direct_; }
  // Size of the file as stored (0 when unknown: stdin, pipe).
  std::uint64_t stored_size() const noexcept { return stored_size_; }
  const std::string& name() const noexcept { return name_; }

 private:
  ByteSource() = default;
  std::string name_;
  int fd_ = -1;
  bool own_fd_ = false;
  gzFile gz_ = nullptr;
  bool direct_ = false;
  std::string_view mem_;
  bool is_mem_ = false;
  std::uint64_t stored_size_ = 0;
};

}  // namespace spax::detail
