#include "solve/solve_cache.hpp"

#include <cstdio>
#include <filesystem>

namespace spax::solve_detail {
namespace {

namespace fs = std::filesystem;

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t values_hash(const SparseMatrix& a) {
  return a.is_complex() ? hash64_words(a.zvalues.data(), a.zvalues.size() * sizeof(complex_t))
                        : hash64_words(a.values.data(), a.values.size() * sizeof(double));
}

std::string ordering_key(const SolverOptions& o) {
  if (o.ordering != "given") return o.ordering;
  return "given" + hex64(fnv1a64(o.permutation.data(), o.permutation.size() * sizeof(index_t)));
}

}  // namespace

std::string SolveCache::path(const Solver& s, const std::string& kind, const SparseMatrix& a,
                             bool with_values) const {
  std::string key = pattern_fingerprint(a).hex();
  if (with_values) key += "-" + hex64(values_hash(a));
  key += "-" + s.name() + "-" + ordering_key(options_) + "-" +
         (a.is_complex() ? "complex" : "real") + "." + kind;
  return (fs::path(dir_) / key).string();
}

std::optional<std::string> SolveCache::load(const std::string& path) {
  std::string why;
  auto bytes = read_cache_file(path, &why);
  if (!bytes && !why.empty())
    warnings_.push_back("cache file " + path + " ignored (" + why + "), rebuilding");
  return bytes;
}

void SolveCache::store(const std::string& path, const std::string& bytes) {
  try {
    write_cache_file(path, bytes);
  } catch (const Error& e) {
    warnings_.push_back("cache file " + path + " not written: " + e.message());
  }
}

void SolveCache::analyze(Solver& s, const SparseMatrix& a) {
  if (dir_.empty()) {
    s.analyze(a);
    return;
  }
  std::error_code ec;
  fs::create_directories(dir_, ec);
  const std::string p = path(s, "sym", a, false);
  if (auto bytes = load(p)) {
    if (s.import_symbolic(a, *bytes)) {
      symbolic_ = "hit";
      return;
    }
    warnings_.push_back("cache file " + p + " ignored (does not fit), rebuilding");
  }
  s.analyze(a);
  const std::string bytes = s.export_symbolic();
  if (bytes.empty()) {
    symbolic_ = "unsupported";
    return;
  }
  store(p, bytes);
  symbolic_ = "miss";
}

void SolveCache::factor(Solver& s, const SparseMatrix& a) {
  if (dir_.empty()) {
    s.factor(a);
    return;
  }
  if (!s.supports_numeric_cache()) {
    numeric_ = "unsupported";
    s.factor(a);
    return;
  }
  const std::string p = path(s, "num", a, true);
  if (auto bytes = load(p)) {
    if (s.import_numeric(a, *bytes)) {
      numeric_ = "hit";
      return;
    }
    warnings_.push_back("cache file " + p + " ignored (does not fit), rebuilding");
  }
  s.factor(a);
  store(p, s.export_numeric());
  numeric_ = "miss";
}

}  // namespace spax::solve_detail
