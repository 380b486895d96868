// Internal: hints for large, freshly allocated buffers.
#pragma once

#include <cstddef>
#include <vector>

namespace spax::detail {

// Asks the kernel to back [p, p + bytes) with transparent huge pages where it can (Linux
// madvise(MADV_HUGEPAGE)); a no-op for small ranges or when unsupported. Call it after reserving
// and before first touching the memory: it cuts page faults, the main cost of filling fresh
// buffers of hundreds of megabytes, by a factor of up to 512.
void advise_hugepages(void* p, std::size_t bytes) noexcept;

// Reserves capacity for n elements and advises huge pages for it.
template <class T>
void reserve_large(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  advise_hugepages(v.data(), v.capacity() * sizeof(T));
}

// Resizes a vector to n value-initialised elements, advising huge pages before touching them.
template <class T>
void resize_large(std::vector<T>& v, std::size_t n) {
  if (n > v.capacity()) {
    std::vector<T>().swap(v);
    reserve_large(v, n);
  }
  v.resize(n);
}

}  // namespace spax::detail
