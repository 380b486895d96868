// Internal: the plugin loader behind the registry (lib/solve/plugins.cpp).
#pragma once

#include <string>

namespace spax::solve_detail {

// Loads every plugin of plugin_directories() once (later calls return at once; a call made from
// inside a plugin's entry point returns without loading more).
void load_all_plugins();
// The plugin whose entry point is running on this thread ("" outside one): the provider the
// registry records for what it registers.
std::string current_plugin_provider();
// Why a preconditioner that some build provides (amg) is absent; "" when none provides it.
std::string preconditioner_missing_reason(const std::string& name);

}  // namespace spax::solve_detail
