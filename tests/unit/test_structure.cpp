// Structure statistics: hand-computed tiny matrices, then the reference implementation in
// tests/support on every real matrix of the shared collection and the bundled data.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_solve.hpp"
#include "reference_structure.hpp"
#include "spax/io.hpp"
#include "spax/structure.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::Entries;
SparseMatrix make(index_t m, index_t n, const Entries& e) {
  return test::from_triplets(m, n, e);
}

TEST(Structure, HandComputed4x4) {
  // Row 2 has no diagonal, column 2 is empty, (3,3) is an explicit zero.
  SparseMatrix a = make(
      4, 4,
      {{0, 0, 4}, {1, 0, 1}, {0, 1, 1}, {1, 1, -3}, {2, 0, 2}, {3, 1, 5}, {1, 3, 7}, {3, 3, 0}});
  MatrixStructure s = analyze_structure(a, 2);
  EXPECT_EQ(s.nnz, 8);
  EXPECT_DOUBLE_EQ(s.density_pct, 50.0);
  EXPECT_EQ(s.bandwidth, 2);
  EXPECT_EQ(s.lower_bandwidth, 2);
  EXPECT_EQ(s.upper_bandwidth, 2);
  EXPECT_EQ(s.profile, 8);   // |i - j|: 0 + 1 + 1 + 0 + 2 + 2 + 2 + 0 (the zero (3,3) adds 0)
  EXPECT_EQ(s.envelope, 5);  // rows: 0 + 1 + 2 + 2
  EXPECT_DOUBLE_EQ(s.pattern_symmetry, 0.8);
  EXPECT_DOUBLE_EQ(s.numeric_symmetry, 0.4);
  EXPECT_FALSE(s.is_structurally_symmetric);
  EXPECT_FALSE(s.is_numerically_symmetric);
  EXPECT_EQ(s.connected_components, 1);
  EXPECT_EQ(s.component_sizes, std::vector<index_t>({4}));
  EXPECT_EQ(s.dominant_rows, 1);
  EXPECT_EQ(s.total_rows, 4);
  EXPECT_DOUBLE_EQ(s.dominant_pct, 25.0);
  EXPECT_EQ(s.degrees.row_min, 1);
  EXPECT_EQ(s.degrees.row_max, 3);
  EXPECT_DOUBLE_EQ(s.degrees.row_mean, 2.0);
  EXPECT_EQ(s.degrees.col_min, 0);
  EXPECT_EQ(s.degrees.col_max, 3);
  EXPECT_DOUBLE_EQ(s.degrees.col_mean, 2.0);
  EXPECT_EQ(s.empty_rows, 0);
  EXPECT_EQ(s.empty_cols, 1);
  EXPECT_EQ(s.nnz_diagonal, 3);
  EXPECT_EQ(s.explicit_zeros, 1);
  EXPECT_EQ(s.duplicates_summed, 2);
  EXPECT_EQ(s.structural_rank, 3);
}

TEST(Structure, SymmetricAndBlocks) {
  // {0,1} strongly connected, {2} alone; two components: {0,1,2} and {3}.
  SparseMatrix a =
      make(4, 4, {{0, 0, 2}, {1, 1, 2}, {2, 2, 2}, {3, 3, 1}, {0, 1, 1}, {1, 0, 1}, {0, 2, 1}});
  MatrixStructure s = analyze_structure(a);
  EXPECT_EQ(s.scc_blocks, 3);
  EXPECT_EQ(s.scc_largest, 2);
  EXPECT_EQ(s.structural_rank, 4);
  EXPECT_EQ(s.connected_components, 2);
  EXPECT_EQ(s.component_sizes, std::vector<index_t>({3, 1}));
  EXPECT_DOUBLE_EQ(s.pattern_symmetry, 2.0 / 3.0);
  // Diagonal dominance: row 0 has 2 >= 1 + 1.
  EXPECT_EQ(s.dominant_rows, 4);

  SparseMatrix sym = make(3, 3, {{0, 0, 1}, {1, 0, 2}, {0, 1, 2}, {2, 1, 3}, {1, 2, 3}});
  MatrixStructure t = analyze_structure(sym);
  EXPECT_TRUE(t.is_structurally_symmetric);
  EXPECT_TRUE(t.is_numerically_symmetric);
  EXPECT_DOUBLE_EQ(t.pattern_symmetry, 1.0);
  EXPECT_DOUBLE_EQ(t.numeric_symmetry, 1.0);
  EXPECT_EQ(t.structural_rank, 3);
}

// profile is the VAJAX script's sum of |i - j| over A.nonzero(): scipy's nonzero() skips stored
// zeros, so the explicit zero at (3, 0) adds nothing there; the envelope counts stored entries.
TEST(Structure, ProfileSkipsExplicitZerosEnvelopeDoesNot) {
  SparseMatrix a = make(4, 4, {{0, 0, 1}, {3, 0, 0.0}, {1, 1, 2}, {0, 2, 5}, {2, 2, 3}, {3, 3, 4}});
  MatrixStructure s = analyze_structure(a);
  EXPECT_EQ(s.profile, 2);   // only (0, 2) is off the diagonal and nonzero
  EXPECT_EQ(s.envelope, 3);  // row 3 starts at column 0
  SparseMatrix p = pattern_of(a);
  EXPECT_EQ(analyze_structure(p).profile, 5);  // a pattern entry is a nonzero: + |3 - 0|
}

TEST(Structure, RectangularAndEmpty) {
  SparseMatrix r = make(2, 3, {{0, 0, 1}, {1, 2, 2}, {0, 1, 3}});
  MatrixStructure s = analyze_structure(r);
  EXPECT_FALSE(s.square);
  EXPECT_EQ(s.bandwidth, 1);
  EXPECT_EQ(s.profile, 2);  // |0-0| + |1-2| + |0-1|
  EXPECT_EQ(s.envelope, 0);
  EXPECT_EQ(s.structural_rank, 2);
  EXPECT_EQ(s.connected_components, -1);
  EXPECT_EQ(s.scc_blocks, -1);
  EXPECT_FALSE(s.notes.empty());

  SparseMatrix e;
  MatrixStructure z = analyze_structure(e);
  EXPECT_EQ(z.nnz, 0);
  EXPECT_EQ(z.bandwidth, 0);
  EXPECT_EQ(z.connected_components, 0);
  EXPECT_EQ(z.structural_rank, 0);
  EXPECT_DOUBLE_EQ(z.density_pct, 0.0);

  SparseMatrix e04;
  e04.ncols = 4;
  e04.colptr.assign(5, 0);
  MatrixStructure w = analyze_structure(e04);
  EXPECT_EQ(w.empty_cols, 4);
  EXPECT_EQ(w.structural_rank, 0);
}

void compare_with_reference(const std::string& path) {
  SCOPED_TRACE(path);
  SparseMatrix a = read_matrix_market(path).matrix;
  MatrixStructure s = analyze_structure(a);
  test::ReferenceStructure ref = test::reference_structure(a);
  EXPECT_EQ(s.bandwidth, ref.bandwidth);
  EXPECT_EQ(s.profile, ref.profile);
  EXPECT_EQ(s.envelope, ref.envelope);
  EXPECT_EQ(s.nnz_diagonal, ref.nnz_diagonal);
  EXPECT_EQ(s.dominant_rows, ref.dominant_rows);
  EXPECT_EQ(s.empty_rows, ref.empty_rows);
  EXPECT_EQ(s.empty_cols, ref.empty_cols);
  EXPECT_EQ(s.degrees.row_min, ref.row_min);
  EXPECT_EQ(s.degrees.row_max, ref.row_max);
  EXPECT_EQ(s.degrees.col_min, ref.col_min);
  EXPECT_EQ(s.degrees.col_max, ref.col_max);
  EXPECT_EQ(s.structural_rank, ref.structural_rank);
  if (a.is_square()) {
    EXPECT_DOUBLE_EQ(s.pattern_symmetry, ref.pattern_symmetry);
    EXPECT_DOUBLE_EQ(s.numeric_symmetry, ref.numeric_symmetry);
    EXPECT_EQ(s.is_structurally_symmetric, ref.structurally_symmetric);
    EXPECT_EQ(s.is_numerically_symmetric, ref.numerically_symmetric);
    EXPECT_EQ(s.connected_components, ref.components);
    std::vector<index_t> top(
        ref.component_sizes.begin(),
        ref.component_sizes.begin() + std::min<std::ptrdiff_t>(10, ref.component_sizes.size()));
    EXPECT_EQ(s.component_sizes, top);
  }
}

TEST(Structure, MatchesReferenceOnBundledData) {
  for (const char* f : {"west0479.mtx", "rajat19.mtx", "adder_dcop_05.mtx", "w156.mtx"})
    compare_with_reference((test::bundled_data_dir() / f).string());
}

TEST(Structure, MatchesReferenceOnSharedMatrices) {
  SPAX_REQUIRE_SHARED();
  for (const auto& entry :
       std::filesystem::directory_iterator(test::shared_matrices_dir() / "real"))
    compare_with_reference(entry.path().string());
  for (const char* f :
       {"ash219_rect_pattern.mtx", "lp_e226_rect.mtx", "r2_rect.mtx", "two_singular.mtx",
        "duplicates_and_explicit_zeros.mtx", "empty_0x4.mtx", "hermitian.mtx", "skew_fp64.mtx"})
    compare_with_reference((test::shared_matrices_dir() / "edge" / f).string());
}

}  // namespace
}  // namespace spax
