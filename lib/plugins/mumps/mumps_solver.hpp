// Internal to the mumps plugin: the Solver of the backend `mumps` (rank 0), its members defined
// by theme: options and phases (mumps_backend.cpp), the matrix handed to MUMPS
// (mumps_matrix.cpp), the JOB calls with their retries (mumps_jobs.cpp), statistics
// (mumps_stats.cpp) and the cache (mumps_cache.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mumps_instance.hpp"
#include "spax/plugin.hpp"

namespace spax::mumps_plugin::detail {

class MumpsSolver final : public Solver {
 public:
  explicit MumpsSolver(const SolverOptions& o);
  ~MumpsSolver() override;

  std::string name() const override { return "mumps"; }
  bool wants_rcond_estimate() const override { return true; }

  // The options and the phases: mumps_backend.cpp; the solves: mumps_jobs.cpp.
  void analyze(const SparseMatrix& a) override;
  void factor(const SparseMatrix& a) override;
  void refactor(const SparseMatrix& a) override;

  void solve(std::span<double> b, index_t nrhs, bool transpose) override;
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override;

  // The cache: MUMPS's save/restore (JOB=7/8) of every rank's part, in-core factors only
  // (mumps_cache.cpp).
  std::string export_symbolic() const override { return ooc_ ? std::string() : save(); }
  bool import_symbolic(const SparseMatrix& a, const std::string& bytes) override;
  bool supports_numeric_cache() const override { return !ooc_; }
  std::string export_numeric() const override { return ooc_ ? std::string() : save(); }
  bool import_numeric(const SparseMatrix& a, const std::string& bytes) override;

 private:
  // ---- the pattern, the symmetry and the values handed to MUMPS (rank 0): mumps_matrix.cpp ----
  void setup_pattern(const SparseMatrix& a);
  bool values_symmetric(const SparseMatrix& a) const;
  int sym_for(const SparseMatrix& a) const;
  void build_entries(const SparseMatrix& a);
  void gather_values(const SparseMatrix& a);
  void set_host_matrix();

  // ---- instances and the JOB calls with their retries: mumps_jobs.cpp ----
  void destroy();
  void recreate(int sym);
  Instance& inst() { return instance(id_); }
  void analyze_here(const SparseMatrix& a);
  void reanalyse_as(const SparseMatrix& a, int sym);
  void factor_here(const SparseMatrix& a);
  void run_factor(const SparseMatrix& a);
  template <class T>
  void solve_t(std::span<T> b, index_t nrhs, bool transpose);
  void refactor_kept_values(int relax);

  // ---- statistics: mumps_stats.cpp ----
  void analysed_stats();
  void factored_stats();
  void note(const std::string& w);

  // ---- the cache: mumps_cache.cpp ----
  std::string header_key() const;
  std::string save() const;
  bool restore(const SparseMatrix& a, const std::string& bytes, bool numeric);

  SolverOptions options_;
  bool ooc_ = false;
  std::string ooc_dir_;
  int relax_ = -1;         // ICNTL(14); -1: MUMPS's default
  double threshold_ = -1;  // CNTL(1); -1: MUMPS's default
  std::string ordering_;   // auto, amd, amf, qamd, pord, metis, given
  std::string given_name_ = "given";
  int analysis_ = 0;  // ICNTL(28)
  int verbose_ = 0;
  int default_relax_ = 20;

  std::int64_t id_ = 0;
  int sym_ = 0;
  int n_ = 0;
  bool complex_ = false;
  bool analysed_ = false;
  bool factored_ = false;
  int analyses_ = 0;
  int analyses_restored_ = 0;
  bool pattern_symmetric_ = false;
  bool spd_diagonal_ = false;
  std::vector<index_t> mirror_;
  std::vector<MUMPS_INT> irn_, jcn_, perm_in_;
  std::vector<index_t> sel_;
  std::vector<double> dvals_;
  std::vector<complex_t> zvals_;
};

}  // namespace spax::mumps_plugin::detail
