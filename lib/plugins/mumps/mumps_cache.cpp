// The mumps plugin's cache: MUMPS's save and restore (JOB=7/8) of every rank's part of an
// analysis or a factorization, as one string behind a header of what shaped it.
#include <cstring>
#include <sstream>

#include "mumps_solver.hpp"
#include "spax/timer.hpp"

namespace spax::mumps_plugin::detail {

bool MumpsSolver::import_symbolic(const SparseMatrix& a, const std::string& bytes) {
  if (ooc_) return false;
  Timer t;
  setup_pattern(a);
  const bool ok = restore(a, bytes, false);
  if (ok) {
    ++analyses_restored_;
    analysed_stats();
  }
  stats_.analyze_seconds = t.seconds();
  return ok;
}

bool MumpsSolver::import_numeric(const SparseMatrix& a, const std::string& bytes) {
  if (ooc_ || !analysed_) return false;
  Timer t;
  if (!restore(a, bytes, true)) return false;
  gather_values(a);
  factored_ = true;
  factored_stats();
  stats_.factor_seconds = t.seconds();
  return true;
}

// Header: magic, processes, SYM, complex, n, entries, the options that shape the analysis;
// then each rank's saved files.
std::string MumpsSolver::header_key() const {
  std::ostringstream s;
  s << "SPAXMUMPS1 " << mpi::size() << ' ' << sym_ << ' ' << (complex_ ? 1 : 0) << ' ' << n_ << ' '
    << irn_.size() << ' ' << ordering_ << ' ' << analysis_ << ' ' << relax_ << ' ' << threshold_
    << '\n';
  return s.str();
}

std::string MumpsSolver::save() const {
  if (id_ == 0 || !analysed_) return {};
  auto* self = const_cast<MumpsSolver*>(this);
  mpi::run({kChannel, kSave, {id_}, {}});
  Instance& in = self->inst();
  if (in.INFOG(1) < 0 || in.parts.size() != static_cast<std::size_t>(mpi::size())) {
    in.parts.clear();
    return {};
  }
  std::string out = header_key();
  for (const auto& p : in.parts) {
    const std::uint64_t size = p.size();
    out.append(reinterpret_cast<const char*>(&size), sizeof size);
    out += p;
  }
  in.parts.clear();
  return out;
}

// Restores a saved instance for matrix `a` (the pattern set up); false when the bytes do not
// fit (another process count, symmetry, size or options).
bool MumpsSolver::restore(const SparseMatrix& a, const std::string& bytes, bool numeric) {
  mpi::ensure_started();
  const int sym = numeric ? sym_ : sym_for(a);
  const int keep_sym = sym_;
  sym_ = sym;
  complex_ = a.is_complex();
  build_entries(a);
  const std::string key = header_key();
  sym_ = keep_sym;
  if (bytes.compare(0, key.size(), key) != 0) return false;
  std::vector<std::string> parts;
  std::size_t pos = key.size();
  for (int r = 0; r < mpi::size(); ++r) {
    std::uint64_t size = 0;
    if (bytes.size() - pos < sizeof size) return false;
    std::memcpy(&size, bytes.data() + pos, sizeof size);
    pos += sizeof size;
    if (bytes.size() - pos < size) return false;
    parts.push_back(bytes.substr(pos, size));
    pos += size;
  }
  if (pos != bytes.size()) return false;
  // MUMPS restores into a fresh instance only.
  recreate(sym);
  Instance& in = inst();
  in.parts = std::move(parts);
  mpi::run({kChannel, kRestore, {id_}, {}});
  if (in.INFOG(1) < 0) {
    // Files that do not restore: back to a plain analysis, which the caller then factors
    // (a numeric restore replaced the analysis it had).
    if (numeric) {
      reanalyse_as(a, sym);
    } else {
      destroy();
    }
    return false;
  }
  gather_values(a);
  set_host_matrix();
  given_name_ = ordering_ == "metis" ? "metis" : "given";
  analysed_ = true;
  return true;
}

}  // namespace spax::mumps_plugin::detail
