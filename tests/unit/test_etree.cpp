// Elimination tree, column counts, level sets and critical path: hand-worked trees, the
// symbolic-elimination reference, and CHOLMOD's own counts.
#include <cholmod.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "reference_etree.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::arrow_last;
using test::diagonal_matrix;
using test::tridiagonal;
using V = std::vector<index_t>;

TEST(Etree, TridiagonalIsAPath) {
  const index_t n = 7;
  SymbolicCholesky s = symbolic_cholesky(tridiagonal(n));
  V parent = {1, 2, 3, 4, 5, 6, -1};
  EXPECT_EQ(s.parent, parent);
  EXPECT_EQ(s.colcount, (V{2, 2, 2, 2, 2, 2, 1}));
  EXPECT_EQ(s.nnz_l, 2 * n - 1);
  EXPECT_DOUBLE_EQ(s.flops, 4.0 * (n - 1) + 1.0);
  EXPECT_EQ(s.postorder, (V{0, 1, 2, 3, 4, 5, 6}));
  TreeLevels t = tree_levels(s.parent);
  EXPECT_EQ(t.height, n);
  EXPECT_EQ(t.n_leaves, 1);
  EXPECT_EQ(t.widths, V(7, 1));
  EXPECT_EQ(t.widths_alap, V(7, 1));
  EXPECT_EQ(t.max_width, 1);
  EXPECT_DOUBLE_EQ(t.avg_width, 1.0);
}

TEST(Etree, ArrowIsAStarOfHeightTwo) {
  const index_t n = 6;
  SymbolicCholesky s = symbolic_cholesky(arrow_last(n));
  EXPECT_EQ(s.parent, (V{5, 5, 5, 5, 5, -1}));
  EXPECT_EQ(s.colcount, (V{2, 2, 2, 2, 2, 1}));
  TreeLevels t = tree_levels(s.parent);
  EXPECT_EQ(t.height, 2);
  EXPECT_EQ(t.n_leaves, 5);
  EXPECT_EQ(t.widths, (V{5, 1}));
  EXPECT_EQ(t.widths_alap, (V{1, 5}));
  EXPECT_EQ(t.max_width, 5);
  EXPECT_EQ(t.min_width, 1);
  EXPECT_DOUBLE_EQ(t.avg_width, 3.0);
  EXPECT_EQ(t.subtree_size, (V{1, 1, 1, 1, 1, 6}));
}

TEST(Etree, ArrowWithDenseFirstRowFillsCompletely) {
  // Dense row/column 0: eliminating it first makes the rest dense, the tree is a path.
  const index_t n = 5;
  std::vector<std::pair<index_t, index_t>> e;
  for (index_t i = 0; i < n; ++i) {
    e.emplace_back(i, i);
    e.emplace_back(0, i);
    e.emplace_back(i, 0);
  }
  SymbolicCholesky s = symbolic_cholesky(test::pattern_matrix(n, e));
  EXPECT_EQ(s.parent, (V{1, 2, 3, 4, -1}));
  EXPECT_EQ(s.colcount, (V{5, 4, 3, 2, 1}));
  EXPECT_EQ(s.nnz_l, 15);
  EXPECT_DOUBLE_EQ(s.flops, 25 + 16 + 9 + 4 + 1);
}

TEST(Etree, DiagonalIsAForestOfRoots) {
  SymbolicCholesky s = symbolic_cholesky(diagonal_matrix(4));
  EXPECT_EQ(s.parent, V(4, -1));
  EXPECT_EQ(s.colcount, V(4, 1));
  TreeLevels t = tree_levels(s.parent);
  EXPECT_EQ(t.height, 1);
  EXPECT_EQ(t.n_leaves, 4);
  EXPECT_EQ(t.n_roots, 4);
  EXPECT_EQ(t.widths, (V{4}));
  EXPECT_EQ(t.widths_alap, (V{4}));
}

TEST(Etree, UnsymmetricPatternUsesAPlusAT) {
  // Only A(0,2) and A(3,1) off the diagonal: A+A^T links 0-2 and 1-3.
  SparseMatrix a = test::pattern_matrix(4, {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {0, 2}, {3, 1}});
  EXPECT_EQ(elimination_tree(a), (V{2, 3, -1, -1}));
  // Under p = (2, 0, 1, 3): B = A(p,p) links positions 1-0 (old 0-2) and 2-3 (old 1-3).
  V p = {2, 0, 1, 3};
  EXPECT_EQ(elimination_tree(a, p), (V{1, -1, 3, -1}));
}

TEST(Etree, EmptyAndRectangular) {
  SparseMatrix empty;
  SymbolicCholesky s = symbolic_cholesky(empty);
  EXPECT_EQ(s.n, 0);
  EXPECT_TRUE(s.parent.empty());
  EXPECT_EQ(s.nnz_l, 0);
  TreeLevels t = tree_levels(s.parent);
  EXPECT_EQ(t.height, 0);
  SparseMatrix rect;
  rect.nrows = 3;
  rect.ncols = 2;
  rect.colptr = {0, 0, 0};
  try {
    (void)elimination_tree(rect);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(e.message().find("square"), std::string::npos);
  }
  EXPECT_THROW((void)symbolic_cholesky(rect), Error);
  V bad = {0, 0, 1};
  EXPECT_THROW((void)elimination_tree(tridiagonal(3), bad), Error);
}

TEST(TreeLevels, HandWorkedTree) {
  // Node 4 is the root with children 2 and 3; node 2 has children 0 and 1.
  V parent = {2, 2, 4, 4, -1};
  TreeLevels t = tree_levels(parent);
  EXPECT_EQ(t.level, (V{0, 0, 1, 0, 2}));
  EXPECT_EQ(t.widths, (V{3, 1, 1}));
  EXPECT_EQ(t.widths_alap, (V{1, 2, 2}));
  EXPECT_EQ(t.height, 3);
  EXPECT_EQ(t.n_leaves, 3);
  EXPECT_EQ(t.n_roots, 1);
  EXPECT_EQ(t.max_width, 3);
  EXPECT_EQ(t.min_width, 1);
  EXPECT_NEAR(t.avg_width, 5.0 / 3.0, 1e-15);
  EXPECT_EQ(t.subtree_size, (V{1, 1, 3, 1, 5}));
  EXPECT_DOUBLE_EQ(t.subtree_stats.min, 1);
  EXPECT_DOUBLE_EQ(t.subtree_stats.max, 5);
  EXPECT_DOUBLE_EQ(t.subtree_stats.mean, 11.0 / 5.0);
  EXPECT_DOUBLE_EQ(t.subtree_stats.median, 1);
  EXPECT_EQ(tree_postorder(parent), (V{0, 1, 2, 3, 4}));
  V parent2 = {3, 3, -1, -1};  // two trees; root 2 alone
  EXPECT_EQ(tree_postorder(parent2), (V{2, 0, 1, 3}));
  EXPECT_THROW((void)tree_levels(V{0, -1}), Error);
}

TEST(TreeLevels, SummaryStatsEvenMedian) {
  SummaryStats s = summary_stats({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 4);
}

TEST(CriticalPath, HandWorked) {
  V parent = {2, 2, -1};
  V cc = {3, 2, 1};
  CriticalPath cp = critical_path(parent, cc);
  EXPECT_DOUBLE_EQ(cp.total_flops, 14);
  EXPECT_DOUBLE_EQ(cp.critical_path, 10);
  EXPECT_DOUBLE_EQ(cp.work_span, 1.4);
  // A path: the critical path is all the work.
  SymbolicCholesky s = symbolic_cholesky(tridiagonal(5));
  CriticalPath cp2 = critical_path(s.parent, s.colcount);
  EXPECT_DOUBLE_EQ(cp2.critical_path, s.flops);
  EXPECT_DOUBLE_EQ(cp2.work_span, 1.0);
  // Roots only: the span is the heaviest column.
  CriticalPath cp3 = critical_path(V{-1, -1}, V{1, 1});
  EXPECT_DOUBLE_EQ(cp3.work_span, 2.0);
}

// CHOLMOD's own analysis with the ordering given as a user permutation on the full pattern of
// A+A^T, independent of spax's CHOLMOD call (which analyses an already permuted upper part).
struct CholmodFigures {
  double lnz = 0, fl = 0;
};
CholmodFigures cholmod_given(const SparseMatrix& a, const V& perm) {
  SparseMatrix c = symmetrized_pattern(a);
  cholmod_common cm;
  cholmod_l_start(&cm);
  cm.print = 0;
  cm.nmethods = 1;
  cm.method[0].ordering = CHOLMOD_GIVEN;
  cm.postorder = 0;
  cm.supernodal = CHOLMOD_SIMPLICIAL;
  cholmod_sparse s{};
  s.nrow = s.ncol = static_cast<std::size_t>(c.ncols);
  s.nzmax = c.rowind.size();
  s.p = c.colptr.data();
  s.i = c.rowind.data();
  s.stype = 1;
  s.itype = CHOLMOD_LONG;
  s.xtype = CHOLMOD_PATTERN;
  s.dtype = CHOLMOD_DOUBLE;
  s.sorted = 1;
  s.packed = 1;
  V p = perm;
  cholmod_factor* l = cholmod_l_analyze_p(&s, p.data(), nullptr, 0, &cm);
  EXPECT_NE(l, nullptr);
  CholmodFigures f{cm.lnz, cm.fl};
  // The factor's column counts summed must agree with Common->lnz.
  if (l != nullptr) {
    const auto* cc = static_cast<const SuiteSparse_long*>(l->ColCount);
    double sum = 0;
    for (index_t j = 0; j < c.ncols; ++j) sum += static_cast<double>(cc[j]);
    EXPECT_DOUBLE_EQ(sum, cm.lnz);
  }
  cholmod_l_free_factor(&l, &cm);
  cholmod_l_finish(&cm);
  return f;
}

// Returns false when the reference would be too slow (a work budget of about 3e8 steps).
bool check_against_references(const SparseMatrix& a, const std::string& label,
                              const std::string& ordering) {
  Ordering o = compute_ordering(a, ordering);
  SymbolicCholesky s = symbolic_cholesky(a, o.perm);
  CholmodFigures cf = cholmod_given(a, o.perm);
  EXPECT_DOUBLE_EQ(static_cast<double>(s.nnz_l), cf.lnz) << label << " " << ordering;
  EXPECT_DOUBLE_EQ(s.flops, cf.fl) << label << " " << ordering;
  auto ref = test::reference_symbolic(a, o.perm);
  if (!ref) return false;
  EXPECT_EQ(s.parent, ref->parent) << label << " " << ordering;
  EXPECT_EQ(s.colcount, ref->colcount) << label << " " << ordering;
  EXPECT_EQ(s.nnz_l, ref->nnz_l);
  EXPECT_DOUBLE_EQ(s.flops, ref->flops);
  return true;
}

TEST(Etree, SmallMatricesAgainstReferenceEveryOrdering) {
  std::vector<std::pair<std::string, SparseMatrix>> cases;
  cases.emplace_back("grid7", test::grid2d(7));
  cases.emplace_back("tri9", tridiagonal(9));
  cases.emplace_back("arrow8", arrow_last(8));
  cases.emplace_back("unsym",
                     test::pattern_matrix(6, {{0, 3}, {1, 0}, {2, 5}, {4, 1}, {5, 5}, {3, 2}}));
  for (const auto& [label, a] : cases)
    for (const auto& name : ordering_names())
      EXPECT_TRUE(check_against_references(a, label, name)) << label << " " << name;
}

std::vector<std::filesystem::path> real_matrices() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(test::shared_matrices_dir() / "real"))
    if (e.path().extension() == ".mtx") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// CHOLMOD's counts for every real matrix; the quadratic reference wherever its work budget
// allows (all but the matrices whose factor has more than about 1e8 flops, e.g. bayer10).
TEST(EtreeShared, EveryRealMatrixNaturalAndAmd) {
  SPAX_REQUIRE_SHARED();
  int matrices = 0, referenced_natural = 0, referenced_amd = 0;
  for (const auto& f : real_matrices()) {
    SparseMatrix a = read_matrix_market(f.string()).matrix;
    if (!a.is_square()) continue;
    ++matrices;
    if (check_against_references(a, f.filename().string(), "natural")) ++referenced_natural;
    if (check_against_references(a, f.filename().string(), "amd")) ++referenced_amd;
  }
  EXPECT_GE(matrices, 20);
  EXPECT_GE(referenced_amd, matrices - 1);
  EXPECT_GE(referenced_natural, matrices - 4);
  std::cout << "reference checked: natural " << referenced_natural << ", amd " << referenced_amd
            << " of " << matrices << " matrices\n";
}

TEST(EtreeShared, EveryOrderingOnAFew) {
  SPAX_REQUIRE_SHARED();
  for (const char* file : {"west0479.mtx", "494_bus.mtx", "rajat19.mtx", "bcsstk13.mtx"}) {
    SparseMatrix a =
        read_matrix_market((test::shared_matrices_dir() / "real" / file).string()).matrix;
    for (const auto& name : ordering_names())
      EXPECT_TRUE(check_against_references(a, file, name)) << file << " " << name;
  }
}

}  // namespace
}  // namespace spax
