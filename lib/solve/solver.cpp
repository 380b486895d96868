// auto's shared rules, singularity diagnosis and the cache file format.
#include <btf.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "solve/backends.hpp"
#include "spax/io.hpp"

namespace spax {

namespace solve_detail {
void check_given(const SolverOptions& o, index_t n) {
  if (!is_permutation(o.permutation, n))
    throw_usage("the given ordering is not a permutation of 0.." + std::to_string(n - 1));
}

bool is_hermitian(const SparseMatrix& a) {
  if (!a.is_square()) return false;
  SparseMatrix t = transpose(a, a.is_complex());
  if (t.colptr != a.colptr || t.rowind != a.rowind) return false;
  return a.is_complex() ? t.zvalues == a.zvalues : t.values == a.values;
}
}  // namespace solve_detail

namespace solve_detail {
bool looks_positive_definite(const SparseMatrix& a) {
  const index_t n = a.nrows;
  if (!a.is_square() || diagonal_nnz(a) != n) return false;
  for (index_t j = 0; j < n; ++j) {
    auto b = a.rowind.begin() + a.colptr[j], e = a.rowind.begin() + a.colptr[j + 1];
    const auto p = std::lower_bound(b, e, j) - a.rowind.begin();
    const double d =
        a.is_complex() ? (a.zvalues[p].imag() == 0 ? a.zvalues[p].real() : -1.0) : a.values[p];
    if (!(d > 0)) return false;
  }
  return is_hermitian(a);
}

double entries_per_column(const SparseMatrix& a) {
  return a.ncols > 0 ? static_cast<double>(a.nnz()) / static_cast<double>(a.ncols) : 0.0;
}
}  // namespace solve_detail

index_t structural_rank(const SparseMatrix& a, index_t* unmatched_column) {
  std::vector<SuiteSparse_long> match(static_cast<std::size_t>(a.nrows), -1);
  std::vector<SuiteSparse_long> work(5 * static_cast<std::size_t>(a.ncols) + 1);
  double flops = 0.0;
  SuiteSparse_long r =
      btf_l_maxtrans(a.nrows, a.ncols, const_cast<index_t*>(a.colptr.data()),
                     const_cast<index_t*>(a.rowind.data()), 0.0, &flops, match.data(), work.data());
  if (unmatched_column) {
    *unmatched_column = -1;
    std::vector<char> used(static_cast<std::size_t>(a.ncols), 0);
    for (auto j : match)
      if (j >= 0) used[j] = 1;
    for (index_t j = 0; j < a.ncols; ++j)
      if (!used[j]) {
        *unmatched_column = j;
        break;
      }
  }
  return static_cast<index_t>(r);
}

void throw_singular(const SparseMatrix& a, index_t column) {
  index_t unmatched = -1;
  index_t rank = structural_rank(a, &unmatched);
  if (rank < a.ncols)
    throw SingularError("matrix is structurally singular: structural rank " + std::to_string(rank) +
                            " of " + std::to_string(a.ncols) + " (maximum transversal), column " +
                            std::to_string(unmatched + 1) + " has no matching row",
                        true, unmatched, rank);
  throw SingularError(
      "matrix is numerically singular: zero pivot" +
          (column >= 0 ? " at column " + std::to_string(column + 1) : std::string()) +
          " (structurally nonsingular)",
      false, column, rank);
}

// --- cache files -------------------------------------------------------------------------------

namespace {
constexpr char kMagic[8] = {'S', 'P', 'A', 'X', 'C', 'A', 'C', 'H'};
// 2: word-wise checksum (hash64_words); 3: the checksum is seeded with the file's name, so a
// file copied or renamed to another matrix's name fails it (the name is that matrix's key).
constexpr std::uint32_t kVersion = 3;

std::uint64_t name_seed(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return fnv1a64(name.data(), name.size());
}
}  // namespace

std::uint64_t hash64_words(const void* data, std::size_t size, std::uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001B3ULL;
    h ^= h >> 29;
  }
  for (; i < size; ++i) h = (h ^ p[i]) * 0x100000001B3ULL;
  h ^= static_cast<std::uint64_t>(size);
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t h) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

std::optional<std::string> read_cache_file(const std::string& path, std::string* reason) {
  auto fail = [&](const std::string& why) -> std::optional<std::string> {
    if (reason) *reason = why;
    return std::nullopt;
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return fail("");
  std::optional<std::string> read = read_whole_file(path);
  if (!read) return fail("unreadable");
  std::string all = std::move(*read);
  const std::size_t head = sizeof kMagic + sizeof(std::uint32_t) + sizeof(std::uint64_t);
  if (all.size() < head + sizeof(std::uint64_t)) return fail("truncated");
  if (std::memcmp(all.data(), kMagic, sizeof kMagic) != 0) return fail("not a spax cache file");
  std::uint32_t version;
  std::uint64_t size, sum;
  std::memcpy(&version, all.data() + sizeof kMagic, sizeof version);
  std::memcpy(&size, all.data() + sizeof kMagic + sizeof version, sizeof size);
  if (version != kVersion) return fail("stale format version " + std::to_string(version));
  if (size != all.size() - head - sizeof(std::uint64_t)) return fail("truncated");
  std::memcpy(&sum, all.data() + head + size, sizeof sum);
  if (hash64_words(all.data() + head, size, name_seed(path)) != sum)
    return fail("checksum mismatch (damaged, or written under another name)");
  all.resize(head + size);
  all.erase(0, head);
  return all;
}

void write_cache_file(const std::string& path, const std::string& payload) {
  write_file_atomic(path, [&](std::ostream& out) {
    std::uint64_t size = payload.size(),
                  sum = hash64_words(payload.data(), payload.size(), name_seed(path));
    out.write(kMagic, sizeof kMagic);
    out.write(reinterpret_cast<const char*>(&kVersion), sizeof kVersion);
    out.write(reinterpret_cast<const char*>(&size), sizeof size);
    out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    out.write(reinterpret_cast<const char*>(&sum), sizeof sum);
  });
}

}  // namespace spax
