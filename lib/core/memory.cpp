#include "core/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace spax::detail {

void advise_hugepages(void* p, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  if (p == nullptr || bytes < 2 * kHuge) return;
  auto begin = reinterpret_cast<std::uintptr_t>(p);
  auto end = begin + bytes;
  auto first = (begin + kHuge - 1) & ~(kHuge - 1);
  auto last = end & ~(kHuge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace spax::detail
