// libFuzzer target: the Matrix Market reader on text in memory, with 1 and 3 parsing threads.
// Every input must either load into a valid matrix or raise a spax::Error of kind input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spax/io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int threads : {1, 3}) {
    try {
      spax::ReadOptions o;
      o.threads = threads;
      o.max_dimension = 1 << 20;  // keep the fuzzer's allocations small
      auto mf = spax::parse_matrix_market(text, "fuzz.mtx", o);
      mf.matrix.validate();
    } catch (const spax::Error& e) {
      if (e.kind() != spax::ErrorKind::input) std::abort();
    }
  }
  return 0;
}
