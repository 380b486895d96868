// The `device_parallelism` object as a JSON value, for reports that embed it (spax analyze
// --stamps): j["device_parallelism"] = scatter_json_value(result).
#pragma once

#include <nlohmann/json.hpp>

#include "spax/scatter.hpp"

namespace spax {

nlohmann::ordered_json scatter_json_value(const ScatterResult& r);

}  // namespace spax
