// Builds against an installed spax: reads a small matrix from text, solves it with a registered
// backend and with a backend of its own registered at run time, and lists the plugins the
// installed library finds beside itself, and uses one of the installed report writers.
#include <cmath>
#include <iostream>
#include <spax/backend.hpp>
#include <spax/config.hpp>
#include <spax/io.hpp>
#include <spax/report/text_format.hpp>
#include <spax/solve.hpp>

namespace {

// A library user's own backend: Jacobi iterations, enough for a diagonally dominant matrix.
class JacobiSolver final : public spax::Solver {
 public:
  std::string name() const override { return "consumer-jacobi"; }
  void analyze(const spax::SparseMatrix&) override {}
  void factor(const spax::SparseMatrix& a) override { a_ = a; }
  void solve(std::span<double> b, spax::index_t, bool) override {
    const auto n = static_cast<std::size_t>(a_.nrows);
    std::vector<double> x(n, 0.0), next(n);
    for (int it = 0; it < 200; ++it) {
      for (std::size_t i = 0; i < n; ++i) next[i] = b[i];
      double diag[64] = {};
      for (spax::index_t j = 0; j < a_.ncols; ++j)
        for (spax::index_t p = a_.colptr[j]; p < a_.colptr[j + 1]; ++p) {
          const auto i = static_cast<std::size_t>(a_.rowind[p]);
          if (a_.rowind[p] == j)
            diag[i] = a_.values[p];
          else
            next[i] -= a_.values[p] * x[j];
        }
      for (std::size_t i = 0; i < n; ++i) x[i] = next[i] / diag[i];
    }
    for (std::size_t i = 0; i < n; ++i) b[i] = x[i];
  }
  void solve(std::span<spax::complex_t>, spax::index_t, bool) override {
    spax::throw_usage("consumer-jacobi: real only");
  }

 private:
  spax::SparseMatrix a_;
};

}  // namespace

int main() {
  auto mf = spax::parse_matrix_market(
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n2 2 2\n3 3 2\n",
      "inline");
  if (mf.matrix.nnz() != 5) {
    std::cerr << "expected 5 stored entries, got " << mf.matrix.nnz() << "\n";
    return 1;
  }
  std::cout << "spax " << spax::version() << " (" << SPAX_VERSION_STRING << ") nnz "
            << mf.matrix.nnz() << " fingerprint " << spax::pattern_fingerprint(mf.matrix).hex()
            << "\n";
  spax::BackendInfo mine;
  mine.name = "consumer-jacobi";
  mine.summary = "Jacobi iterations";
  mine.factory = [](const spax::SolverOptions&) {
    return std::unique_ptr<spax::Solver>(new JacobiSolver());
  };
  spax::register_backend(mine);
  for (const char* name : {"klu", "consumer-jacobi"}) {
    spax::SequenceOptions so;
    so.solver = name;
    const auto r = spax::run_sequence({mf.matrix}, {}, so);  // b = A * ones
    for (double v : r.x[0])
      if (std::fabs(v - 1.0) > 1e-10) {
        std::cerr << name << " gave " << v << " instead of 1\n";
        return 1;
      }
    std::cout << name << " solved it, backward error " << r.solves[0].backward_error << "\n";
  }
  // The report writers the command line uses are installed too.
  if (spax::format_seconds(0.25) != "250 ms") {
    std::cerr << "format_seconds(0.25) gave '" << spax::format_seconds(0.25) << "'\n";
    return 1;
  }
  for (const auto& p : spax::plugin_records())
    std::cout << "plugin " << p.path << ": " << p.status << "\n";
  return 0;
}
