#include "reference_backend.hpp"

#include "reference_solve.hpp"

namespace spax::test {
namespace {

class ReferenceLu final : public Solver {
 public:
  explicit ReferenceLu(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  void analyze(const SparseMatrix& a) override {
    if (!a.is_square()) throw_input("reference-lu: the matrix is not square");
    stats_.ordering = "natural";
  }
  void factor(const SparseMatrix& a) override {
    a_ = a;
    std::vector<double> probe(static_cast<std::size_t>(a.nrows), 0.0), x;
    std::vector<complex_t> zprobe(static_cast<std::size_t>(a.nrows)), zx;
    const bool ok = a.is_complex() ? reference_solve(a_, zprobe, false, zx)
                                   : reference_solve(a_, probe, false, x);
    if (!ok) throw_singular(a_, -1);
  }
  void solve(std::span<double> b, index_t nrhs, bool transpose) override {
    run(b, nrhs, transpose);
  }
  void solve(std::span<complex_t> b, index_t nrhs, bool transpose) override {
    run(b, nrhs, transpose);
  }

 private:
  template <class T>
  void run(std::span<T> b, index_t nrhs, bool transpose) {
    const auto n = static_cast<std::size_t>(a_.nrows);
    for (index_t k = 0; k < nrhs; ++k) {
      std::vector<T> bk(b.begin() + k * n, b.begin() + (k + 1) * n), x;
      if (!reference_solve(a_, bk, transpose, x)) throw_singular(a_, -1);
      std::copy(x.begin(), x.end(), b.begin() + k * n);
    }
  }
  std::string name_;
  SparseMatrix a_;
};

}  // namespace

BackendInfo reference_backend_info(const std::string& name) {
  BackendInfo b;
  b.name = name;
  b.summary = "the tests' dense Gaussian elimination";
  b.caps.complex = true;
  b.caps.transpose = true;
  b.factory = [name](const SolverOptions&) {
    return std::unique_ptr<Solver>(new ReferenceLu(name));
  };
  return b;
}

}  // namespace spax::test
