// Internal: LeakSanitizer's disable/enable where the build has it (ASan), nothing otherwise. For
// allocations that a library keeps on purpose or loses in its own code (glibc's dlopen of an
// object that is already loaded keeps a dependency list LeakSanitizer cannot reach).
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPAX_HAVE_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SPAX_HAVE_LSAN 1
#endif
#ifdef SPAX_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace spax::detail {

// Allocations made on this thread while it lives are not reported as leaks.
class LeakCheckPause {
 public:
  LeakCheckPause() {
#ifdef SPAX_HAVE_LSAN
    __lsan_disable();
#endif
  }
  ~LeakCheckPause() {
#ifdef SPAX_HAVE_LSAN
    __lsan_enable();
#endif
  }
  LeakCheckPause(const LeakCheckPause&) = delete;
  LeakCheckPause& operator=(const LeakCheckPause&) = delete;
};

}  // namespace spax::detail
