// Orderings by name: validity, known bandwidths (RCM on a 2D grid), errors, and the
// per-ordering analysis.
#include <gtest/gtest.h>

#include "reference_etree.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

AnalysisOptions options(int threads, bool relaxed) {
  AnalysisOptions o;
  o.threads = threads;
  o.relaxed = relaxed;
  return o;
}

using V = std::vector<index_t>;

std::vector<std::pair<std::string, SparseMatrix>> small_cases() {
  std::vector<std::pair<std::string, SparseMatrix>> c;
  c.emplace_back("grid6", test::grid2d(6));
  c.emplace_back("tri5", test::tridiagonal(5));
  c.emplace_back("arrow7", test::arrow_last(7));
  c.emplace_back("diag4", test::diagonal_matrix(4));
  c.emplace_back("one", test::diagonal_matrix(1));
  c.emplace_back("dense5", test::dense_pattern(5));
  // Unsymmetric, missing diagonal entries, two components.
  c.emplace_back("unsym", test::pattern_matrix(6, {{0, 3}, {1, 0}, {2, 5}, {4, 1}, {3, 2}}));
  return c;
}

TEST(Ordering, Registry) {
  EXPECT_EQ(ordering_names(),
            (std::vector<std::string>{"natural", "amd", "metis", "colamd", "mmd", "rcm"}));
  EXPECT_TRUE(is_ordering_name("metis"));
  EXPECT_FALSE(is_ordering_name("nd"));
  EXPECT_EQ(ordering_names_joined(), "natural, amd, metis, colamd, mmd, rcm");
}

TEST(Ordering, UnknownNameIsAUsageErrorListingNames) {
  try {
    (void)compute_ordering(test::tridiagonal(3), "bogus");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(e.message().find("bogus"), std::string::npos);
    EXPECT_NE(e.message().find("natural, amd, metis, colamd, mmd, rcm"), std::string::npos);
  }
  EXPECT_THROW((void)analyze_orderings(test::tridiagonal(3), {"amd", "bogus"}), Error);
}

TEST(Ordering, EveryOrderingIsAValidPermutation) {
  for (const auto& [label, a] : small_cases())
    for (const auto& name : ordering_names()) {
      Ordering o = compute_ordering(a, name);
      EXPECT_EQ(o.name, name);
      EXPECT_TRUE(is_permutation(o.perm, a.ncols)) << label << " " << name;
      EXPECT_GE(o.seconds, 0.0);
    }
  for (const auto& name : ordering_names())
    EXPECT_TRUE(compute_ordering(SparseMatrix{}, name).perm.empty());
  EXPECT_EQ(compute_ordering(test::tridiagonal(4), "natural").perm, (V{0, 1, 2, 3}));
}

TEST(Ordering, RectangularIsAUsageError) {
  SparseMatrix rect;
  rect.nrows = 2;
  rect.ncols = 3;
  rect.colptr = {0, 1, 1, 2};
  rect.rowind = {0, 1};
  rect.field = Field::pattern;
  for (const auto& name : ordering_names()) {
    try {
      (void)compute_ordering(rect, name);
      FAIL() << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
    }
  }
  EXPECT_THROW((void)analyze_orderings(rect, {"amd"}), Error);
  // The bandwidth of a rectangular pattern is still defined: entries (0,0) and (1,2).
  EXPECT_EQ(bandwidth(rect), 1);
}

TEST(Ordering, Bandwidth) {
  EXPECT_EQ(bandwidth(test::tridiagonal(6)), 1);
  EXPECT_EQ(bandwidth(test::arrow_last(6)), 5);
  EXPECT_EQ(bandwidth(test::diagonal_matrix(3)), 0);
  EXPECT_EQ(bandwidth(SparseMatrix{}), 0);
  EXPECT_EQ(bandwidth(test::grid2d(5)), 5);
  // Reversing a tridiagonal keeps bandwidth 1; swapping its ends gives n-2 at most... by hand:
  // p = (4,1,2,3,0) on tri5: old 3-4 becomes positions 3-0 -> 3.
  V p = {4, 1, 2, 3, 0};
  EXPECT_EQ(bandwidth(test::tridiagonal(5), p), 3);
  // The arrow with its dense node first: same bandwidth n-1.
  V first = {5, 0, 1, 2, 3, 4};
  EXPECT_EQ(bandwidth(test::arrow_last(6), first), 5);
}

TEST(Rcm, GridBandwidthIsTheGridWidth) {
  for (index_t k : {3, 5, 10, 20}) {
    SparseMatrix g = test::grid2d(k);
    // Scramble the numbering first so the natural order does not help.
    V scramble(static_cast<std::size_t>(k * k));
    for (index_t i = 0; i < k * k; ++i) scramble[i] = (i * 7 + 3) % (k * k);
    if (!is_permutation(scramble, k * k)) continue;
    SparseMatrix s = permute_symmetric(g, scramble);
    V p = rcm_ordering(s);
    ASSERT_TRUE(is_permutation(p, k * k));
    EXPECT_EQ(bandwidth(s, p), k) << "k = " << k;
  }
}

TEST(Rcm, PathFromAnEndAndComponents) {
  // A path numbered 2-0-3-1-4: RCM must recover a bandwidth-1 order.
  SparseMatrix a = test::pattern_matrix(5, {{2, 0}, {0, 3}, {3, 1}, {1, 4}});
  V p = rcm_ordering(a);
  EXPECT_EQ(bandwidth(a, p), 1);
  // Two components and an isolated node: each component stays contiguous.
  SparseMatrix b = test::pattern_matrix(5, {{0, 2}, {2, 4}, {1, 3}});
  V q = rcm_ordering(b);
  ASSERT_TRUE(is_permutation(q, 5));
  EXPECT_EQ(bandwidth(b, q), 1);
}

TEST(Ordering, FillReducingOrderingsBeatNaturalOnAGrid) {
  SparseMatrix g = test::grid2d(30);
  auto results = analyze_orderings(g, ordering_names(), options(2, true));
  ASSERT_EQ(results.size(), 6u);
  index_t natural = results[0].nnz_l;
  EXPECT_EQ(results[0].ordering, "natural");
  // Natural band order on a k x k grid: nnz(L) = sum over columns of (1 + band) ~ n (k + 1).
  EXPECT_LE(natural, 900 * 31);
  for (std::size_t i = 1; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.ordering == "rcm") continue;
    EXPECT_LT(r.nnz_l, natural) << r.ordering;
  }
}

TEST(Ordering, AnalyzeOrderingFields) {
  SparseMatrix a = test::arrow_last(6);
  OrderingAnalysis r = analyze_ordering(a, compute_ordering(a, "natural"));
  EXPECT_EQ(r.ordering, "natural");
  EXPECT_EQ(r.perm, (V{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(r.bandwidth, 5);
  EXPECT_EQ(r.parent, (V{5, 5, 5, 5, 5, -1}));
  EXPECT_EQ(r.height, 2);
  EXPECT_EQ(r.n_leaves, 5);
  EXPECT_EQ(r.level_widths, (V{5, 1}));
  EXPECT_EQ(r.nnz_l, 11);
  EXPECT_DOUBLE_EQ(r.flops, 5 * 4 + 1);
  EXPECT_DOUBLE_EQ(r.critical_path, 5);
  EXPECT_DOUBLE_EQ(r.work_span, 21.0 / 5.0);
  EXPECT_EQ(r.fundamental_supernodes, 6);
  EXPECT_DOUBLE_EQ(r.memory_bytes, 11 * 16 + 7 * 8);
  EXPECT_DOUBLE_EQ(predicted_factor_bytes(6, 11), 11 * 16 + 7 * 8);
  EXPECT_GE(r.relaxed_supernodes, 1);
  OrderingAnalysis r2 = analyze_ordering(a, compute_ordering(a, "natural"), options(1, false));
  EXPECT_EQ(r2.relaxed_supernodes, -1);
  EXPECT_EQ(r2.supernodal_tree_height, 2);
  EXPECT_EQ(r2.supernodal_tree_max_width, 5);
  // The dense node first: the rest fills in completely.
  Ordering first{"custom", {5, 0, 1, 2, 3, 4}, 0.0};
  OrderingAnalysis r3 = analyze_ordering(a, first);
  EXPECT_EQ(r3.nnz_l, 21);
  EXPECT_EQ(r3.height, 6);
  Ordering bad{"bad", {0, 0, 1, 2, 3, 4}, 0.0};
  EXPECT_THROW((void)analyze_ordering(a, bad), Error);
}

TEST(Ordering, ThreadsDoNotChangeResults) {
  SparseMatrix g = test::grid2d(12);
  auto one = analyze_orderings(g, ordering_names(), options(1, true));
  auto two = analyze_orderings(g, ordering_names(), options(2, true));
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].ordering, two[i].ordering);
    EXPECT_EQ(one[i].perm, two[i].perm);
    EXPECT_EQ(one[i].nnz_l, two[i].nnz_l);
    EXPECT_EQ(one[i].relaxed_supernodes, two[i].relaxed_supernodes);
  }
}

TEST(OrderingShared, EveryRealMatrixEveryOrdering) {
  SPAX_REQUIRE_SHARED();
  for (const auto& e : std::filesystem::directory_iterator(test::shared_matrices_dir() / "real")) {
    if (e.path().extension() != ".mtx") continue;
    SparseMatrix a = read_matrix_market(e.path().string()).matrix;
    if (!a.is_square()) continue;
    for (const auto& name : ordering_names()) {
      Ordering o = compute_ordering(a, name);
      EXPECT_TRUE(is_permutation(o.perm, a.ncols)) << e.path() << " " << name;
    }
    // RCM never widens the band of A+A^T much beyond... it must at least not exceed n-1.
    V p = rcm_ordering(a);
    EXPECT_LE(bandwidth(a, p), std::max<index_t>(0, a.ncols - 1));
  }
}

}  // namespace
}  // namespace spax

namespace spax {
namespace {

// The one comma-list splitter behind --orderings, --solvers, --ranks, --measure-solvers,
// --calibrate-threads and --solver-options: items trimmed of spaces and tabs, empty ones dropped.
TEST(Ordering, SplitCommaList) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_comma_list(""), V{});
  EXPECT_EQ(split_comma_list(" ,\t, "), V{});
  EXPECT_EQ(split_comma_list("a"), V{"a"});
  EXPECT_EQ(split_comma_list(" a, b,,c "), (V{"a", "b", "c"}));
  EXPECT_EQ(split_comma_list("a,"), V{"a"});
  EXPECT_EQ(split_comma_list(",a"), V{"a"});
  EXPECT_EQ(split_comma_list("\tx y ,z"), (V{"x y", "z"}));  // inner blanks stay
  EXPECT_EQ(split_comma_list("k=v,ooc_dir=/tmp/a b"), (V{"k=v", "ooc_dir=/tmp/a b"}));
  // An option list given with blanks after its commas, as people type it.
  const auto opts = parse_option_list("relax=40, ooc=1");
  EXPECT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts.at("ooc"), "1");
}

// One --orderings syntax for analyze and report: "all", commas, blanks, repeats once.
TEST(Ordering, ParseOrderingList) {
  EXPECT_EQ(parse_ordering_list("all"), ordering_names());
  EXPECT_EQ(parse_ordering_list(" amd , metis,amd"), (std::vector<std::string>{"amd", "metis"}));
  EXPECT_EQ(parse_ordering_list("rcm,all").front(), "rcm");
  EXPECT_EQ(parse_ordering_list("rcm,all").size(), ordering_names().size());
  for (const char* bad : {"", " , ", "amd,foo"}) {
    try {
      parse_ordering_list(bad);
      ADD_FAILURE() << "'" << bad << "' accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_EQ(e.message().rfind("--orderings: ", 0), 0u) << e.message();
    }
  }
}

}  // namespace
}  // namespace spax
