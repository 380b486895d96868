// libFuzzer target: the Matrix Market reader on a file, so that gzip and bzip2 input (detected by
// their magic bytes) goes through zlib and libbz2. Seed it with .mtx.gz and .mtx.bz2 files.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "spax/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/spax-fuzz-" + std::to_string(::getpid()) + ".mtx";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    spax::ReadOptions o;
    o.threads = 2;
    o.max_dimension = 1 << 20;
    auto mf = spax::read_matrix_market(path, o);
    mf.matrix.validate();
  } catch (const spax::Error& e) {
    if (e.kind() != spax::ErrorKind::input) std::abort();
  }
  return 0;
}
