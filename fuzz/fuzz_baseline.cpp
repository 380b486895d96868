// libFuzzer target: the `spax check baseline verify` reader. Every input must either load or
// raise a spax::Error of kind input; a loaded baseline must compare against any entry without
// failing (no JSON type errors past the reader).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spax/report/baseline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    nlohmann::json doc = spax::parse_baseline(text, "fuzz.json");
    const nlohmann::json now = {{"fingerprint", "0123456789abcdef0123456789abcdef"},
                                {"n", 3},
                                {"rows", 3},
                                {"nnz", 7},
                                {"nnz_L", 6},
                                {"flops", 14.0},
                                {"etree_height", 3},
                                {"work_span", 1.0},
                                {"supernodes", 1}};
    for (const auto& [name, old] : doc["matrices"].items()) {
      (void)spax::compare_to_baseline(name, old, now, spax::BaselineThresholds{}, "hint");
      (void)spax::compare_to_baseline(name, now, old, spax::BaselineThresholds{}, "hint");
    }
  } catch (const spax::Error& e) {
    if (e.kind() != spax::ErrorKind::input) std::abort();
  }
  return 0;
}
