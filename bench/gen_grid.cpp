// Writes the 7-point Laplacian of a k x k x k grid (or 5-point k x k with --2d) as a Matrix
// Market file, symmetric storage (lower triangle). --random-values writes random off-diagonal
// values with 17 significant digits (a text-heavy file for read benchmarks) while keeping the
// matrix symmetric positive definite (diagonal = 1 + sum of |off-diagonals| in the row).
//   bench_gen_grid K OUT.mtx [--2d] [--random-values]
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s K OUT.mtx [--2d] [--random-values]\n", argv[0]);
    return 2;
  }
  const long k = std::atol(argv[1]);
  bool two_d = false, random_values = false;
  for (int a = 3; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--2d")) two_d = true;
    if (!std::strcmp(argv[a], "--random-values")) random_values = true;
  }
  if (k < 1) return 2;
  const long n = two_d ? k * k : k * k * k;
  auto id = [&](long x, long y, long z) { return x + k * (y + k * z); };
  // Lower-triangle neighbours of each node: (x-1), (y-1), (z-1).
  long nnz = n;
  std::vector<double> diag(static_cast<std::size_t>(n), random_values ? 1.0 : 0.0);
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  struct E {
    long i, j;
    double v;
  };
  std::vector<E> entries;
  entries.reserve(static_cast<std::size_t>(n) * (two_d ? 3 : 4));
  for (long z = 0; z < (two_d ? 1 : k); ++z)
    for (long y = 0; y < k; ++y)
      for (long x = 0; x < k; ++x) {
        long i = id(x, y, z);
        long nb[3] = {x > 0 ? id(x - 1, y, z) : -1, y > 0 ? id(x, y - 1, z) : -1,
                      (!two_d && z > 0) ? id(x, y, z - 1) : -1};
        for (long j : nb) {
          if (j < 0) continue;
          double v = random_values ? -u(rng) : -1.0;
          entries.push_back({i, j, v});
          if (random_values) {
            diag[static_cast<std::size_t>(i)] += -v;
            diag[static_cast<std::size_t>(j)] += -v;
          }
          ++nnz;
        }
      }
  if (!random_values)
    for (auto& d : diag) d = two_d ? 4.0 : 6.0;
  FILE* f = std::fopen(argv[2], "w");
  if (!f) return 1;
  std::fprintf(f, "%%%%MatrixMarket matrix coordinate real symmetric\n");
  std::fprintf(f, "%% %s Laplacian of a %ld^%d grid\n", two_d ? "5-point" : "7-point", k,
               two_d ? 2 : 3);
  std::fprintf(f, "%ld %ld %ld\n", n, n, nnz);
  char buf[128];
  auto emit = [&](long i, long j, double v) {
    char* p = buf;
    p = std::to_chars(p, buf + 40, i + 1).ptr;
    *p++ = ' ';
    p = std::to_chars(p, buf + 80, j + 1).ptr;
    *p++ = ' ';
    if (random_values) {
      p += std::snprintf(p, 40, "%.17g", v);
    } else {
      p = std::to_chars(p, buf + 120, v).ptr;
    }
    *p++ = '\n';
    std::fwrite(buf, 1, static_cast<std::size_t>(p - buf), f);
  };
  // Column-major order: for column j, the diagonal then the entries below it.
  std::vector<std::vector<std::pair<long, double>>> below(static_cast<std::size_t>(n));
  for (const auto& e : entries) below[static_cast<std::size_t>(e.j)].push_back({e.i, e.v});
  for (long j = 0; j < n; ++j) {
    emit(j, j, diag[static_cast<std::size_t>(j)]);
    for (auto& [i, v] : below[static_cast<std::size_t>(j)]) emit(i, j, v);
  }
  return std::fclose(f) == 0 ? 0 : 1;
}
