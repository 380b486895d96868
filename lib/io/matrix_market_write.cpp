#include <cmath>
#include <ostream>
#include <sstream>

#include "spax/io.hpp"

namespace spax {

namespace {

void write_comment(std::ostream& out, const std::string& comment) {
  if (comment.empty()) return;
  std::istringstream ss(comment);
  std::string line;
  while (std::getline(ss, line)) out << '%' << (line.empty() ? "" : " ") << line << '\n';
}

const char* field_word(Field f) {
  return to_string(f);
}

bool keep_entry(Symmetry s, index_t i, index_t j) {
  if (s == Symmetry::general) return true;
  if (s == Symmetry::skew_symmetric) return i > j;
  return i >= j;
}

void check_symmetry(const SparseMatrix& a, Symmetry s) {
  if (s == Symmetry::general) return;
  if (!a.is_square())
    throw_usage(std::string("cannot write a non-square matrix as ") + to_string(s));
  SparseMatrix t = transpose(a, s == Symmetry::hermitian);
  if (t.rowind != a.rowind || t.colptr != a.colptr)
    throw_usage(std::string("the matrix is not ") + to_string(s) +
                ": its pattern is not symmetric");
  for (std::size_t k = 0; k < a.values.size(); ++k) {
    double want = s == Symmetry::skew_symmetric ? -t.values[k] : t.values[k];
    if (a.values[k] != want) throw_usage(std::string("the matrix is not ") + to_string(s));
  }
  for (std::size_t k = 0; k < a.zvalues.size(); ++k) {
    complex_t want = s == Symmetry::skew_symmetric ? -t.zvalues[k] : t.zvalues[k];
    if (a.zvalues[k] != want) throw_usage(std::string("the matrix is not ") + to_string(s));
  }
  if (s == Symmetry::skew_symmetric && diagonal_nnz(a) > 0)
    throw_usage("a skew-symmetric matrix cannot store diagonal entries");
}

}  // namespace

void write_matrix_market(std::ostream& out, const SparseMatrix& a, const WriteOptions& options) {
  check_symmetry(a, options.symmetry);
  const Symmetry s = options.symmetry;
  index_t count = 0;
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) count += keep_entry(s, a.rowind[p], j);
  out << "%%MatrixMarket matrix coordinate " << field_word(a.field) << ' ' << to_string(s) << '\n';
  write_comment(out, options.comment);
  out << a.nrows << ' ' << a.ncols << ' ' << count << '\n';
  std::string line;
  for (index_t j = 0; j < a.ncols; ++j) {
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      index_t i = a.rowind[p];
      if (!keep_entry(s, i, j)) continue;
      line.clear();
      line += std::to_string(i + 1);
      line += ' ';
      line += std::to_string(j + 1);
      if (a.field == Field::complex) {
        line += ' ';
        line += format_double(a.zvalues[p].real());
        line += ' ';
        line += format_double(a.zvalues[p].imag());
      } else if (a.field == Field::integer) {
        line += ' ';
        double v = a.values[p];
        if (std::nearbyint(v) == v && std::fabs(v) < 9.2e18) {
          line += std::to_string(static_cast<long long>(v));
        } else {
          throw_usage("integer matrix holds a non-integer value");
        }
      } else if (a.field == Field::real) {
        line += ' ';
        line += format_double(a.values[p]);
      }
      line += '\n';
      out << line;
    }
  }
}

void write_matrix_market(const std::string& path, const SparseMatrix& a,
                         const WriteOptions& options) {
  write_output(path, [&](std::ostream& out) { write_matrix_market(out, a, options); });
}

void write_dense(const std::string& path, const DenseMatrix& d, const std::string& comment) {
  const std::size_t n = static_cast<std::size_t>(d.nrows * d.ncols);
  if ((d.is_complex() ? d.zvalues.size() : d.values.size()) != n)
    throw_internal("dense block size does not match its dimensions");
  write_output(path, [&](std::ostream& out) {
    out << "%%MatrixMarket matrix array " << (d.is_complex() ? "complex" : "real") << " general\n";
    write_comment(out, comment);
    out << d.nrows << ' ' << d.ncols << '\n';
    std::string line;
    for (std::size_t k = 0; k < n; ++k) {
      line.clear();
      if (d.is_complex()) {
        line += format_double(d.zvalues[k].real());
        line += ' ';
        line += format_double(d.zvalues[k].imag());
      } else {
        line += format_double(d.values[k]);
      }
      line += '\n';
      out << line;
    }
  });
}

DenseMatrix read_dense(const std::string& path, const ReadOptions& options) {
  MatrixFile mf = read_matrix_market(path, options);
  const auto& a = mf.matrix;
  if (a.field == Field::pattern)
    throw_input("a pattern file has no values to use as a dense block", path);
  DenseMatrix d;
  d.nrows = a.nrows;
  d.ncols = a.ncols;
  const std::size_t n = static_cast<std::size_t>(a.nrows) * static_cast<std::size_t>(a.ncols);
  if (a.is_complex()) {
    d.zvalues.assign(n, complex_t(0, 0));
  } else {
    d.values.assign(n, 0.0);
  }
  for (index_t j = 0; j < a.ncols; ++j)
    for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p) {
      std::size_t k = static_cast<std::size_t>(j * a.nrows + a.rowind[p]);
      if (a.is_complex()) {
        d.zvalues[k] = a.zvalues[p];
      } else {
        d.values[k] = a.values[p];
      }
    }
  return d;
}

}  // namespace spax
