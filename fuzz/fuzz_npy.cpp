// libFuzzer target: the .npy permutation reader.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "spax/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/spax-fuzz-" + std::to_string(::getpid()) + ".npy";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    auto v = spax::read_npy_int64(path);
    if (v.size() > size) std::abort();  // never more values than the file holds
  } catch (const spax::Error& e) {
    if (e.kind() != spax::ErrorKind::input) std::abort();
  }
  return 0;
}
