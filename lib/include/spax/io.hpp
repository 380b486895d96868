// Matrix Market reading and writing, NumPy .npy and whole-or-nothing file output.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spax/sparse.hpp"

namespace spax {

struct SPAX_API MatrixMarketHeader {
  std::string object = "matrix";
  bool coordinate = true;  // false: array (dense, column-major)
  Field field = Field::real;
  Symmetry symmetry = Symmetry::general;      // as read: a real "hermitian" file is symmetric
  std::string declared_symmetry = "general";  // the banner's word, lower case
  index_t nrows = 0;
  index_t ncols = 0;
  index_t declared_entries = 0;  // coordinate: the size line's count; array: values expected
};

struct SPAX_API ReadOptions {
  int threads = 0;  // 0: all hardware threads
  // Largest accepted dimension. The default (2^31 - 1) keeps every matrix within reach of the
  // 32-bit solver libraries and stops a size line from demanding gigabytes of column pointers.
  index_t max_dimension = 2147483647;
};

struct SPAX_API ReadStats {
  index_t entries_in_file = 0;    // entries (coordinate) or values (array) read
  index_t stored_nonzeros = 0;    // after symmetric expansion and duplicate summing
  index_t duplicates_summed = 0;  // entries merged into another at the same position
  index_t explicit_zeros = 0;     // stored entries whose value is exactly zero
  index_t diagonal_entries = 0;   // stored entries on the diagonal (explicit zeros included)
  index_t diagonal_nonzeros = 0;  // stored diagonal entries whose value is not zero (pattern: all)
  std::uint64_t file_bytes = 0;   // bytes of the file as stored (compressed for .gz)
  std::uint64_t text_bytes = 0;   // bytes of Matrix Market text parsed
  bool gzip = false;
  std::string compression = "none";  // "none", "gzip" or "bzip2" (detected by magic bytes)
  // True when the file was written with 0-based indices (detected; see read_matrix_market).
  bool zero_based = false;
  double seconds = 0.0;  // wall time of the read
  int threads = 1;       // threads used for parsing
};

struct SPAX_API MatrixFile {
  std::string path;
  MatrixMarketHeader header;
  SparseMatrix matrix;
  ReadStats stats;
};

// Reads a Matrix Market file (gzip and bzip2 are decompressed transparently, detected by their
// magic bytes, on files and on standard input alike; "-" reads standard input). Symmetric,
// skew-symmetric and hermitian files are expanded to full storage; entries in either triangle are
// accepted and mirrored. Duplicates are summed and counted; explicit zeros stay as structural
// entries. A coordinate file written with 0-based indices is accepted only when that is unambiguous
// (an index 0 appears, all indices fit 0-based and the 0-based reading uses every row and column);
// stats.zero_based says so. Malformed input throws an input Error carrying the file and line;
// nothing is allocated beyond what the file can hold.
SPAX_API MatrixFile read_matrix_market(const std::string& path, const ReadOptions& options = {});
// The same on text in memory; `name` is used in error messages.
SPAX_API MatrixFile parse_matrix_market(std::string_view text, const std::string& name,
                                        const ReadOptions& options = {});

// Dense column-major block (vectors and right-hand sides).
struct SPAX_API DenseMatrix {
  index_t nrows = 0;
  index_t ncols = 0;
  std::vector<double> values;      // real: nrows * ncols, column-major
  std::vector<complex_t> zvalues;  // complex
  bool is_complex() const noexcept { return !zvalues.empty(); }
};
// Reads a Matrix Market file (array or coordinate) as a dense block; pattern files are refused.
SPAX_API DenseMatrix read_dense(const std::string& path, const ReadOptions& options = {});

struct SPAX_API WriteOptions {
  // The symmetry to write. Anything but general writes only the lower triangle and requires the
  // matrix to have that symmetry (checked).
  Symmetry symmetry = Symmetry::general;
  std::string comment;  // optional comment lines (without the leading %)
};
// Coordinate format, real, complex, integer or pattern from the matrix's field. Numbers use the
// shortest form that reads back to the same double. Written to a temporary file, then renamed.
SPAX_API void write_matrix_market(const std::string& path, const SparseMatrix& a,
                                  const WriteOptions& options = {});
SPAX_API void write_matrix_market(std::ostream& out, const SparseMatrix& a,
                                  const WriteOptions& options = {});
// Array format (vectors and dense blocks).
SPAX_API void write_dense(const std::string& path, const DenseMatrix& d,
                          const std::string& comment = {});

// NumPy .npy (format 1.0, little-endian, C order, 1-D).
SPAX_API void write_npy(const std::string& path, std::span<const std::int64_t> data);
SPAX_API void write_npy(const std::string& path, std::span<const double> data);
SPAX_API void write_npy(std::ostream& out, std::span<const std::int64_t> data);
// Reads a 1-D integer .npy (int64, int32, uint32 or uint64, little-endian) as int64.
SPAX_API std::vector<std::int64_t> read_npy_int64(const std::string& path);

// The whole content of a file (or pipe); nullopt when it cannot be opened or read (a directory,
// a permission, an I/O error).
SPAX_API std::optional<std::string> read_whole_file(const std::string& path);

// --- Output and input paths, checked before any work --------------------------------------
// Every output path may be "-": standard output (write_output, and the writers above that take a
// path: write_matrix_market, write_dense, write_npy).
SPAX_API bool is_stdout_path(const std::string& path) noexcept;
// Writes to standard output when path is "-", else write_file_atomic(path, fill).
SPAX_API void write_output(const std::string& path, const std::function<void(std::ostream&)>& fill);
// Checks, before the work that produces it, that an output file can be written: "-" passes;
// otherwise the path must not be a directory and its directory must exist and be writable.
// Input error (exit 2) naming the path, what is wrong and `option` (e.g. "--out") when given.
SPAX_API void require_writable_output(const std::string& path, const std::string& option = {});
// The same for an output directory that is created when missing (with its parents): an
// existing one must be a writable directory (a file of that name is named as such); a missing
// one needs its nearest existing ancestor to be a writable directory.
SPAX_API void require_output_directory(const std::string& dir, const std::string& option = {});
// Refuses (usage error) an output file whose name does not end with one of `extensions`
// (compared case-insensitively; "-" passes): `spy -o x.png` would get SVG under a .png name.
// `format` names what is written ("SVG").
SPAX_API void require_extension(const std::string& path, const std::vector<std::string>& extensions,
                                const std::string& format, const std::string& option = {});
// Checks that a reader can read `path`: "-" (standard input), regular files, pipes and
// character devices pass; a missing path, a directory, a socket or a block device is an input
// error saying so. `what` names the content expected ("stamp map", ".npy permutation").
SPAX_API void require_readable_file(const std::string& path, const std::string& what);

// Writes a file whole or not at all: `fill` writes into a temporary file beside `path`, which is
// flushed and renamed over `path` only when `fill` returns without throwing.
SPAX_API void write_file_atomic(const std::string& path,
                                const std::function<void(std::ostream&)>& fill);
// Installs handlers for SIGINT, SIGTERM and SIGHUP (those not ignored) that remove the temporary
// files write_file_atomic has open (unlink only, async-signal-safe), then end the process by the
// same signal. For programs, not libraries: the spax command line calls it first thing.
SPAX_API void install_interrupt_cleanup();
// Removes those temporary files now (async-signal-safe; for a program's own signal handler).
SPAX_API void remove_temp_files_now() noexcept;

// Shortest round-trip formatting of a double (std::to_chars).
SPAX_API std::string format_double(double v);

}  // namespace spax
