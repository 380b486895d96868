// Internal: a line the interrupt handler (install_interrupt_cleanup) writes to stderr on SIGTERM.
#pragma once

namespace spax {

// `line` (a static string ending in '\n', or nullptr for none) is written on SIGTERM before the
// process ends by it.
void set_termination_note(const char* line) noexcept;

}  // namespace spax
