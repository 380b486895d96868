// The SuperLU backend uses the ordering asked for (amd and metis computed on A+A^T as for the
// other backends, SuperLU's own colamd and mmd) and factors without relaxed supernodes, each
// checked against the libraries called directly here.
#include <amd.h>
#include <gtest/gtest.h>

#include <cstring>

#include "reference_solve.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "test_support.hpp"

// Last: SuperLU's header defines short macros.
#include <slu_ddefs.h>

namespace spax {
namespace {

// The perm_c the backend analysed with, from its symbolic export (the int array comes first).
std::vector<int> exported_perm_c(const Solver& s, index_t n) {
  const std::string bytes = s.export_symbolic();
  std::uint64_t len = 0;
  EXPECT_GE(bytes.size(), sizeof len);
  std::memcpy(&len, bytes.data(), sizeof len);
  EXPECT_EQ(len, static_cast<std::uint64_t>(n));
  std::vector<int> p(static_cast<std::size_t>(n));
  std::memcpy(p.data(), bytes.data() + sizeof len, p.size() * sizeof(int));
  return p;
}

SparseMatrix adder() {
  return read_matrix_market(test::bundled_data_dir() / "adder_dcop_05.mtx").matrix;
}

TEST(SuperluBackend, AmdIsAmdOnAPlusAT) {
  const SparseMatrix a = adder();
  SolverOptions o;
  o.ordering = "amd";
  auto s = create_solver("superlu", o);
  s->analyze(a);
  EXPECT_EQ(s->stats().ordering, "amd");  // was SuperLU's MMD, reported as mmd_at_plus_a
  // AMD itself on A (amd_l_order orders the pattern of A + A^T).
  std::vector<SuiteSparse_long> p(static_cast<std::size_t>(a.ncols));
  double info[AMD_INFO];
  ASSERT_EQ(amd_l_order(a.ncols, a.colptr.data(), a.rowind.data(), p.data(), nullptr, info),
            AMD_OK);
  const std::vector<int> perm_c = exported_perm_c(*s, a.ncols);
  for (index_t k = 0; k < a.ncols; ++k) ASSERT_EQ(perm_c[static_cast<std::size_t>(p[k])], k);
}

TEST(SuperluBackend, EveryOrderingSolvesAndIsReportedByItsName) {
  const SparseMatrix a = adder();
  const std::vector<double> b = test::times(a, std::vector<double>(a.ncols, 1.0));
  std::vector<std::vector<int>> perms;
  for (const char* ord : {"default", "colamd", "amd", "metis", "mmd", "natural"}) {
    SolverOptions o;
    o.ordering = ord;
    auto s = create_solver("superlu", o);
    s->analyze(a);
    s->factor(a);
    std::vector<double> x = b;
    s->solve(std::span<double>(x), 1, false);
    EXPECT_LT(test::backward_error(a, x, b), 1e-14) << ord;
    EXPECT_EQ(s->stats().ordering, std::string(ord) == "default" ? "colamd" : ord);
    perms.push_back(exported_perm_c(*s, a.ncols));
  }
  EXPECT_EQ(perms[0], perms[1]);  // default is colamd
  EXPECT_NE(perms[2], perms[3]);  // amd and metis differ from each other
  EXPECT_NE(perms[2], perms[4]);  // and amd is not SuperLU's mmd
  SolverOptions bad;
  bad.ordering = "rcm";
  EXPECT_THROW(create_solver("superlu", bad)->analyze(a), Error);
}

// dgstrf called here on the same ordering with relax 1 and with scipy's relaxation: the
// backend's L storage is the unrelaxed one, and on this circuit (dense rows) the two differ.
TEST(SuperluBackend, FactorsWithoutRelaxedSupernodes) {
  const SparseMatrix a = adder();
  SolverOptions o;
  o.ordering = "colamd";
  auto s = create_solver("superlu", o);
  s->analyze(a);
  s->factor(a);
  const int n = static_cast<int>(a.ncols), nnz = static_cast<int>(a.nnz());
  auto lnz_with = [&](int relax) {
    std::vector<int> cp(a.colptr.begin(), a.colptr.end()), ri(a.rowind.begin(), a.rowind.end());
    std::vector<double> x = a.values;
    SuperMatrix A, AC, L, U;
    dCreate_CompCol_Matrix(&A, n, n, nnz, x.data(), ri.data(), cp.data(), SLU_NC, SLU_D, SLU_GE);
    superlu_options_t opt;
    set_default_options(&opt);
    std::vector<int> perm_c(static_cast<std::size_t>(n)), perm_r(perm_c), etree(perm_c);
    get_perm_c(COLAMD, &A, perm_c.data());
    sp_preorder(&opt, &A, perm_c.data(), etree.data(), &AC);
    SuperLUStat_t stat;
    StatInit(&stat);
    GlobalLU_t glu;
    int info = 0;
    dgstrf(&opt, &AC, relax, sp_ienv(1), etree.data(), nullptr, 0, perm_c.data(), perm_r.data(), &L,
           &U, &glu, &stat, &info);
    StatFree(&stat);
    EXPECT_EQ(info, 0);
    const index_t lnz = static_cast<SCformat*>(L.Store)->nnz;
    Destroy_SuperNode_Matrix(&L);
    Destroy_CompCol_Matrix(&U);
    Destroy_CompCol_Permuted(&AC);
    Destroy_SuperMatrix_Store(&A);
    return lnz;
  };
  const index_t unrelaxed = lnz_with(1), relaxed = lnz_with(sp_ienv(2));
  EXPECT_NE(unrelaxed, relaxed);
  EXPECT_EQ(s->stats().nnz_L, unrelaxed);
}

}  // namespace
}  // namespace spax
