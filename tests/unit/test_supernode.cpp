// Supernodes: chain count, fundamental supernodes from column counts, CHOLMOD's relaxed ones.
#include <gtest/gtest.h>

#include <set>

#include "reference_etree.hpp"
#include "spax/analysis.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using V = std::vector<index_t>;
using H = std::array<index_t, 5>;

TEST(Supernodes, BucketNames) {
  const auto& b = supernode_bucket_names();
  EXPECT_STREQ(b[0], "1");
  EXPECT_STREQ(b[1], "2-4");
  EXPECT_STREQ(b[2], "5-10");
  EXPECT_STREQ(b[3], "11-50");
  EXPECT_STREQ(b[4], "51+");
}

TEST(Supernodes, TridiagonalChainVersusFundamental) {
  const index_t n = 6;
  SymbolicCholesky s = symbolic_cholesky(test::tridiagonal(n));
  // Chain: every node has one child and is its predecessor's parent: one supernode.
  SupernodeStats chain = chain_supernodes(s.parent);
  EXPECT_EQ(chain.count, 1);
  EXPECT_EQ(chain.largest, 6);
  EXPECT_EQ(chain.first, (V{0, 6}));
  EXPECT_EQ(chain.histogram, (H{0, 0, 1, 0, 0}));
  EXPECT_EQ(chain.tree_height, 1);
  // Column counts 2,2,2,2,2,1: only the last pair has colcount(j) = colcount(j+1) + 1.
  SupernodeStats fund = fundamental_supernodes(s.parent, s.colcount);
  EXPECT_EQ(fund.count, 5);
  EXPECT_EQ(fund.first, (V{0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(fund.largest, 2);
  EXPECT_DOUBLE_EQ(fund.mean_size, 6.0 / 5.0);
  EXPECT_DOUBLE_EQ(fund.median_size, 1.0);
  EXPECT_EQ(fund.histogram, (H{4, 1, 0, 0, 0}));
  EXPECT_EQ(fund.parent, (V{1, 2, 3, 4, -1}));
  EXPECT_EQ(fund.tree_height, 5);
  EXPECT_EQ(fund.tree_max_width, 1);
}

TEST(Supernodes, DenseIsOneSupernode) {
  SparseMatrix d = test::dense_pattern(7);
  SymbolicCholesky s = symbolic_cholesky(d);
  EXPECT_EQ(fundamental_supernodes(s.parent, s.colcount).count, 1);
  EXPECT_EQ(chain_supernodes(s.parent).count, 1);
  SupernodeStats rel = relaxed_supernodes(d, {}, s.parent);
  EXPECT_EQ(rel.count, 1);
  EXPECT_EQ(rel.first, (V{0, 7}));
}

TEST(Supernodes, ArrowAndDiagonal) {
  SymbolicCholesky s = symbolic_cholesky(test::arrow_last(6));
  SupernodeStats chain = chain_supernodes(s.parent);
  // Node 5 has five children: no chain merges.
  EXPECT_EQ(chain.count, 6);
  EXPECT_EQ(chain.histogram, (H{6, 0, 0, 0, 0}));
  EXPECT_EQ(chain.tree_height, 2);
  EXPECT_EQ(chain.tree_max_width, 5);
  SupernodeStats fund = fundamental_supernodes(s.parent, s.colcount);
  EXPECT_EQ(fund.count, 6);
  SymbolicCholesky d = symbolic_cholesky(test::diagonal_matrix(3));
  EXPECT_EQ(fundamental_supernodes(d.parent, d.colcount).count, 3);
  EXPECT_EQ(chain_supernodes(d.parent).tree_height, 1);
}

TEST(Supernodes, ChainMergesWhereFundamentalDoesNot) {
  // Hand-worked: 0-1 and 1-2 linked, 0-2 not (a path 0-1-2) plus 0-3 : the pattern of L gets
  // fill. Matrix with edges 0-2, 1-2, 2-3 (star at 2, then 3).
  SparseMatrix a =
      test::pattern_matrix(4, {{0, 2}, {1, 2}, {2, 3}, {0, 0}, {1, 1}, {2, 2}, {3, 3}});
  SymbolicCholesky s = symbolic_cholesky(a);
  EXPECT_EQ(s.parent, (V{2, 2, 3, -1}));
  EXPECT_EQ(s.colcount, (V{2, 2, 2, 1}));
  // Chain: 0 -> 2 is not consecutive; 1 -> 2 consecutive but 2 has two children; 2 -> 3 yes.
  EXPECT_EQ(chain_supernodes(s.parent).first, (V{0, 1, 2, 4}));
  // Fundamental: 2 and 3 also satisfy colcount(2) = colcount(3) + 1.
  EXPECT_EQ(fundamental_supernodes(s.parent, s.colcount).first, (V{0, 1, 2, 4}));
  // Where counts differ: an extra entry makes column 2 of L longer than the chain allows.
  SparseMatrix b = test::pattern_matrix(5, {{0, 1}, {1, 2}, {1, 4}, {2, 3}, {3, 4}});
  SymbolicCholesky t = symbolic_cholesky(b);
  EXPECT_EQ(t.parent, (V{1, 2, 3, 4, -1}));
  EXPECT_EQ(t.colcount, (V{2, 3, 3, 2, 1}));
  EXPECT_EQ(chain_supernodes(t.parent).count, 1);
  // Merges: 1-2? 3 != 3+1 no. 2-3: 3 = 2+1 yes. 3-4: 2 = 1+1 yes. 0-1: 2 != 4 no.
  EXPECT_EQ(fundamental_supernodes(t.parent, t.colcount).first, (V{0, 1, 2, 5}));
}

TEST(SupernodesShared, RelaxedCoarsensFundamental) {
  SPAX_REQUIRE_SHARED();
  for (const char* file : {"west0479.mtx", "bcsstk13.mtx", "494_bus.mtx", "rajat19.mtx"}) {
    SparseMatrix a =
        read_matrix_market((test::shared_matrices_dir() / "real" / file).string()).matrix;
    for (const char* name : {"natural", "amd", "metis"}) {
      Ordering o = compute_ordering(a, name);
      SymbolicCholesky s = symbolic_cholesky(a, o.perm);
      SupernodeStats fund = fundamental_supernodes(s.parent, s.colcount);
      SupernodeStats rel = relaxed_supernodes(a, o.perm, s.parent);
      EXPECT_LE(rel.count, fund.count) << file << " " << name;
      // Every relaxed boundary is a fundamental boundary.
      std::set<index_t> fb(fund.first.begin(), fund.first.end());
      for (index_t b : rel.first) EXPECT_TRUE(fb.count(b)) << file << " " << name << " " << b;
      index_t total = 0;
      for (index_t c : rel.histogram) total += c;
      EXPECT_EQ(total, rel.count);
      EXPECT_GE(rel.tree_height, 1);
    }
  }
}

}  // namespace
}  // namespace spax
