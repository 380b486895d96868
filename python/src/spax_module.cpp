// The Python module `spax`: a thin binding of libspax. scipy.sparse matrices and numpy arrays in
// and out; every rule (input checks, refactor safety, the JSON documents) is the library's.
// Long calls (read, analyze, analyze/factor/refactor/solve) run with the GIL released; library
// errors become spax.InputError, spax.UsageError, spax.NumericalError or spax.InternalError.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "spax/analyze_report.hpp"
#include "spax/backend.hpp"
#include "spax/io.hpp"
#include "spax/solve.hpp"
#include "spax/solve_report.hpp"
#include "spax/sparse.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

using spax::complex_t;
using spax::index_t;
using spax::SparseMatrix;

// --- exceptions -----------------------------------------------------------------------------

struct Exceptions {
  PyObject* error = nullptr;
  PyObject* input = nullptr;
  PyObject* usage = nullptr;
  PyObject* numerical = nullptr;
  PyObject* internal = nullptr;
};
Exceptions g_exc;  // owned by the module (added to it), alive as long as it is

PyObject* new_exception(py::module_& m, const char* name, const char* doc, py::tuple bases,
                        int exit_code, const char* kind) {
  const std::string qualified = std::string("spax.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (!type) throw py::error_already_set();
  py::handle h(type);
  h.attr("exit_code") = exit_code;
  h.attr("kind") = kind;
  for (const char* attr : {"message", "file", "line", "column", "structural", "structural_rank"})
    h.attr(attr) = py::none();
  m.add_object(name, h);  // steals nothing: add_object increments the reference
  return type;
}

// Text for Python: file names and messages are bytes, not necessarily UTF-8.
py::str text_of(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

[[noreturn]] void raise_error(PyObject* type, const spax::Error& e) {
  py::object exc = py::reinterpret_borrow<py::object>(type)(text_of(e.what()));
  exc.attr("message") = text_of(e.message());
  if (!e.file().empty()) exc.attr("file") = text_of(e.file());
  if (e.line() > 0) exc.attr("line") = e.line();
  if (const auto* s = dynamic_cast<const spax::SingularError*>(&e)) {
    exc.attr("structural") = s->structural();
    if (s->column() >= 0) exc.attr("column") = s->column();
    exc.attr("structural_rank") = s->structural_rank();
  }
  PyErr_SetObject(type, exc.ptr());
  throw py::error_already_set();
}

PyObject* type_for(spax::ErrorKind kind) {
  switch (kind) {
    case spax::ErrorKind::input:
      return g_exc.input;
    case spax::ErrorKind::usage:
      return g_exc.usage;
    case spax::ErrorKind::numerical:
      return g_exc.numerical;
    case spax::ErrorKind::internal:
      return g_exc.internal;
  }
  return g_exc.internal;
}

void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const spax::Error& e) {
    try {
      raise_error(type_for(e.kind()), e);
    } catch (py::error_already_set& set) {
      set.restore();
    }
  } catch (const std::filesystem::filesystem_error& e) {
    // A path that could not be created, listed or renamed: an input error, as the CLI says.
    try {
      raise_error(g_exc.input, spax::Error(spax::ErrorKind::input, e.what()));
    } catch (py::error_already_set& set) {
      set.restore();
    }
  }
}

// --- numpy and scipy.sparse in --------------------------------------------------------------

py::module_ numpy() {
  return py::module_::import("numpy");
}

std::string type_name(py::handle obj) {
  py::handle t = py::type::handle_of(obj);
  return py::str(t.attr("__module__")).cast<std::string>() + "." +
         py::str(t.attr("__qualname__")).cast<std::string>();
}

bool is_path(py::handle obj) {
  return py::isinstance<py::str>(obj) ||
         py::isinstance(obj, py::module_::import("os").attr("PathLike"));
}

std::string path_of(py::handle obj) {
  if (!is_path(obj))
    spax::throw_usage("expected a path (str or os.PathLike), got " + type_name(obj));
  py::object p = py::module_::import("os").attr("fspath")(obj);
  if (!py::isinstance<py::str>(p)) spax::throw_usage("a path must be a str or os.PathLike of str");
  return p.cast<std::string>();
}

bool is_sparse(py::handle obj) {
  return py::module_::import("scipy.sparse").attr("issparse")(obj).cast<bool>();
}

char dtype_kind(const py::array& a) {
  return a.dtype().kind();
}

// The values of a scipy.sparse matrix as float64 or complex128 (converted once when they are of
// another numeric type), and the field they stand for.
struct Values {
  py::array array;
  spax::Field field = spax::Field::real;
};

Values values_of(py::handle data, bool keep_field) {
  py::array a = numpy().attr("asarray")(data);
  if (a.ndim() != 1) spax::throw_input("the matrix's data array is not 1-D");
  const char kind = dtype_kind(a);
  Values v;
  if (kind == 'c') {
    v.field = spax::Field::complex;
    v.array = numpy().attr("ascontiguousarray")(a, "dtype"_a = "complex128");
  } else if (kind == 'f' || kind == 'i' || kind == 'u' || kind == 'b') {
    if (keep_field && kind == 'b') {
      v.field = spax::Field::pattern;
      return v;
    }
    v.field = keep_field && (kind == 'i' || kind == 'u') ? spax::Field::integer : spax::Field::real;
    v.array = numpy().attr("ascontiguousarray")(a, "dtype"_a = "float64");
  } else {
    spax::throw_input("the matrix's values have dtype " + py::str(a.dtype()).cast<std::string>() +
                      ": expected numbers (float, complex, integer or bool)");
  }
  return v;
}

// Index arrays as int32 or int64 (other integer types converted once to int64), both of one type.
struct Indices {
  py::array first, second;
  bool wide = true;
};

Indices indices_of(py::handle first, py::handle second) {
  py::array a = numpy().attr("asarray")(first), b = numpy().attr("asarray")(second);
  for (const py::array* x : {&a, &b}) {
    if (x->ndim() != 1) spax::throw_input("the matrix's index arrays are not 1-D");
    const char k = dtype_kind(*x);
    if (k != 'i' && k != 'u')
      spax::throw_input("the matrix's indices have dtype " +
                        py::str(x->dtype()).cast<std::string>() + ": expected integers");
  }
  auto is = [](const py::array& x, const char* name) { return x.dtype().is(py::dtype(name)); };
  Indices out;
  if (is(a, "int32") && is(b, "int32")) {
    out.wide = false;
    out.first = numpy().attr("ascontiguousarray")(a);
    out.second = numpy().attr("ascontiguousarray")(b);
  } else {
    // int64 as it is; any other integer type (and a mix) converted once. Unsigned values past
    // int64 wrap negative and are refused as out of range.
    out.first = numpy().attr("ascontiguousarray")(a, "dtype"_a = "int64");
    out.second = numpy().attr("ascontiguousarray")(b, "dtype"_a = "int64");
  }
  return out;
}

template <class T>
std::span<const T> span_of(const py::array& a) {
  return {static_cast<const T*>(a.data()), static_cast<std::size_t>(a.size())};
}

struct Converted {
  SparseMatrix matrix;
  index_t duplicates = 0;
};

// Any scipy.sparse matrix or array: CSC used as it is (its index arrays copied once into the
// library's matrix: int64 by memcpy, int32 widened), CSR and COO assembled once, other formats
// through scipy's tocsc. `keep_field`: integer and bool values stay integer and pattern (write).
Converted matrix_of(py::handle obj, bool keep_field = false) {
  if (!is_sparse(obj))
    spax::throw_input("expected a scipy.sparse matrix or array, got " + type_name(obj));
  py::object m = py::reinterpret_borrow<py::object>(obj);
  py::tuple shape = m.attr("shape");
  if (shape.size() != 2) spax::throw_input("the matrix is not 2-D");
  const auto nrows = shape[0].cast<index_t>(), ncols = shape[1].cast<index_t>();
  std::string format = m.attr("format").cast<std::string>();
  if (format != "csc" && format != "csr" && format != "coo") {
    m = m.attr("tocsc")();
    format = "csc";
  }
  Values v = values_of(m.attr("data"), keep_field);
  const bool coo = format == "coo";
  Indices ix = coo ? indices_of(m.attr("row"), m.attr("col"))
                   : indices_of(m.attr("indptr"), m.attr("indices"));
  std::span<const double> re;
  std::span<const complex_t> im;
  if (v.field == spax::Field::complex)
    im = span_of<complex_t>(v.array);
  else if (v.field != spax::Field::pattern)
    re = span_of<double>(v.array);
  Converted c;
  py::gil_scoped_release release;
  if (coo) {
    c.matrix = ix.wide
                   ? spax::matrix_from_coordinates(nrows, ncols, span_of<std::int64_t>(ix.first),
                                                   span_of<std::int64_t>(ix.second), re, im,
                                                   v.field, &c.duplicates)
                   : spax::matrix_from_coordinates(nrows, ncols, span_of<std::int32_t>(ix.first),
                                                   span_of<std::int32_t>(ix.second), re, im,
                                                   v.field, &c.duplicates);
  } else {
    const bool by_rows = format == "csr";
    c.matrix = ix.wide ? spax::matrix_from_compressed(
                             nrows, ncols, by_rows, span_of<std::int64_t>(ix.first),
                             span_of<std::int64_t>(ix.second), re, im, v.field, &c.duplicates)
                       : spax::matrix_from_compressed(
                             nrows, ncols, by_rows, span_of<std::int32_t>(ix.first),
                             span_of<std::int32_t>(ix.second), re, im, v.field, &c.duplicates);
  }
  return c;
}

// A path (read with the library's reader) or a scipy.sparse matrix.
Converted matrix_or_file(py::handle obj, int threads) {
  if (!is_path(obj)) return matrix_of(obj);
  const std::string path = path_of(obj);
  spax::ReadOptions ro;
  ro.threads = threads;
  Converted c;
  py::gil_scoped_release release;
  spax::MatrixFile mf = spax::read_matrix_market(path, ro);
  c.matrix = std::move(mf.matrix);
  c.duplicates = mf.stats.duplicates_summed;
  return c;
}

// --- numpy and scipy.sparse out -------------------------------------------------------------

// A numpy array over a vector's memory, without a copy: the vector moves into the array's owner.
template <class T>
py::array adopt(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, owned->data(), owner);
}

// A scipy.sparse.csc_array over the matrix's values without a copy (the vector moves into the
// array). The indices go through scipy's constructor, which narrows them to int32 when they fit
// (one copy), as scipy's own routines need (scipy 1.10's spsolve and splu refuse int64). Pattern
// matrices get values 1.0, as scipy.io.mmread gives them.
py::object csc_array_of(SparseMatrix&& a) {
  py::object sp = py::module_::import("scipy.sparse");
  py::array data;
  if (a.is_complex())
    data = adopt(std::move(a.zvalues));
  else if (a.has_values())
    data = adopt(std::move(a.values));
  else
    data = adopt(std::vector<double>(a.rowind.size(), 1.0));
  const index_t nrows = a.nrows, ncols = a.ncols;
  py::object out = sp.attr("csc_array")(
      py::make_tuple(data, adopt(std::move(a.rowind)), adopt(std::move(a.colptr))),
      "shape"_a = py::make_tuple(nrows, ncols), "copy"_a = false);
  out.attr("has_canonical_format") = true;
  return out;
}

py::object json_loads(const std::string& text) {
  return py::module_::import("json").attr("loads")(text);
}

// A list given as "a,b" or as a sequence of names.
std::string name_list(py::handle obj, const char* what) {
  if (py::isinstance<py::str>(obj)) return obj.cast<std::string>();
  std::string s;
  try {
    for (py::handle item : obj) s += (s.empty() ? "" : ",") + item.cast<std::string>();
  } catch (const py::cast_error&) {
    spax::throw_usage(std::string(what) + ": expected a string or a sequence of strings");
  }
  return s;
}

std::string option_value(py::handle v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  return py::str(v).cast<std::string>();
}

// --- Solver -----------------------------------------------------------------------------------

// One SolverSession; the mutex keeps two Python threads from driving it at once (the GIL is
// released inside its calls).
class PySolver {
 public:
  PySolver(const std::string& name, const std::string& ordering, bool safe,
           double refactor_backward_limit, int threads, py::object permutation,
           py::kwargs options) {
    spax::SessionOptions o;
    o.solver = name;
    o.safe = safe;
    o.refactor_backward_limit = refactor_backward_limit;
    o.solver_options.ordering = ordering;
    o.solver_options.threads = threads;
    if (!permutation.is_none()) {
      py::array p = numpy().attr("asarray")(permutation, "dtype"_a = "int64");
      if (p.ndim() != 1) spax::throw_usage("permutation: expected a 1-D integer array");
      auto s = span_of<std::int64_t>(numpy().attr("ascontiguousarray")(p));
      o.solver_options.permutation.assign(s.begin(), s.end());
      if (ordering == "default") o.solver_options.ordering = "given";
    }
    for (auto [key, value] : options)
      o.solver_options.options[key.cast<std::string>()] = option_value(value);
    session_ = std::make_unique<spax::SolverSession>(std::move(o));
  }

  void analyze(py::handle a) {
    run([&](auto& s, SparseMatrix&& m) { s.analyze(std::move(m)); }, a);
  }
  void factor(py::handle a) {
    run([&](auto& s, SparseMatrix&& m) { s.factor(std::move(m)); }, a);
  }
  void refactor(py::handle a) {
    run([&](auto& s, SparseMatrix&& m) { s.refactor(std::move(m)); }, a);
  }

  void refactor_values(py::handle values) {
    if (!py::isinstance<py::array>(values))
      spax::throw_input("refactor_values takes a numpy array, got " + type_name(values));
    py::array v = py::reinterpret_borrow<py::array>(values);
    if (v.ndim() != 1)
      spax::throw_input("refactor_values takes a 1-D array, got " + std::to_string(v.ndim()) +
                        " dimensions");
    const bool complex = v.dtype().is(py::dtype("complex128"));
    if (!complex && !v.dtype().is(py::dtype("float64")))
      spax::throw_input("refactor_values takes float64 (or complex128) values, got " +
                        py::str(v.dtype()).cast<std::string>() +
                        " (convert once outside the loop: no conversion is made per call)");
    if (!(v.flags() & py::array::c_style)) v = numpy().attr("ascontiguousarray")(v);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    if (complex)
      session_->refactor_values(span_of<complex_t>(v));
    else
      session_->refactor_values(span_of<double>(v));
  }

  py::array solve(py::handle b, bool transpose) {
    py::array in = numpy().attr("asarray")(b);
    if (in.ndim() != 1 && in.ndim() != 2)
      spax::throw_input("the right-hand side must be 1-D or 2-D, got " + std::to_string(in.ndim()) +
                        " dimensions");
    const char kind = dtype_kind(in);
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b' && kind != 'c')
      spax::throw_input("the right-hand side has dtype " + py::str(in.dtype()).cast<std::string>() +
                        ": expected numbers");
    bool complex = kind == 'c';
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      complex = complex || session_->matrix().is_complex();
    }
    // A new array (b is never written), column-major so that each right-hand side is contiguous.
    py::array x = numpy().attr("array")(in, "dtype"_a = complex ? "complex128" : "float64",
                                        "order"_a = "F", "copy"_a = true);
    const index_t rows = x.shape(0), nrhs = x.ndim() == 2 ? x.shape(1) : 1;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      if (session_->factored() && rows != session_->matrix().nrows)
        spax::throw_input("the right-hand side has " + std::to_string(rows) +
                          " rows, the matrix has " + std::to_string(session_->matrix().nrows));
      if (complex)
        session_->solve(std::span<complex_t>(static_cast<complex_t*>(x.mutable_data()),
                                             static_cast<std::size_t>(x.size())),
                        nrhs, transpose);
      else
        session_->solve(std::span<double>(static_cast<double*>(x.mutable_data()),
                                          static_cast<std::size_t>(x.size())),
                        nrhs, transpose);
    }
    return x;
  }

  py::object stats() {
    std::string text;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      text = spax::session_json(*session_);
    }
    return json_loads(text);
  }

  template <class F>
  auto locked(F&& f) {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return f(*session_);
  }

 private:
  template <class F>
  void run(F&& f, py::handle a) {
    Converted c = matrix_of(a);
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    f(*session_, std::move(c.matrix));
  }

  std::mutex mutex_;
  std::unique_ptr<spax::SolverSession> session_;
};

}  // namespace

PYBIND11_MODULE(spax, m) {
  m.doc() =
      "spax: analyse and solve sparse linear systems (a binding of libspax).\n\n"
      "read/write/fingerprint Matrix Market files and scipy.sparse matrices; analyze a matrix as\n"
      "`spax analyze --json` does; Solver: analyze/factor/refactor/solve with every registered\n"
      "backend (plugins included), refactor safety and refactor_values for Newton loops.";
  m.attr("__version__") = spax::version();

  py::tuple base = py::make_tuple(py::handle(PyExc_Exception));
  g_exc.error = new_exception(m, "Error",
                              "Base of spax's errors: kind, exit_code (the command line's), "
                              "message, and where known file and line.",
                              base, 4, "internal");
  py::handle err(g_exc.error);
  g_exc.input = new_exception(
      m, "InputError",
      "Malformed or unreadable input (a file, an array of the wrong shape, dtype or values): "
      "exit code 2.",
      py::make_tuple(err, py::handle(PyExc_ValueError)), 2, "input");
  g_exc.usage = new_exception(
      m, "UsageError",
      "A wrong call: an unknown solver, ordering or option (the message names the valid "
      "ones), a step out of order: exit code 2.",
      py::make_tuple(err, py::handle(PyExc_ValueError)), 2, "usage");
  g_exc.numerical = new_exception(
      m, "NumericalError",
      "A numerical failure (exit code 3). For a singular matrix: structural (True when no "
      "row matches `column`, False for a zero pivot), column (0-based, None when unknown) and "
      "structural_rank.",
      py::make_tuple(err, py::handle(PyExc_ArithmeticError)), 3, "numerical");
  g_exc.internal =
      new_exception(m, "InternalError", "A failure inside spax or a library it uses: exit code 4.",
                    py::make_tuple(err, py::handle(PyExc_RuntimeError)), 4, "internal");
  py::register_exception_translator(&translate);

  m.def(
      "read",
      [](py::handle path, int threads) {
        const std::string p = path_of(path);
        spax::ReadOptions ro;
        ro.threads = threads;
        SparseMatrix a;
        {
          py::gil_scoped_release release;
          a = spax::read_matrix_market(p, ro).matrix;
        }
        return csc_array_of(std::move(a));
      },
      "path"_a, "threads"_a = 0,
      "Reads a Matrix Market file (.mtx, .mtx.gz, or '-' for standard input) with spax's "
      "parallel reader, as a scipy.sparse.csc_array (int64 indices, shared with the reader's "
      "arrays, no copy). Symmetric files are expanded; pattern files get values 1.0 (as "
      "scipy.io.mmread); integer files are float64.");

  m.def(
      "write",
      [](py::handle path, py::handle a, const std::string& symmetry, const std::string& comment) {
        const std::string p = path_of(path);
        spax::WriteOptions wo;
        wo.comment = comment;
        if (symmetry == "general")
          wo.symmetry = spax::Symmetry::general;
        else if (symmetry == "symmetric")
          wo.symmetry = spax::Symmetry::symmetric;
        else if (symmetry == "skew-symmetric")
          wo.symmetry = spax::Symmetry::skew_symmetric;
        else if (symmetry == "hermitian")
          wo.symmetry = spax::Symmetry::hermitian;
        else
          spax::throw_usage("symmetry '" + symmetry +
                            "': expected general, symmetric, skew-symmetric or hermitian");
        Converted c = matrix_of(a, true);
        py::gil_scoped_release release;
        spax::write_matrix_market(p, c.matrix, wo);
      },
      "path"_a, "A"_a, "symmetry"_a = "general", "comment"_a = "",
      "Writes a scipy.sparse matrix as a Matrix Market coordinate file, whole or not at all "
      "(a temporary file renamed). The field follows the dtype: float real, complex complex, "
      "integer integer, bool pattern. A symmetry other than general writes the lower triangle "
      "and is checked.");

  m.def(
      "fingerprint",
      [](py::handle a, int threads) {
        Converted c = matrix_or_file(a, threads);
        py::gil_scoped_release release;
        return spax::pattern_fingerprint(c.matrix).hex();
      },
      "A"_a, "threads"_a = 0,
      "The 128-bit pattern fingerprint (32 hex digits) of a scipy.sparse matrix or a Matrix "
      "Market file: the hash `spax fingerprint` prints. Equal for equal patterns whatever the "
      "format, entry order, duplicates or values (explicit zeros are entries).");

  m.def(
      "synthesize_values",
      [](py::handle a) {
        Converted c = matrix_of(a);
        SparseMatrix s;
        {
          py::gil_scoped_release release;
          s = spax::synthesize_values(spax::pattern_of(c.matrix));
        }
        return csc_array_of(std::move(s));
      },
      "A"_a,
      "Values for a pattern, as spax solve and analyze make them for pattern-only files: "
      "negative off-diagonal entries, a strictly dominant positive diagonal (added where "
      "missing). Returns a csc_array.");

  m.def(
      "analyze",
      [](py::handle a, py::handle orderings, py::handle lu_fill, double lu_timeout, int lu_relax,
         bool measure, std::optional<std::string> name, py::object stamps, py::object samples,
         py::object output_dir, bool html, int threads) {
        spax::AnalyzeOptions ao;
        spax::set_analyze_orderings(ao, name_list(orderings, "orderings"), "orderings");
        spax::set_analyze_lu_fill(ao, lu_fill.is_none() ? "none" : name_list(lu_fill, "lu_fill"),
                                  "lu_fill");
        if (!(lu_timeout > 0)) spax::throw_usage("lu_timeout must be positive");
        if (lu_relax < 0) spax::throw_usage("lu_relax must not be negative");
        ao.lu_timeout = lu_timeout;
        ao.superlu_relax = lu_relax;
        ao.measure = measure;
        ao.threads = threads;
        if (name) ao.name = *name;
        if (!stamps.is_none()) ao.stamps = path_of(stamps);
        std::optional<std::string> dir;
        if (!output_dir.is_none()) dir = path_of(output_dir);
        if (html && !dir) spax::throw_usage("html=True needs an output_dir to write report.html");
        std::vector<py::handle> more;
        if (!samples.is_none())
          for (py::handle s : samples) more.push_back(s);
        bool files = is_path(a);
        for (py::handle s : more) files = files && is_path(s);
        spax::AnalyzeResult r;
        if (files) {
          std::vector<std::string> paths{path_of(a)};
          for (py::handle s : more) paths.push_back(path_of(s));
          py::gil_scoped_release release;
          r = spax::analyze_files(paths, ao);
        } else {
          const std::string input = is_path(a) ? path_of(a) : "<" + type_name(a) + ">";
          Converted c = matrix_or_file(a, threads);
          std::vector<SparseMatrix> rest;
          for (py::handle s : more) rest.push_back(matrix_or_file(s, threads).matrix);
          py::gil_scoped_release release;
          r = spax::analyze_matrix(c.matrix, ao, rest, input, c.duplicates);
        }
        std::string text;
        {
          py::gil_scoped_release release;
          if (dir) spax::write_analyze_outputs(r, *dir, html);
          text = spax::analyze_json(r, -1);
        }
        return json_loads(text);
      },
      "A"_a, "orderings"_a = "all", "lu_fill"_a = "superlu,klu", "lu_timeout"_a = 60.0,
      "lu_relax"_a = 0, "measure"_a = false, "name"_a = py::none(), "stamps"_a = py::none(),
      "samples"_a = py::none(), "output_dir"_a = py::none(), "html"_a = false, "threads"_a = 0,
      "What a square sparse matrix offers a parallel direct solver: the dict `spax analyze "
      "--json` prints (the same library call and document). A is a scipy.sparse matrix or a "
      "Matrix Market path; orderings and lu_fill as the command line's --orderings and "
      "--lu-fill (a string or a list; lu_fill=None for none); samples: more matrices or paths "
      "of the sequence (pattern_stability). Files (parallelism_analysis.json, ...) are written "
      "only with output_dir, report.html only with html=True as well. LU fill runs in forked "
      "child processes under lu_timeout seconds each.");

  m.def(
      "solvers",
      [](std::optional<std::string> name) {
        std::string text;
        {
          py::gil_scoped_release release;
          text = spax::solvers_json(name.value_or(""), -1);
        }
        return json_loads(text);
      },
      "name"_a = py::none(),
      "The solver registry as `spax solvers --json` prints it: backends (built-in and from "
      "plugins; available or why not, capabilities, orderings, option keys with defaults), "
      "preconditioners and the plugins found.");

  py::class_<PySolver>(m, "Solver",
                       "A solver backend from the registry, driven across a Newton loop with the "
                       "refactor-safety rules of `spax solve`'s sequence runner.")
      .def(py::init<const std::string&, const std::string&, bool, double, int, py::object,
                    py::kwargs>(),
           "name"_a = "klu", "ordering"_a = "default", py::kw_only(), "safe"_a = true,
           "refactor_backward_limit"_a = 1e-10, "threads"_a = 0, "permutation"_a = py::none(),
           "name: a registered backend (spax.solvers()), METHOD+PRECOND (cg+amg), or 'auto'. "
           "ordering: 'default' or one the backend declares ('given' with permutation). "
           "**options: the backend's --solver-options keys (an unknown key raises UsageError "
           "naming the valid ones). safe: after a refactor, an answer whose backward error is "
           "above refactor_backward_limit is computed again with fresh pivoting (counted in "
           "stats['refactor_fallbacks']).")
      .def("analyze", &PySolver::analyze, "A"_a,
           "Checks A (square, finite) and analyses its pattern (ordering, symbolic). Keeps a "
           "copy of the pattern for refactor_values.")
      .def("factor", &PySolver::factor, "A"_a,
           "A fresh numeric factorization (analysing first when A's pattern is new).")
      .def("refactor", &PySolver::refactor, "A"_a,
           "New values: same pattern, a refactor (kept pivots, with the fallbacks); another "
           "pattern, a fresh analysis and factorization (stats['reanalysed']).")
      .def("refactor_values", &PySolver::refactor_values, "values"_a,
           "New values on the kept pattern: a 1-D float64 (complex128 for a complex matrix) "
           "array of nnz values in the CSC order of the matrix given to analyze/factor (scipy's "
           "canonical CSC order: A.tocsc().sorted_indices().data). No conversion per call.")
      .def("solve", &PySolver::solve, "b"_a, "transpose"_a = false,
           "Solves A x = b (transpose: A^T x = b, A^H for complex) for a 1-D or 2-D b (one "
           "right-hand side per column), real or complex. Returns a new array; b is untouched.")
      .def_property_readonly("stats", &PySolver::stats,
                             "Statistics (dict) under the key names of `spax solve --json`; the "
                             "per-matrix lists there are the last matrix's values here.")
      .def_property_readonly(
          "name",
          [](PySolver& s) {
            return s.locked([](spax::SolverSession& x) { return x.stats().solver; });
          })
      .def_property_readonly(
          "n", [](PySolver& s) { return s.locked([](auto& x) { return x.matrix().nrows; }); })
      .def_property_readonly(
          "nnz", [](PySolver& s) { return s.locked([](auto& x) { return x.matrix().nnz(); }); })
      .def_property_readonly(
          "analyzed", [](PySolver& s) { return s.locked([](auto& x) { return x.analyzed(); }); })
      .def_property_readonly(
          "factored", [](PySolver& s) { return s.locked([](auto& x) { return x.factored(); }); });
}
