// Matrix Market reader and writer: hand-worked cases, every variant of the format, the
// EXPECT.tsv corpus, malformed input, thread-count independence and round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include <bzlib.h>
#include <zlib.h>

#include "spax/io.hpp"
#include "test_support.hpp"

namespace spax {
namespace {

using test::ScratchDir;

// Dense reference: the value at (i, j) of a CSC matrix, found by a linear scan.
double at(const SparseMatrix& a, index_t i, index_t j) {
  for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
    if (a.rowind[p] == i) return a.values[p];
  return std::nan("");  // not stored
}
bool stored(const SparseMatrix& a, index_t i, index_t j) {
  for (index_t p = a.colptr[j]; p < a.colptr[j + 1]; ++p)
    if (a.rowind[p] == i) return true;
  return false;
}

MatrixFile parse(const std::string& text, int threads = 1) {
  ReadOptions o;
  o.threads = threads;
  return parse_matrix_market(text, "t.mtx", o);
}

// Expects an input error whose message contains `what` and that points at `line`.
void expect_error(const std::string& text, const std::string& what, index_t line) {
  try {
    parse(text);
    FAIL() << "expected an error containing '" << what << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.file(), "t.mtx");
  }
}

TEST(MatrixMarket, GeneralRealHandWorked) {
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real general\n% c\n3 4 4\n1 1 1.5\n3 2 -2\n"
      "2 4 1e3\n1 4 0.25\n");
  const auto& a = mf.matrix;
  a.validate();
  EXPECT_EQ(a.nrows, 3);
  EXPECT_EQ(a.ncols, 4);
  EXPECT_EQ(a.nnz(), 4);
  EXPECT_EQ(a.colptr, (std::vector<index_t>{0, 1, 2, 2, 4}));
  EXPECT_EQ(a.rowind, (std::vector<index_t>{0, 2, 0, 1}));
  EXPECT_EQ(a.values, (std::vector<double>{1.5, -2, 0.25, 1000}));
  EXPECT_EQ(mf.stats.entries_in_file, 4);
  EXPECT_EQ(mf.stats.diagonal_entries, 1);
  EXPECT_EQ(mf.stats.diagonal_nonzeros, 1);
  EXPECT_EQ(mf.header.field, Field::real);
}

TEST(MatrixMarket, SymmetricExpandsAndMirrorsUpperEntries) {
  // (1,2) is given in the upper triangle: it must be mirrored like a lower one.
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 4\n1 2 -1\n"
      "3 2 -2\n3 3 5\n");
  const auto& a = mf.matrix;
  EXPECT_EQ(a.nnz(), 6);
  EXPECT_EQ(at(a, 0, 1), -1);
  EXPECT_EQ(at(a, 1, 0), -1);
  EXPECT_EQ(at(a, 2, 1), -2);
  EXPECT_EQ(at(a, 1, 2), -2);
  EXPECT_FALSE(stored(a, 1, 1));
  EXPECT_EQ(a.symmetry, Symmetry::symmetric);
}

TEST(MatrixMarket, SkewSymmetricNegatesMirror) {
  auto mf = parse("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 1 3\n");
  EXPECT_EQ(at(mf.matrix, 1, 0), 3);
  EXPECT_EQ(at(mf.matrix, 0, 1), -3);
}

TEST(MatrixMarket, HermitianConjugatesMirror) {
  auto mf = parse(
      "%%MatrixMarket matrix coordinate complex hermitian\n2 2 3\n1 1 2 0\n"
      "2 1 1 -1\n2 2 3 0\n");
  const auto& a = mf.matrix;
  ASSERT_TRUE(a.is_complex());
  ASSERT_EQ(a.nnz(), 4);
  // column 0: (0,0)=2, (1,0)=1-1i; column 1: (0,1)=1+1i, (1,1)=3
  EXPECT_EQ(a.zvalues[1], complex_t(1, -1));
  EXPECT_EQ(a.zvalues[2], complex_t(1, 1));
}

TEST(MatrixMarket, DuplicatesSummedExplicitZerosKept) {
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1.0\n1 1 2.0\n"
      "2 2 1.0\n3 3 0.0\n3 1 0.0\n");
  EXPECT_EQ(mf.stats.duplicates_summed, 1);
  EXPECT_EQ(mf.stats.explicit_zeros, 2);
  EXPECT_EQ(mf.matrix.nnz(), 4);
  EXPECT_EQ(at(mf.matrix, 0, 0), 3.0);
  EXPECT_TRUE(stored(mf.matrix, 2, 0));
}

TEST(MatrixMarket, PatternIntegerAndKeywordCase) {
  auto p = parse("%%MatrixMarket MATRIX Coordinate PATTERN General\n2 2 2\n1 2\n2 1\n");
  EXPECT_EQ(p.matrix.field, Field::pattern);
  EXPECT_TRUE(p.matrix.values.empty());
  EXPECT_EQ(p.matrix.nnz(), 2);
  auto i = parse("%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 -129\n");
  EXPECT_EQ(i.matrix.field, Field::integer);
  EXPECT_EQ(i.matrix.values[0], -129.0);
}

TEST(MatrixMarket, ArrayGeneralAndSymmetric) {
  auto g = parse("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
  // column-major: (0,0)=1 (1,0)=2 (0,1)=3 (1,1)=4
  EXPECT_EQ(at(g.matrix, 1, 0), 2);
  EXPECT_EQ(at(g.matrix, 0, 1), 3);
  auto s = parse("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n4\n");
  EXPECT_EQ(at(s.matrix, 1, 0), 2);
  EXPECT_EQ(at(s.matrix, 0, 1), 2);
  EXPECT_EQ(at(s.matrix, 1, 1), 4);
  auto c = parse("%%MatrixMarket matrix array complex general\n1 2\n1 2\n3 -4\n");
  ASSERT_EQ(c.matrix.nnz(), 2);
  EXPECT_EQ(c.matrix.zvalues[1], complex_t(3, -4));
}

TEST(MatrixMarket, CrlfBlankLinesTabsAndSpecialValues) {
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real general\r\n\r\n  3\t3 4 \r\n1\t1 +1.0\r\n"
      "\r\n2 2 inf\r\n3 3 -1e-400\r\n% comment in the body\r\n1 3 nan\r\n");
  const auto& a = mf.matrix;
  EXPECT_EQ(a.nnz(), 4);
  EXPECT_EQ(at(a, 0, 0), 1.0);
  EXPECT_TRUE(std::isinf(at(a, 1, 1)));
  EXPECT_EQ(at(a, 2, 2), 0.0);  // underflow reads as zero, not an error
  EXPECT_TRUE(std::isnan(at(a, 0, 2)));
}

TEST(MatrixMarket, EmptyMatrices) {
  auto a = parse("%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  EXPECT_EQ(a.matrix.nrows, 0);
  EXPECT_EQ(a.matrix.colptr.size(), 1u);
  auto b = parse("%%MatrixMarket matrix coordinate real general\n0 4 0\n");
  EXPECT_EQ(b.matrix.ncols, 4);
  EXPECT_EQ(b.matrix.colptr, (std::vector<index_t>(5, 0)));
}

TEST(MatrixMarket, MalformedInputNamesTheLine) {
  const std::string h = "%%MatrixMarket matrix coordinate real general\n";
  expect_error("", "empty file", 0);
  expect_error("hello\n", "no %%MatrixMarket banner", 1);
  expect_error(h, "no size line", 1);
  expect_error(h + "2 2\n", "3 numbers", 2);
  expect_error(h + "2 2 1\n1 1\n", "without a value", 3);
  expect_error(h + "2 2 1\n1 1 1 2\n", "extra tokens", 3);
  expect_error(h + "2 2 1\n3 1 1\n", "row index 3 out of range", 3);
  expect_error(h + "2 2 1\n1 9 1\n", "column index 9 out of range", 3);
  expect_error(h + "2 2 1\n1 x 1\n", "column index", 3);
  expect_error(h + "2 2 1\n1 1 abc\n", "not a number", 3);
  expect_error(h + "2 2 1\n1 1 1e999\n", "out of the double range", 3);
  expect_error(h + "2 2 2\n1 1 1\n", "fewer entries than declared", 3);
  expect_error(h + "2 2 1\n1 1 1\n2 2 1\n", "more entries than the 1 declared", 4);
  expect_error(h + "-2 2 1\n", "negative", 2);
  expect_error(h + "3 3 2\n0 0 1.0\n3 3 2.0\n", "1-based", 3);
  expect_error(h + "99999999999999999999999 2 1\n", "does not fit", 2);
  expect_error("%%MatrixMarket matrix coordinate real general\n3000000000 3 1\n1 1 1\n",
               "exceeds the limit of 2147483647", 2);
  expect_error("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n1 1 1\n", "diagonal",
               3);
  expect_error("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", "square", 2);
  expect_error("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1\n", "imaginary", 3);
  expect_error("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n", "fewer values", 5);
  expect_error("%%MatrixMarket matrix array pattern general\n2 2\n", "array pattern", 1);
  expect_error("%%MatrixMarket matrix coordinate pattern hermitian\n2 2 0\n", "hermitian", 1);
  expect_error("%%MatrixMarket vector coordinate real general\n2 2 0\n", "object", 1);
}

TEST(MatrixMarket, DeclaredCountBeyondFileSizeRejectedBeforeAllocating) {
  // 1e12 entries cannot fit in a few bytes: rejected at the size line, no allocation attempted.
  expect_error(
      "%%MatrixMarket matrix coordinate real general\n1000000000 1000000000 "
      "999999999999\n1 1 1.0\n",
      "can hold at most", 2);
}

TEST(MatrixMarket, ZeroBasedFilesOnlyWhenUnambiguous) {
  // Every row and column used under the 0-based reading: accepted as 0-based.
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real general\n2 3 4\n0 0 1.1\n0 1 1.2\n"
      "0 2 1.3\n1 2 2.3\n");
  EXPECT_TRUE(mf.stats.zero_based);
  EXPECT_EQ(at(mf.matrix, 1, 2), 2.3);
  EXPECT_EQ(at(mf.matrix, 0, 0), 1.1);
}

TEST(MatrixMarket, ResultIndependentOfThreadCount) {
  // A random general matrix with duplicates, large enough to be split into several pieces.
  std::mt19937_64 rng(42);
  std::ostringstream ss;
  const int n = 3000, nz = 200000;
  ss << "%%MatrixMarket matrix coordinate real general\n" << n << ' ' << n << ' ' << nz << '\n';
  for (int k = 0; k < nz; ++k)
    ss << (rng() % n) + 1 << ' ' << (rng() % n) + 1 << ' ' << static_cast<int>(rng() % 1000) - 500
       << '\n';
  const std::string text = ss.str();
  auto one = parse(text, 1);
  for (int t : {2, 3, 8}) {
    auto many = parse(text, t);
    EXPECT_EQ(one.matrix.colptr, many.matrix.colptr);
    EXPECT_EQ(one.matrix.rowind, many.matrix.rowind);
    EXPECT_EQ(one.matrix.values, many.matrix.values);  // integer values: sums are exact
    EXPECT_EQ(one.stats.duplicates_summed, many.stats.duplicates_summed);
  }
  // Reference: a std::map accumulation of the same triplets.
  std::map<std::pair<int, int>, double> ref;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  std::getline(in, line);
  int r, c;
  double v;
  while (in >> r >> c >> v) ref[{c - 1, r - 1}] += v;
  ASSERT_EQ(static_cast<std::size_t>(one.matrix.nnz()), ref.size());
  EXPECT_EQ(one.stats.duplicates_summed, nz - static_cast<index_t>(ref.size()));
  std::size_t k = 0;
  for (const auto& [cr, val] : ref) {
    EXPECT_EQ(one.matrix.rowind[k], cr.second);
    EXPECT_EQ(one.matrix.values[k], val);
    ++k;
  }
}

TEST(MatrixMarket, LongCommentLineAndBlockBoundaries) {
  std::string text = "%%MatrixMarket matrix coordinate real general\n%" +
                     std::string(3 << 20, 'x') + "\n2 2 2\n1 1 1\n2 2 2\n";
  auto mf = parse(text, 2);
  EXPECT_EQ(mf.matrix.nnz(), 2);
}

TEST(MatrixMarket, ReadsGzipFilesAndStdinEquivalently) {
  auto plain = read_matrix_market(test::test_data_dir() / "mm" / "rajat19.mtx.gz");
  EXPECT_TRUE(plain.stats.gzip);
  auto ref = read_matrix_market(test::bundled_data_dir() / "rajat19.mtx");
  EXPECT_EQ(plain.matrix.rowind, ref.matrix.rowind);
  EXPECT_EQ(plain.matrix.values, ref.matrix.values);
  EXPECT_EQ(pattern_fingerprint(plain.matrix), pattern_fingerprint(ref.matrix));
}

TEST(MatrixMarket, TruncatedGzipIsAnError) {
  ScratchDir dir;
  std::string gz = test::read_text_file(test::test_data_dir() / "mm" / "rajat19.mtx.gz");
  test::write_text_file(dir / "cut.mtx.gz", gz.substr(0, gz.size() / 2));
  EXPECT_THROW(read_matrix_market((dir / "cut.mtx.gz").string()), Error);
}

// bzip2 by the reference library itself (libbz2's one-shot compressor), not by spax.
std::string bzip2_of(const std::string& text) {
  unsigned int len = static_cast<unsigned int>(text.size() + text.size() / 100 + 600);
  std::string out(len, '\0');
  const int rc = BZ2_bzBuffToBuffCompress(out.data(), &len, const_cast<char*>(text.data()),
                                          static_cast<unsigned int>(text.size()), 9, 0, 0);
  if (rc != BZ_OK) throw std::runtime_error("BZ2_bzBuffToBuffCompress failed");
  out.resize(len);
  return out;
}

TEST(MatrixMarket, ReadsBzip2FilesAndStdinEquivalently) {
  ScratchDir dir;
  const std::string text = test::read_text_file(test::bundled_data_dir() / "rajat19.mtx");
  test::write_text_file(dir / "r.mtx.bz2", bzip2_of(text));
  auto b = read_matrix_market((dir / "r.mtx.bz2").string());
  auto ref = read_matrix_market(test::bundled_data_dir() / "rajat19.mtx");
  EXPECT_EQ(b.stats.compression, "bzip2");
  EXPECT_FALSE(b.stats.gzip);
  EXPECT_EQ(b.matrix.colptr, ref.matrix.colptr);
  EXPECT_EQ(b.matrix.rowind, ref.matrix.rowind);
  EXPECT_EQ(b.matrix.values, ref.matrix.values);
  EXPECT_EQ(b.stats.text_bytes, text.size());
  // Detected by the magic bytes, not the name; several streams (pbzip2) and trailing zero
  // padding read as one text, as bzip2 -d reads them.
  const std::string half1 = text.substr(0, text.size() / 2), half2 = text.substr(text.size() / 2);
  test::write_text_file(dir / "multi.mtx",
                        bzip2_of(half1) + bzip2_of(half2) + std::string(8, '\0'));
  auto m = read_matrix_market((dir / "multi.mtx").string());
  EXPECT_EQ(m.stats.compression, "bzip2");
  EXPECT_EQ(m.matrix.values, ref.matrix.values);
  // The bundled fixture (also a fuzz seed).
  auto w = read_matrix_market(test::test_data_dir() / "mm" / "w156.mtx.bz2");
  auto wref = read_matrix_market(test::bundled_data_dir() / "w156.mtx");
  EXPECT_EQ(w.matrix.zvalues, wref.matrix.zvalues);
  EXPECT_EQ(w.matrix.rowind, wref.matrix.rowind);
}

// Truncated or damaged bzip2: an input error naming the file, never a crash or a partial matrix.
TEST(MatrixMarket, MalformedBzip2IsAnError) {
  ScratchDir dir;
  const std::string bz = bzip2_of(test::read_text_file(test::bundled_data_dir() / "rajat19.mtx"));
  auto expect_input_error = [&](const std::string& bytes, const std::string& what) {
    test::write_text_file(dir / "bad.mtx.bz2", bytes);
    try {
      read_matrix_market((dir / "bad.mtx.bz2").string());
      ADD_FAILURE() << "expected an error containing '" << what << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input) << e.what();
      EXPECT_EQ(e.file(), (dir / "bad.mtx.bz2").string());
      EXPECT_NE(e.message().find(what), std::string::npos) << e.what();
    }
  };
  for (std::size_t cut : {std::size_t{4}, std::size_t{20}, bz.size() / 3, bz.size() - 1})
    expect_input_error(bz.substr(0, cut), "truncated .bz2");
  std::string flipped = bz;
  flipped[bz.size() / 2] = static_cast<char>(flipped[bz.size() / 2] ^ 0x55);
  expect_input_error(flipped, "corrupt compressed data");
  // Every single-byte flip past the header: a clean error or (a flip in a value digit) a
  // valid matrix; CRC checks catch the rest.
  int errors = 0;
  for (std::size_t k = 4; k < bz.size(); k += std::max<std::size_t>(1, bz.size() / 97)) {
    std::string f = bz;
    f[k] = static_cast<char>(f[k] ^ 0x01);
    test::write_text_file(dir / "flip.mtx.bz2", f);
    try {
      read_matrix_market((dir / "flip.mtx.bz2").string()).matrix.validate();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input) << e.what();
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
  // A truncated gzip says so too (the gzip decoder shares the code path).
  const std::string gz = test::read_text_file(test::test_data_dir() / "mm" / "rajat19.mtx.gz");
  test::write_text_file(dir / "cut.mtx.gz", gz.substr(0, gz.size() / 2));
  try {
    read_matrix_market((dir / "cut.mtx.gz").string());
    ADD_FAILURE() << "a truncated .gz must be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("truncated .gz"), std::string::npos) << e.what();
  }
}

// A real (or integer) hermitian matrix is symmetric: read so, mirrored without negation; the
// header keeps what was declared. Pattern hermitian stays an error.
TEST(MatrixMarket, RealHermitianIsSymmetric) {
  auto mf = parse(
      "%%MatrixMarket matrix coordinate real hermitian\n% 3-by-3\n3 3 3\n3 1 10\n3 2 20\n3 3 "
      "30\n");
  EXPECT_EQ(mf.header.symmetry, Symmetry::symmetric);
  EXPECT_EQ(mf.header.declared_symmetry, "hermitian");
  EXPECT_EQ(mf.matrix.symmetry, Symmetry::symmetric);
  EXPECT_EQ(mf.matrix.nnz(), 5);
  EXPECT_EQ(at(mf.matrix, 2, 0), 10);
  EXPECT_EQ(at(mf.matrix, 0, 2), 10);
  EXPECT_EQ(at(mf.matrix, 2, 1), 20);
  EXPECT_EQ(at(mf.matrix, 1, 2), 20);
  EXPECT_EQ(at(mf.matrix, 2, 2), 30);
  auto in = parse("%%MatrixMarket matrix coordinate integer hermitian\n2 2 2\n1 1 4\n2 1 -3\n");
  EXPECT_EQ(in.header.symmetry, Symmetry::symmetric);
  EXPECT_EQ(at(in.matrix, 0, 1), -3);
  auto arr = parse("%%MatrixMarket matrix array real hermitian\n2 2\n1\n2\n3\n");
  EXPECT_EQ(at(arr.matrix, 0, 1), 2);
  EXPECT_EQ(at(arr.matrix, 1, 0), 2);
  expect_error("%%MatrixMarket matrix coordinate pattern hermitian\n2 2 1\n2 2\n", "hermitian", 1);
  // What must stay refused: a skew-symmetric diagonal, a value beyond the double range.
  expect_error("%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 1\n", "diagonal",
               3);
  expect_error("%%MatrixMarket matrix coordinate real hermitian\n2 2 1\n1 1 1e400\n",
               "out of the double range", 3);
}

// Old Mac files end lines with '\r' alone: the same matrix as with '\n', in the serial header
// and in the parallel block parser alike; a stray '\r' in a '\n' file stays an error.
TEST(MatrixMarket, CarriageReturnLineEnds) {
  std::mt19937 rng(7);
  std::string lf = "%%MatrixMarket matrix coordinate real general\n% a comment\n\n500 400 ";
  std::string body;
  const int entries = 40000;  // > 256 KiB of text: several pieces with 4 threads
  for (int k = 0; k < entries; ++k)
    body += std::to_string(1 + rng() % 500) + " " + std::to_string(1 + rng() % 400) + " " +
            std::to_string(static_cast<int>(rng() % 2000) - 1000) + ".125\n";
  lf += std::to_string(entries) + "\n" + body;
  std::string cr = lf;
  std::replace(cr.begin(), cr.end(), '\n', '\r');
  ASSERT_GT(cr.size(), std::size_t{1} << 18);
  for (int threads : {1, 4}) {
    auto a = parse(lf, threads);
    auto b = parse(cr, threads);
    EXPECT_EQ(a.matrix.colptr, b.matrix.colptr) << threads;
    EXPECT_EQ(a.matrix.rowind, b.matrix.rowind) << threads;
    EXPECT_EQ(a.matrix.values, b.matrix.values) << threads;
    EXPECT_EQ(b.stats.entries_in_file, entries);
  }
  auto small = parse("%%MatrixMarket matrix coordinate real general\r2 2 1\r2 1 5\r");
  EXPECT_EQ(at(small.matrix, 1, 0), 5);
  auto arr = parse("%%MatrixMarket matrix array real general\r2 1\r1.5\r-2\r");
  EXPECT_EQ(at(arr.matrix, 1, 0), -2);
  // Errors still name the right line.
  expect_error("%%MatrixMarket matrix coordinate real general\r2 2 1\rx 1 5\r", "row index", 3);
  expect_error("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 5\r7\n", "extra tokens",
               3);
}

// A banner or lines indented by spaces (fast_matrix_market's permissive files) are read; a blank
// line before the banner is not (the EXPECT.tsv corpus keeps that an error).
TEST(MatrixMarket, IndentedBannerAndLines) {
  auto a = parse(
      "        %%MatrixMarket matrix coordinate real general\n        %comment\n        1 1 1\n   "
      "     1 1 1");
  EXPECT_EQ(a.matrix.nnz(), 1);
  EXPECT_EQ(at(a.matrix, 0, 0), 1);
  auto b = parse(
      " %%MatrixMarket matrix coordinate real general\n% 3-by-3 identity matrix\n3 3 3\n1 1 1\n2 "
      "2 1\n3 3 1\n");
  EXPECT_EQ(b.matrix.nnz(), 3);
  auto c = parse("\t%%MatrixMarket matrix array real general\n  2 1\n   4\n\t5\n");
  EXPECT_EQ(at(c.matrix, 1, 0), 5);
  expect_error("\n%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n", "banner", 1);
}

TEST(MatrixMarket, WriterRoundTripsExactly) {
  ScratchDir dir;
  for (const char* f : {"west0479.mtx", "w156.mtx"}) {
    auto a = read_matrix_market(test::bundled_data_dir() / f);
    write_matrix_market((dir / "out.mtx").string(), a.matrix);
    auto b = read_matrix_market((dir / "out.mtx").string());
    EXPECT_EQ(a.matrix.colptr, b.matrix.colptr) << f;
    EXPECT_EQ(a.matrix.rowind, b.matrix.rowind) << f;
    EXPECT_EQ(a.matrix.values, b.matrix.values) << f;  // shortest round-trip: bit-exact
    EXPECT_EQ(a.matrix.zvalues, b.matrix.zvalues) << f;
  }
  // Symmetric output writes the lower triangle only and reads back to the same matrix.
  auto s = parse(
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 0.1\n2 1 -1\n"
      "3 2 1e-300\n3 3 5\n");
  WriteOptions wo;
  wo.symmetry = Symmetry::symmetric;
  write_matrix_market((dir / "sym.mtx").string(), s.matrix, wo);
  auto back = read_matrix_market((dir / "sym.mtx").string());
  EXPECT_EQ(back.stats.entries_in_file, 4);
  EXPECT_EQ(back.matrix.values, s.matrix.values);
  // Dense array output.
  DenseMatrix d;
  d.nrows = 2;
  d.ncols = 1;
  d.values = {0.1, -3e-7};
  write_dense((dir / "x.mtx").string(), d);
  auto dd = read_dense((dir / "x.mtx").string());
  EXPECT_EQ(dd.values, d.values);
}

TEST(MatrixMarket, WriteIsAtomic) {
  ScratchDir dir;
  auto target = dir / "keep.txt";
  test::write_text_file(target, "old");
  EXPECT_THROW(write_file_atomic(target.string(),
                                 [](std::ostream& o) {
                                   o << "partial";
                                   throw_internal("interrupted");
                                 }),
               Error);
  EXPECT_EQ(test::read_text_file(target), "old");
  std::size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);  // no temporary left behind
}

TEST(MatrixMarket, NpyRoundTripAndMalformed) {
  ScratchDir dir;
  std::vector<std::int64_t> v = {3, -1, 0, 1LL << 40};
  write_npy((dir / "p.npy").string(), v);
  EXPECT_EQ(read_npy_int64((dir / "p.npy").string()), v);
  std::string raw = test::read_text_file(dir / "p.npy");
  EXPECT_EQ(raw.size() % 8, 0u);
  EXPECT_EQ(raw.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ((10 + static_cast<unsigned char>(raw[8])) % 64, 0);  // header padded to 64
  test::write_text_file(dir / "cut.npy", raw.substr(0, raw.size() - 3));
  EXPECT_THROW(read_npy_int64((dir / "cut.npy").string()), Error);
  test::write_text_file(dir / "junk.npy", "not numpy at all");
  EXPECT_THROW(read_npy_int64((dir / "junk.npy").string()), Error);
}

TEST(MatrixMarket, ReadWholeFile) {
  ScratchDir dir;
  std::string big;
  for (int k = 0; k < 200000; ++k) big += static_cast<char>((k * 131) % 256);  // NULs included
  test::write_text_file(dir / "big.bin", big);
  test::write_text_file(dir / "empty", "");
  EXPECT_EQ(read_whole_file((dir / "big.bin").string()), big);
  EXPECT_EQ(read_whole_file((dir / "empty").string()), std::string());
  EXPECT_EQ(read_whole_file((dir / "missing").string()), std::nullopt);
  EXPECT_EQ(read_whole_file(dir.path().string()), std::nullopt);  // a directory
}

// A .npy file with the given header dict (version 1.0) followed by raw payload bytes.
std::string npy_file(const std::string& dict, const std::string& payload) {
  std::string h = "\x93NUMPY";
  h += '\x01';
  h += '\x00';
  h += static_cast<char>(dict.size() & 0xff);
  h += static_cast<char>(dict.size() >> 8);
  return h + dict + payload;
}
std::string le64(std::initializer_list<std::int64_t> v) {
  std::string s;
  for (std::int64_t x : v)
    for (int b = 0; b < 8; ++b)
      s += static_cast<char>((static_cast<std::uint64_t>(x) >> (8 * b)) & 0xff);
  return s;
}

// Headers as numpy writes them (and the variants it accepts) read; every malformed header is an
// input error, never an out-of-range read or a crash (a fuzzer found `'shape':,` once).
TEST(MatrixMarket, NpyHeaderVariantsAndMalformedHeaders) {
  ScratchDir dir;
  const std::string two = le64({7, -2});
  const std::vector<std::int64_t> want = {7, -2};
  const char* good[] = {
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }          \n",
      "{'descr': '<i8', 'fortran_order': True, 'shape': (2,)}\n",
      "{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": (1, 2)}",
      "{'shape': (2, 1), 'fortran_order': False, 'descr': 'i8'}",
      "{ 'descr' : '<i8' , 'fortran_order' : False , 'shape' : ( 2 , ) , }",
  };
  int k = 0;
  for (const char* dict : good) {
    const auto f = dir / ("good" + std::to_string(k++) + ".npy");
    test::write_text_file(f, npy_file(dict, two));
    EXPECT_EQ(read_npy_int64(f.string()), want) << dict;
  }
  // Four 32-bit values: -1 as i4 is -1, as u4 is 4294967295.
  const std::string neg4("\xff\xff\xff\xff\x05\x00\x00\x00", 8);
  test::write_text_file(dir / "i4.npy",
                        npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}", neg4));
  EXPECT_EQ(read_npy_int64((dir / "i4.npy").string()), (std::vector<std::int64_t>{-1, 5}));
  test::write_text_file(dir / "u4.npy",
                        npy_file("{'descr': '<u4', 'fortran_order': False, 'shape': (2,)}", neg4));
  EXPECT_EQ(read_npy_int64((dir / "u4.npy").string()),
            (std::vector<std::int64_t>{4294967295LL, 5}));
  const char* bad[] = {
      "{'descr': '<i8', 'fortran_order': False, 'shape':, }",
      "{'descr': '<i8', 'fortran_order': False, 'shape': 2, }",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2,}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (-2,)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2 3)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2,)",
      "{'descr': '<i8', 'fortran_order': Maybe, 'shape': (2,)}",
      "{'descr': '<i8, 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '>i8', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': ()}",
      "{'descr': '<i8', 'fortran_order': False}",
      "{'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<i8', 'shape': (2,)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
      "'descr': '<i8', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
      "{'descr': '<i8', 'fortran_order': False, 'shape': (3,)}",  // 2 values for 3
      "",
      "{",
      "{'",
  };
  // The input the fuzzer found, kept as a regression.
  try {
    read_npy_int64((test::test_data_dir() / "fuzz" / "npy_empty_shape.npy").string());
    ADD_FAILURE() << "accepted npy_empty_shape.npy";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input) << e.what();
  }
  k = 0;
  for (const char* dict : bad) {
    const auto f = dir / ("bad" + std::to_string(k++) + ".npy");
    test::write_text_file(f, npy_file(dict, two));
    try {
      read_npy_int64(f.string());
      ADD_FAILURE() << "accepted: " << dict;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::input) << dict << ": " << e.what();
    }
  }
}

// The bundled copies of edge and malformed files run everywhere.
TEST(MatrixMarket, BundledEdgeAndBadFiles) {
  for (auto& e : std::filesystem::directory_iterator(test::test_data_dir() / "mm")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("bad_", 0) == 0) {
      EXPECT_THROW(read_matrix_market(e.path().string()), Error) << name;
    } else {
      EXPECT_NO_THROW(read_matrix_market(e.path().string()).matrix.validate()) << name;
    }
  }
}

// Every file listed in ../shared/matrices/EXPECT.tsv is handled as it says.
TEST(MatrixMarket, ExpectTsvCorpus) {
  SPAX_REQUIRE_SHARED();
  std::ifstream tsv(test::shared_matrices_dir() / "EXPECT.tsv");
  std::string line;
  int checked = 0;
  while (std::getline(tsv, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string file, expect;
    std::getline(ls, file, '\t');
    std::getline(ls, expect, '\t');
    const std::string path = (test::shared_matrices_dir() / file).string();
    if (expect == "ok") {
      try {
        auto mf = read_matrix_market(path);
        mf.matrix.validate();
      } catch (const Error& e) {
        ADD_FAILURE() << file << " must load: " << e.what();
      }
    } else {
      try {
        read_matrix_market(path);
        ADD_FAILURE() << file << " must be rejected";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::input) << file;
        EXPECT_EQ(e.file(), path) << file;
        std::string what = e.what();
        EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

}  // namespace
}  // namespace spax

namespace spax {
namespace {

// Random byte edits and truncations of valid files: each either loads into a valid matrix or is
// rejected with a spax::Error, never anything else.
TEST(MatrixMarket, MutatedInputLoadsValidOrFailsCleanly) {
  const std::vector<std::string> seeds = {
      "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1.5\n2 1 -2\n3 3 4e2\n1 3 7\n",
      "%%MatrixMarket matrix coordinate complex hermitian\n2 2 2\n1 1 1 0\n2 1 3 -1\n",
      "%%MatrixMarket matrix coordinate pattern symmetric\n4 4 3\n1 1\n3 2\n4 1\n",
      "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n",
      "%%MatrixMarket matrix coordinate integer general\n2 3 2\n1 3 -7\n2 2 9\n",
  };
  const std::string alphabet = "0123456789 \n\r\t.-+eE%x";
  std::mt19937 rng(2024);
  int loaded = 0, rejected = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      std::size_t pos = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.erase(pos, 1);
          break;
        case 2:
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          s.resize(pos);
      }
    }
    try {
      ReadOptions o;
      o.threads = 1 + static_cast<int>(rng() % 3);
      auto mf = parse_matrix_market(s, "m.mtx", o);
      mf.matrix.validate();
      ++loaded;
    } catch (const Error& e) {
      EXPECT_NE(e.kind(), ErrorKind::internal) << e.what() << "\n" << s;
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 20);
  EXPECT_GT(rejected, 100);
}

}  // namespace
}  // namespace spax
