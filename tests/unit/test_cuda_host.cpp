// The CUDA plugin's host side, without a GPU: KLU without BTF and its factors in CSR (checked
// against a dense LU without pivoting of P A Q), where A's entries land in L + U, the level sets,
// the batched kernels' up-looking refactorization replayed on the host, and why factors from
// KLU with BTF cannot be handed to cusolverRf.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "klu_lu.hpp"
#include "reference_solve.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using cuda_plugin::CsrFactors;
using cuda_plugin::KluLu;
using cuda_plugin::LuPattern;

SparseMatrix load(const std::string& path) {
  SparseMatrix a = read_matrix_market(path).matrix;
  if (!a.has_values()) a = synthesize_values(a);
  return a;
}

std::vector<SparseMatrix> small_matrices() {
  std::vector<SparseMatrix> ms;
  // Needs row pivoting: a zero (1,1) entry.
  ms.push_back(test::from_dense(4, {0, 2, 0, 1, 3, 1, 0, 0, 0, 4, 5, 0, 1, 0, 2, 6}));
  // Rows of very different scales (KLU scales rows: the scaling must be folded in exactly).
  ms.push_back(test::from_dense(3, {1e6, 2e6, 0, 3e-4, 0, 1e-4, 0, 7, 5}));
  ms.push_back(load((test::bundled_data_dir() / "west0479.mtx").string()));
  if (test::have_shared())
    ms.push_back(load((test::shared_matrices_dir() / "real/west0067.mtx").string()));
  return ms;
}

// Row-major dense P A Q.
std::vector<double> dense_paq(const SparseMatrix& a, const CsrFactors& f) {
  const auto n = static_cast<std::size_t>(a.nrows);
  std::vector<int> pinv(n), qinv(n);
  for (std::size_t k = 0; k < n; ++k) {
    pinv[static_cast<std::size_t>(f.P[k])] = static_cast<int>(k);
    qinv[static_cast<std::size_t>(f.Q[k])] = static_cast<int>(k);
  }
  std::vector<double> m(n * n, 0.0);
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
      m[static_cast<std::size_t>(pinv[a.rowind[p]]) * n + static_cast<std::size_t>(qinv[j])] =
          a.values[p];
  return m;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

TEST(CudaHost, FactorsInCsrEqualDenseLuOfPaq) {
  for (const auto& a : small_matrices()) {
    KluLu klu;
    klu.analyze(a, "amd");
    klu.factor(a);
    const CsrFactors f = klu.extract();
    const auto n = static_cast<std::size_t>(a.nrows);
    ASSERT_EQ(f.n, a.nrows);
    ASSERT_TRUE(is_permutation(std::vector<index_t>(f.P.begin(), f.P.end()), a.nrows));
    ASSERT_TRUE(is_permutation(std::vector<index_t>(f.Q.begin(), f.Q.end()), a.nrows));
    std::vector<double> L(n * n, 0.0), U(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      L[i * n + i] = 1.0;
      for (int p = f.Lp[i]; p < f.Lp[i + 1]; ++p) {
        ASSERT_LT(static_cast<std::size_t>(f.Lj[p]), i) << "L must be strictly lower";
        if (p > f.Lp[i]) {
          ASSERT_LT(f.Lj[p - 1], f.Lj[p]) << "rows sorted";
        }
        L[i * n + f.Lj[p]] = f.Lx[p];
      }
      ASSERT_LT(f.Up[i], f.Up[i + 1]);
      ASSERT_EQ(static_cast<std::size_t>(f.Uj[f.Up[i]]), i) << "U's row starts at its diagonal";
      for (int p = f.Up[i]; p < f.Up[i + 1]; ++p) {
        if (p > f.Up[i]) {
          ASSERT_LT(f.Uj[p - 1], f.Uj[p]);
        }
        U[i * n + f.Uj[p]] = f.Ux[p];
      }
    }
    // P A Q has an LU without pivoting (KLU's pivots are in P), and it is unique: the extracted
    // L and U must be it.
    const std::vector<double> m = dense_paq(a, f);
    std::vector<double> Lr, Ur;
    ASSERT_TRUE(test::reference_lu_nopivot(n, m, Lr, Ur)) << "n = " << n;
    double dl = 0.0, du = 0.0;
    for (std::size_t k = 0; k < n * n; ++k) {
      dl = std::max(dl, std::abs(L[k] - Lr[k]));
      du = std::max(du, std::abs(U[k] - Ur[k]));
    }
    EXPECT_LT(dl, 1e-10 * std::max(1.0, max_abs(Lr))) << "n = " << n;
    EXPECT_LT(du, 1e-10 * max_abs(Ur)) << "n = " << n;
    // And the pivot indicator agrees with the dense U.
    double lo = INFINITY, hi = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      lo = std::min(lo, std::abs(Ur[i * n + i]));
      hi = std::max(hi, std::abs(Ur[i * n + i]));
    }
    EXPECT_NEAR(cuda_plugin::pivot_ratio(f), lo / hi, 1e-9 * lo / hi);
  }
}

TEST(CudaHost, CsrPatternMapsEveryEntry) {
  const SparseMatrix a = load((test::bundled_data_dir() / "west0479.mtx").string());
  const auto c = cuda_plugin::csr_pattern(a);
  ASSERT_EQ(c.rowptr.back(), a.nnz());
  std::vector<char> seen(static_cast<std::size_t>(a.nnz()), 0);
  for (int i = 0; i < c.n; ++i)
    for (int t = c.rowptr[i]; t < c.rowptr[i + 1]; ++t) {
      const index_t p = c.from_csc[t];
      EXPECT_EQ(a.rowind[p], i);
      EXPECT_TRUE(a.colptr[c.colind[t]] <= p && p < a.colptr[c.colind[t] + 1]);
      if (t > c.rowptr[i]) {
        EXPECT_LT(c.colind[t - 1], c.colind[t]);
      }
      seen[static_cast<std::size_t>(p)] = 1;
    }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), a.nnz());
}

// The batched kernels' algorithm (kernels.cu: factor_level_k) replayed on the host, one matrix:
// scatter A into M through amap, then row by row, in level order, the up-looking LU.
std::vector<double> host_refactor(const LuPattern& m, const SparseMatrix& a) {
  std::vector<double> v(static_cast<std::size_t>(m.Mp.back()), 0.0);
  for (std::size_t p = 0; p < a.values.size(); ++p)
    v[static_cast<std::size_t>(m.amap[p])] = a.values[p];
  for (int i : m.lower_level_rows) {
    const int end = m.Mp[i + 1];
    for (int p = m.Mp[i]; p < m.diag[i]; ++p) {
      const int k = m.Mj[p];
      const double lik = v[p] / v[m.diag[k]];
      v[p] = lik;
      int w = p + 1;
      for (int q = m.diag[k] + 1; q < m.Mp[k + 1]; ++q) {
        while (w < end && m.Mj[w] < m.Mj[q]) ++w;
        EXPECT_LT(w, end);
        EXPECT_EQ(m.Mj[w], m.Mj[q]) << "the pattern of L + U is closed under elimination";
        v[w] -= lik * v[q];
      }
    }
  }
  return v;
}

TEST(CudaHost, LevelScheduledRefactorOfNewValuesEqualsDenseLu) {
  for (const auto& a : small_matrices()) {
    KluLu klu;
    klu.analyze(a, "amd");
    klu.factor(a);
    const CsrFactors f = klu.extract();
    const LuPattern m = cuda_plugin::lu_pattern(a, f);
    const auto n = static_cast<std::size_t>(a.nrows);
    // Levels: each row after every row it needs.
    std::vector<int> level_of(n);
    for (std::size_t l = 0; l + 1 < m.lower_level_ptr.size(); ++l)
      for (int t = m.lower_level_ptr[l]; t < m.lower_level_ptr[l + 1]; ++t)
        level_of[static_cast<std::size_t>(m.lower_level_rows[t])] = static_cast<int>(l);
    for (std::size_t i = 0; i < n; ++i)
      for (int p = m.Mp[i]; p < m.diag[i]; ++p)
        EXPECT_LT(level_of[static_cast<std::size_t>(m.Mj[p])], level_of[i]);
    std::vector<int> ulevel_of(n);
    for (std::size_t l = 0; l + 1 < m.upper_level_ptr.size(); ++l)
      for (int t = m.upper_level_ptr[l]; t < m.upper_level_ptr[l + 1]; ++t)
        ulevel_of[static_cast<std::size_t>(m.upper_level_rows[t])] = static_cast<int>(l);
    for (std::size_t i = 0; i < n; ++i)
      for (int p = m.diag[i] + 1; p < m.Mp[i + 1]; ++p)
        EXPECT_LT(ulevel_of[static_cast<std::size_t>(m.Mj[p])], ulevel_of[i]);
    // New values, the kept pivot order: the replayed refactor equals the dense LU of P A2 Q.
    const SparseMatrix a2 = perturbed_values(a, 7, 3);
    const std::vector<double> v = host_refactor(m, a2);
    std::vector<double> Lr, Ur;
    ASSERT_TRUE(test::reference_lu_nopivot(n, dense_paq(a2, f), Lr, Ur));
    double d = 0.0, scale = std::max(max_abs(Lr), max_abs(Ur));
    for (std::size_t i = 0; i < n; ++i)
      for (int p = m.Mp[i]; p < m.Mp[i + 1]; ++p) {
        const std::size_t j = static_cast<std::size_t>(m.Mj[p]);
        const double ref = j < i ? Lr[i * n + j] : Ur[i * n + j];
        d = std::max(d, std::abs(v[static_cast<std::size_t>(p)] - ref));
      }
    EXPECT_LT(d, 1e-9 * scale) << "n = " << n;
    EXPECT_GT(m.update_count, 0);
    // The update list (what factor_level_pairs_k reads) does the same updates.
    ASSERT_EQ(m.pair_ptr.size(), static_cast<std::size_t>(m.Mp.back()) + 1);
    std::int64_t l_entries = 0;
    for (std::size_t i = 0; i < n; ++i) l_entries += m.diag[i] - m.Mp[i];
    EXPECT_EQ(static_cast<std::int64_t>(m.pair_src.size()) + l_entries, m.update_count);
    std::vector<double> w(static_cast<std::size_t>(m.Mp.back()), 0.0);
    for (std::size_t p = 0; p < a2.values.size(); ++p)
      w[static_cast<std::size_t>(m.amap[p])] = a2.values[p];
    for (int i : m.lower_level_rows)
      for (int p = m.Mp[i]; p < m.diag[i]; ++p) {
        const double lik = w[p] / w[m.diag[m.Mj[p]]];
        w[p] = lik;
        for (auto u = m.pair_ptr[p]; u < m.pair_ptr[p + 1]; ++u)
          w[m.pair_dst[u]] -= lik * w[m.pair_src[u]];
      }
    EXPECT_EQ(w, v) << "n = " << n;
  }
}

// KLU with BTF factors each diagonal block alone: L and U then miss the entries of P A Q in the
// off-diagonal blocks, which cusolverRf needs inside L + U (lu_pattern refuses such factors).
TEST(CudaHost, BtfFactorsMissEntriesOfPaq) {
  // Block upper triangular: {0,1} and {2,3} are strongly connected, (0,2) couples them.
  const SparseMatrix a = test::from_dense(4, {4, 1, 2, 0, 1, 4, 0, 0, 0, 0, 4, 1, 0, 0, 1, 4});
  KluLu with_btf;
  with_btf.analyze(a, "amd", {}, true);
  with_btf.factor(a);
  EXPECT_THROW(cuda_plugin::lu_pattern(a, with_btf.extract()), Error);
  KluLu without;
  without.analyze(a, "amd");
  without.factor(a);
  EXPECT_NO_THROW(cuda_plugin::lu_pattern(a, without.extract()));
}

TEST(CudaHost, SingularMatrixIsANumericalError) {
  const SparseMatrix a = test::from_dense(3, {1, 2, 3, 2, 4, 6, 1, 0, 1});
  KluLu klu;
  klu.analyze(a, "amd");
  try {
    klu.factor(a);
    FAIL() << "a singular matrix factored";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::numerical) << e.what();
  }
}

}  // namespace
}  // namespace spax
