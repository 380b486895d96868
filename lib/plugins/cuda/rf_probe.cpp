// spax_cuda_rf_probe MATRIX VARIANT [K]: one way of calling cusolverRf per process, so that a
// crash ends only that variant (the caller reads the exit status). Prints one line:
// "VARIANT K ok|wrong max_backward_error=... outside=..." where `outside` counts the entries of
// P A Q outside the pattern of the L + U handed over.
//   single         KLU without BTF, cusolverRfSetupHost/Analyze/Refactor/Solve
//   single-btf     the same with KLU's BTF on and its off-diagonal blocks dropped
//   batch          cusolverRfBatch*: setup from host arrays of host value pointers, values reset
//                  and solves through device arrays of device pointers
//   batch-btf      batch with the BTF factors
//   batch-devvals  batch, but the setup's value pointers point to device memory
//   batch-hostptrs batch, but ResetValues and Solve get host arrays of device pointers
//   batch-storedl  batch with L's unit diagonal stored (CUSOLVERRF_UNIT_DIAGONAL_STORED_L)
//   batch-nofast   batch with the fast value reset off
// Each call that returns prints its name, so the last one printed before a crash locates it.
#include <cuda_runtime.h>
#include <cusolverRf.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "klu_lu.hpp"
#include "spax/bench.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"

using namespace spax;
using namespace spax::cuda_plugin;

namespace {

void ck(cusolverStatus_t s, const char* what) {
  std::printf("%s; ", what);
  std::fflush(stdout);
  if (s != CUSOLVER_STATUS_SUCCESS) {
    std::printf("status %d from %s\n", static_cast<int>(s), what);
    std::fflush(stdout);
    std::exit(5);
  }
}
void ck(cudaError_t s, const char* what) {
  if (s != cudaSuccess) {
    std::printf("%s from %s\n", cudaGetErrorString(s), what);
    std::fflush(stdout);
    std::exit(5);
  }
}

template <class T>
T* dev(const std::vector<T>& v) {
  T* p = nullptr;
  ck(cudaMalloc(reinterpret_cast<void**>(&p), std::max<std::size_t>(1, v.size()) * sizeof(T)),
     "cudaMalloc");
  ck(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
  return p;
}

cusolverRfHandle_t make_handle(bool stored_l, bool fast) {
  cusolverRfHandle_t h = nullptr;
  ck(cusolverRfCreate(&h), "cusolverRfCreate");
  ck(cusolverRfSetNumericProperties(h, 0.0, 0.0), "SetNumericProperties");
  ck(cusolverRfSetAlgs(h, CUSOLVERRF_FACTORIZATION_ALG0, CUSOLVERRF_TRIANGULAR_SOLVE_ALG1),
     "SetAlgs");
  ck(cusolverRfSetMatrixFormat(
         h, CUSOLVERRF_MATRIX_FORMAT_CSR,
         stored_l ? CUSOLVERRF_UNIT_DIAGONAL_STORED_L : CUSOLVERRF_UNIT_DIAGONAL_ASSUMED_L),
     "SetMatrixFormat");
  ck(cusolverRfSetResetValuesFastMode(
         h, fast ? CUSOLVERRF_RESET_VALUES_FAST_MODE_ON : CUSOLVERRF_RESET_VALUES_FAST_MODE_OFF),
     "FastMode");
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: spax_cuda_rf_probe MATRIX VARIANT [K]\n");
    return 2;
  }
  const std::string variant = argv[2];
  const int K = argc > 3 ? std::atoi(argv[3]) : 4;
  SparseMatrix a = read_matrix_market(argv[1]).matrix;
  if (!a.has_values()) a = synthesize_values(a);
  const bool btf = variant.find("btf") != std::string::npos;
  KluLu klu;
  klu.analyze(a, "amd", {}, btf);
  klu.factor(a);
  CsrFactors f = klu.extract();
  if (variant == "batch-storedl") {
    // L with its unit diagonal stored, last in each row.
    CsrFactors g = f;
    g.Lj.clear();
    g.Lx.clear();
    for (int i = 0; i < f.n; ++i) {
      g.Lp[i] = static_cast<int>(g.Lj.size());
      for (int p = f.Lp[i]; p < f.Lp[i + 1]; ++p) {
        g.Lj.push_back(f.Lj[p]);
        g.Lx.push_back(f.Lx[p]);
      }
      g.Lj.push_back(i);
      g.Lx.push_back(1.0);
    }
    g.Lp[f.n] = static_cast<int>(g.Lj.size());
    f = g;
  }
  const CsrPattern c = csr_pattern(a);
  // Entries of P A Q outside the pattern of L + U.
  long outside = 0;
  {
    std::vector<int> pinv(f.P.size()), qinv(f.Q.size());
    for (std::size_t k = 0; k < f.P.size(); ++k) {
      pinv[f.P[k]] = static_cast<int>(k);
      qinv[f.Q[k]] = static_cast<int>(k);
    }
    for (index_t j = 0; j < a.ncols; ++j)
      for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
        const int i = pinv[a.rowind[p]], jj = qinv[j];
        const auto& rp = jj < i ? f.Lp : f.Up;
        const auto& rj = jj < i ? f.Lj : f.Uj;
        if (!std::binary_search(rj.begin() + rp[i], rj.begin() + rp[i + 1], jj)) ++outside;
      }
  }
  const int n = f.n, nnz = static_cast<int>(c.colind.size());
  std::vector<SparseMatrix> ms;
  for (int k = 0; k < (variant.rfind("batch", 0) == 0 ? K : 1); ++k)
    ms.push_back(k == 0 ? a : perturbed_values(a, 1, k));
  std::vector<std::vector<double>> vals(ms.size()), b(ms.size());
  for (std::size_t k = 0; k < ms.size(); ++k) {
    vals[k].resize(static_cast<std::size_t>(nnz));
    for (int t = 0; t < nnz; ++t) vals[k][t] = ms[k].values[c.from_csc[t]];
    std::vector<double> ones(static_cast<std::size_t>(n), 1.0);
    b[k].resize(static_cast<std::size_t>(n));
    multiply(ms[k], ones, b[k]);
  }
  std::printf("%s K=%zu n=%d nnz=%d nnzL=%zu nnzU=%zu outside=%ld: ", variant.c_str(), ms.size(), n,
              nnz, f.Lj.size(), f.Uj.size(), outside);
  std::fflush(stdout);
  auto rowptr = c.rowptr, colind = c.colind;
  int* dP = dev(f.P);
  int* dQ = dev(f.Q);
  int* dRow = dev(rowptr);
  int* dCol = dev(colind);
  double worst = 0.0;
  cusolverRfHandle_t h = make_handle(variant == "batch-storedl", variant != "batch-nofast");
  if (variant.rfind("single", 0) == 0) {
    ck(cusolverRfSetupHost(n, nnz, rowptr.data(), colind.data(), vals[0].data(),
                           static_cast<int>(f.Lj.size()), f.Lp.data(), f.Lj.data(), f.Lx.data(),
                           static_cast<int>(f.Uj.size()), f.Up.data(), f.Uj.data(), f.Ux.data(),
                           f.P.data(), f.Q.data(), h),
       "cusolverRfSetupHost");
    ck(cusolverRfAnalyze(h), "cusolverRfAnalyze");
    ck(cusolverRfRefactor(h), "cusolverRfRefactor");
    double* dx = dev(b[0]);
    double* dT = dev(std::vector<double>(static_cast<std::size_t>(n)));
    ck(cusolverRfSolve(h, dP, dQ, 1, dT, n, dx, n), "cusolverRfSolve");
    std::vector<double> x(static_cast<std::size_t>(n));
    ck(cudaMemcpy(x.data(), dx, x.size() * sizeof(double), cudaMemcpyDeviceToHost), "download");
    worst = backward_error(a, x, b[0]);
  } else {
    std::vector<double*> hv(ms.size()), dv(ms.size()), dx(ms.size());
    for (std::size_t k = 0; k < ms.size(); ++k) {
      dv[k] = dev(vals[k]);
      dx[k] = dev(b[k]);
      hv[k] = variant == "batch-devvals" ? dv[k] : vals[k].data();
    }
    ck(cusolverRfBatchSetupHost(K, n, nnz, rowptr.data(), colind.data(), hv.data(),
                                static_cast<int>(f.Lj.size()), f.Lp.data(), f.Lj.data(),
                                f.Lx.data(), static_cast<int>(f.Uj.size()), f.Up.data(),
                                f.Uj.data(), f.Ux.data(), f.P.data(), f.Q.data(), h),
       "cusolverRfBatchSetupHost");
    ck(cusolverRfBatchAnalyze(h), "cusolverRfBatchAnalyze");
    const bool host_arrays = variant == "batch-hostptrs";
    double** dvals = host_arrays ? dv.data() : dev(dv);
    double** dxs = host_arrays ? dx.data() : dev(dx);
    ck(cusolverRfBatchResetValues(K, n, nnz, dRow, dCol, dvals, dP, dQ, h),
       "cusolverRfBatchResetValues");
    ck(cusolverRfBatchRefactor(h), "cusolverRfBatchRefactor");
    std::vector<int> pos(ms.size(), -1);
    cusolverRfBatchZeroPivot(h, pos.data());
    double* dT = dev(std::vector<double>(2 * static_cast<std::size_t>(K) * n));
    ck(cusolverRfBatchSolve(h, dP, dQ, 1, dT, n, dxs, n), "cusolverRfBatchSolve");
    ck(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    for (std::size_t k = 0; k < ms.size(); ++k) {
      std::vector<double> x(static_cast<std::size_t>(n));
      ck(cudaMemcpy(x.data(), dx[k], x.size() * sizeof(double), cudaMemcpyDeviceToHost),
         "download");
      worst = std::max(worst, backward_error(ms[k], x, b[k]));
      if (pos[k] >= 0) std::printf("(zero pivot in %zu at %d) ", k, pos[k]);
    }
  }
  std::printf("%s max_backward_error=%.3g\n", worst < 1e-10 ? "ok" : "wrong", worst);
  cusolverRfDestroy(h);
  return worst < 1e-10 ? 0 : 1;
}
