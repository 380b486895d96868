// The floor for `spax solve A1 ... AK --solver klu`: a hand-written KLU loop that analyses once,
// factors the first matrix, then per iteration calls klu_l_refactor + klu_l_solve.
// Usage: bench_klu_floor [--rounds R] A1.mtx [A2.mtx ...]   (prints one JSON object)
#include <klu.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "spax/io.hpp"
#include "spax/timer.hpp"

int main(int argc, char** argv) {
  int rounds = 1;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = std::max(1, std::atoi(argv[++i]));
    else
      files.emplace_back(argv[i]);
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: bench_klu_floor [--rounds R] A1.mtx [A2.mtx ...]\n");
    return 2;
  }
  std::vector<spax::SparseMatrix> ms;
  for (const auto& f : files) {
    spax::SparseMatrix a = spax::read_matrix_market(f).matrix;
    if (!a.has_values()) a = spax::synthesize_values(a);
    ms.push_back(std::move(a));
  }
  const auto n = ms[0].nrows;
  std::vector<std::vector<double>> rhs;
  for (const auto& a : ms) {
    std::vector<double> ones(n, 1.0), b(n);
    spax::multiply(a, ones, b);
    rhs.push_back(std::move(b));
  }
  klu_l_common c;
  klu_l_defaults(&c);
  auto* Ap = const_cast<SuiteSparse_long*>(ms[0].colptr.data());
  auto* Ai = const_cast<SuiteSparse_long*>(ms[0].rowind.data());
  spax::Timer t;
  klu_l_symbolic* sym = klu_l_analyze(n, Ap, Ai, &c);
  double analyze = t.seconds();
  t.reset();
  klu_l_numeric* num = klu_l_factor(Ap, Ai, ms[0].values.data(), sym, &c);
  double factor = t.seconds();
  if (!sym || !num) {
    std::fprintf(stderr, "klu failed\n");
    return 3;
  }
  std::vector<double> x(n);
  double refactor = 0.0, solve = 0.0;
  long iterations = 0;
  std::vector<double> per;  // refactor + solve of each iteration
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 1; i < ms.size(); ++i) {
      t.reset();
      klu_l_refactor(Ap, Ai, ms[i].values.data(), sym, num, &c);
      double tr = t.seconds();
      t.reset();
      x = rhs[i];
      klu_l_solve(sym, num, n, 1, x.data(), &c);
      double ts = t.seconds();
      refactor += tr;
      solve += ts;
      per.push_back(tr + ts);
      ++iterations;
    }
  klu_l_free_numeric(&num, &c);
  klu_l_free_symbolic(&sym, &c);
  double it = iterations > 0 ? static_cast<double>(iterations) : 1.0;
  std::sort(per.begin(), per.end());
  double median = per.empty() ? 0.0 : per[per.size() / 2];
  std::printf(
      "{\"n\": %ld, \"iterations\": %ld, \"analyze\": %.9g, \"factor\": %.9g, "
      "\"refactor_per_iteration\": %.9g, \"solve_per_iteration\": %.9g, "
      "\"per_iteration\": %.9g, \"per_iteration_median\": %.9g}\n",
      static_cast<long>(n), iterations, analyze, factor, refactor / it, solve / it,
      (refactor + solve) / it, median);
  return 0;
}
