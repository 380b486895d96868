// libFuzzer target: the stamp-map readers (JSON and CSV) on text in memory. Every input must
// either load or raise a spax::Error of kind input; a loaded map must analyse without failing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spax/scatter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool csv : {false, true}) {
    try {
      spax::StampMap map = csv ? spax::parse_stamps_csv(text, "fuzz.csv")
                               : spax::parse_stamps_json(text, "fuzz.json");
      if (map.n_unknowns <= (1 << 16)) {
        spax::ScatterOptions o;
        o.threads = 1;
        (void)spax::analyze_scatter(map, o, nullptr);
      }
    } catch (const spax::Error& e) {
      if (e.kind() != spax::ErrorKind::input) std::abort();
    }
  }
  return 0;
}
