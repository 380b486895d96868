// Matrices from other libraries' arrays (compressed or coordinate, 32- or 64-bit indices):
// checked, then copied in one pass when already canonical CSC, otherwise assembled once.
#include <algorithm>
#include <string>

#include "sparse/assemble.hpp"
#include "spax/sparse.hpp"

namespace spax {
namespace {

constexpr index_t kMaxDimension = 2147483647;

void check_dimensions(index_t nrows, index_t ncols) {
  if (nrows < 0 || ncols < 0)
    throw_input("negative dimension (" + std::to_string(nrows) + " x " + std::to_string(ncols) +
                ")");
  if (nrows > kMaxDimension || ncols > kMaxDimension)
    throw_input("dimension above 2^31 - 1 (" + std::to_string(nrows) + " x " +
                std::to_string(ncols) + ")");
}

// The values given agree with the field and hold at least nnz entries.
void check_values(Field field, std::size_t nnz, std::span<const double> values,
                  std::span<const complex_t> zvalues) {
  if (field == Field::pattern) {
    if (!values.empty() || !zvalues.empty()) throw_usage("a pattern matrix takes no values");
    return;
  }
  const bool complex = field == Field::complex;
  if (complex ? !values.empty() : !zvalues.empty())
    throw_usage(std::string("values of the wrong kind for a ") + to_string(field) + " matrix");
  const std::size_t got = complex ? zvalues.size() : values.size();
  if (got < nnz)
    throw_input("the matrix has " + std::to_string(nnz) + " stored entries but " +
                std::to_string(got) + " values");
}

std::string index_range(index_t bound) {
  return "[0, " + std::to_string(bound) + ")";
}

template <class I, class V>
SparseMatrix assemble(index_t nrows, index_t ncols, const I* rows, const I* cols, const V* vals,
                      std::size_t n, Field field, index_t* duplicates) {
  detail::CooChunk<I, V> chunk;
  chunk.rows = rows;
  chunk.cols = cols;
  chunk.vals = vals;
  chunk.n = n;
  auto r = detail::assemble_csc<I, V>(nrows, ncols, {chunk}, Symmetry::general, 1);
  SparseMatrix a;
  a.nrows = nrows;
  a.ncols = ncols;
  a.field = field;
  a.colptr = std::move(r.colptr);
  a.rowind = std::move(r.rowind);
  if constexpr (std::is_same_v<V, double>) a.values = std::move(r.vals);
  if constexpr (std::is_same_v<V, complex_t>) a.zvalues = std::move(r.vals);
  if (duplicates) *duplicates = r.duplicates;
  return a;
}

template <class I>
SparseMatrix assemble_any(index_t nrows, index_t ncols, const I* rows, const I* cols,
                          std::span<const double> values, std::span<const complex_t> zvalues,
                          std::size_t n, Field field, index_t* duplicates) {
  if (field == Field::complex)
    return assemble<I, complex_t>(nrows, ncols, rows, cols, zvalues.data(), n, field, duplicates);
  if (field == Field::pattern)
    return assemble<I, detail::NoValue>(nrows, ncols, rows, cols, nullptr, n, field, duplicates);
  return assemble<I, double>(nrows, ncols, rows, cols, values.data(), n, field, duplicates);
}

template <class I>
SparseMatrix from_compressed(index_t nrows, index_t ncols, bool by_rows, std::span<const I> ptr,
                             std::span<const I> ind, std::span<const double> values,
                             std::span<const complex_t> zvalues, Field field, index_t* duplicates) {
  check_dimensions(nrows, ncols);
  const index_t outer = by_rows ? nrows : ncols, inner = by_rows ? ncols : nrows;
  const char* outer_name = by_rows ? "row" : "column";
  if (static_cast<index_t>(ptr.size()) != outer + 1)
    throw_input("the index pointer has " + std::to_string(ptr.size()) + " entries, expected " +
                std::to_string(outer + 1) + " (" + outer_name + "s + 1)");
  if (ptr[0] != 0) throw_input("the index pointer starts at " + std::to_string(ptr[0]) + ", not 0");
  const index_t nnz = static_cast<index_t>(ptr[static_cast<std::size_t>(outer)]);
  if (nnz < 0 || nnz > static_cast<index_t>(ind.size()))
    throw_input("the index pointer ends at " + std::to_string(nnz) + " but there are " +
                std::to_string(ind.size()) + " indices");
  check_values(field, static_cast<std::size_t>(nnz), values, zvalues);
  // One pass: pointers non-decreasing, indices in range, and whether already canonical CSC.
  bool canonical = !by_rows;
  for (index_t j = 0; j < outer; ++j) {
    const index_t b = ptr[static_cast<std::size_t>(j)], e = ptr[static_cast<std::size_t>(j) + 1];
    if (e < b || e > nnz)
      throw_input("the index pointer " + std::string(e < b ? "decreases" : "passes nnz") + " at " +
                  outer_name + " " + std::to_string(j) + " (" + std::to_string(b) + " -> " +
                  std::to_string(e) + ")");
    for (index_t p = b; p < e; ++p) {
      const index_t i = ind[static_cast<std::size_t>(p)];
      if (i < 0 || i >= inner)
        throw_input("index " + std::to_string(i) + " at position " + std::to_string(p) + " (" +
                    outer_name + " " + std::to_string(j) + ") is outside " + index_range(inner));
      if (p > b && !(ind[static_cast<std::size_t>(p) - 1] < i)) canonical = false;
    }
  }
  const auto n = static_cast<std::size_t>(nnz);
  if (canonical) {
    SparseMatrix a;
    a.nrows = nrows;
    a.ncols = ncols;
    a.field = field;
    a.colptr.assign(ptr.begin(), ptr.end());
    a.rowind.assign(ind.begin(), ind.begin() + nnz);
    if (field == Field::complex)
      a.zvalues.assign(zvalues.begin(), zvalues.begin() + nnz);
    else if (field != Field::pattern)
      a.values.assign(values.begin(), values.begin() + nnz);
    if (duplicates) *duplicates = 0;
    return a;
  }
  // The outer index of every entry, then one assembly (sorts, sums repeats, transposes CSR).
  std::vector<I> outer_of(n);
  for (index_t j = 0; j < outer; ++j)
    std::fill(outer_of.begin() + ptr[static_cast<std::size_t>(j)],
              outer_of.begin() + ptr[static_cast<std::size_t>(j) + 1], static_cast<I>(j));
  const I* rows = by_rows ? outer_of.data() : ind.data();
  const I* cols = by_rows ? ind.data() : outer_of.data();
  return assemble_any<I>(nrows, ncols, rows, cols, values, zvalues, n, field, duplicates);
}

template <class I>
SparseMatrix from_coordinates(index_t nrows, index_t ncols, std::span<const I> rows,
                              std::span<const I> cols, std::span<const double> values,
                              std::span<const complex_t> zvalues, Field field,
                              index_t* duplicates) {
  check_dimensions(nrows, ncols);
  if (rows.size() != cols.size())
    throw_input("coordinates of different lengths: " + std::to_string(rows.size()) + " rows, " +
                std::to_string(cols.size()) + " columns");
  const std::size_t n = rows.size();
  check_values(field, n, values, zvalues);
  for (std::size_t k = 0; k < n; ++k) {
    if (rows[k] < 0 || rows[k] >= nrows)
      throw_input("row index " + std::to_string(rows[k]) + " of entry " + std::to_string(k) +
                  " is outside " + index_range(nrows));
    if (cols[k] < 0 || cols[k] >= ncols)
      throw_input("column index " + std::to_string(cols[k]) + " of entry " + std::to_string(k) +
                  " is outside " + index_range(ncols));
  }
  return assemble_any<I>(nrows, ncols, rows.data(), cols.data(), values, zvalues, n, field,
                         duplicates);
}

}  // namespace

SparseMatrix matrix_from_compressed(index_t nrows, index_t ncols, bool by_rows,
                                    std::span<const std::int64_t> ptr,
                                    std::span<const std::int64_t> ind,
                                    std::span<const double> values,
                                    std::span<const complex_t> zvalues, Field field,
                                    index_t* duplicates) {
  return from_compressed<std::int64_t>(nrows, ncols, by_rows, ptr, ind, values, zvalues, field,
                                       duplicates);
}
SparseMatrix matrix_from_compressed(index_t nrows, index_t ncols, bool by_rows,
                                    std::span<const std::int32_t> ptr,
                                    std::span<const std::int32_t> ind,
                                    std::span<const double> values,
                                    std::span<const complex_t> zvalues, Field field,
                                    index_t* duplicates) {
  return from_compressed<std::int32_t>(nrows, ncols, by_rows, ptr, ind, values, zvalues, field,
                                       duplicates);
}
SparseMatrix matrix_from_coordinates(index_t nrows, index_t ncols,
                                     std::span<const std::int64_t> rows,
                                     std::span<const std::int64_t> cols,
                                     std::span<const double> values,
                                     std::span<const complex_t> zvalues, Field field,
                                     index_t* duplicates) {
  return from_coordinates<std::int64_t>(nrows, ncols, rows, cols, values, zvalues, field,
                                        duplicates);
}
SparseMatrix matrix_from_coordinates(index_t nrows, index_t ncols,
                                     std::span<const std::int32_t> rows,
                                     std::span<const std::int32_t> cols,
                                     std::span<const double> values,
                                     std::span<const complex_t> zvalues, Field field,
                                     index_t* duplicates) {
  return from_coordinates<std::int32_t>(nrows, ncols, rows, cols, values, zvalues, field,
                                        duplicates);
}

}  // namespace spax
