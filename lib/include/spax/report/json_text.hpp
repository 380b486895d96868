// JSON text that never fails on the strings it carries. File names and model names are
// bytes, not necessarily UTF-8; nlohmann's dump throws on invalid UTF-8, so every document spax
// prints or writes goes through here, where such bytes become U+FFFD.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace spax {

// A template so that an ordered_json keeps its key order (no conversion to json).
template <class Json>
std::string json_text(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace spax
