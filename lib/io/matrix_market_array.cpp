// Matrix Market reader: the values of an array file (column-major, the stored triangle of a
// symmetric one), read serially line by line.
#include "io/matrix_market_parse.hpp"

namespace spax::detail::mm {

void read_array(LineReader& lr, const std::string& name, const MatrixMarketHeader& h,
                MatrixFile& mf) {
  const bool cplx = h.field == Field::complex;
  const bool integer = h.field == Field::integer;
  const index_t n_expected = h.declared_entries;
  TripletMatrix t;
  t.nrows = h.nrows;
  t.ncols = h.ncols;
  t.field = cplx ? Field::complex : Field::real;
  index_t count = 0;
  index_t i = 0, j = 0;  // next position in column-major order of the stored triangle
  auto first_row = [&](index_t col) {
    if (h.symmetry == Symmetry::general) return index_t{0};
    if (h.symmetry == Symmetry::skew_symmetric) return col + 1;
    return col;
  };
  if (h.ncols > 0) i = first_row(0);
  while (j < h.ncols && i >= h.nrows) {
    ++j;
    if (j < h.ncols) i = first_row(j);
  }
  while (auto line = lr.next()) {
    auto toks = split_ws(*line);
    if (toks.empty() || toks[0][0] == '%') continue;
    const std::size_t want = cplx ? 2 : 1;
    if (toks.size() != want) {
      throw_input(std::string("array ") + (cplx ? "complex" : to_string(h.field)) +
                      " line must hold " + std::to_string(want) + " number" +
                      (want == 1 ? "" : "s") + ", found " + std::to_string(toks.size()),
                  name, lr.line_no());
    }
    if (count >= n_expected)
      throw_input("more values than the " + std::to_string(n_expected) + " the size line implies",
                  name, lr.line_no());
    double parts[2] = {0, 0};
    for (std::size_t k = 0; k < want; ++k) {
      const char* b = toks[k].data();
      const char* e = b + toks[k].size();
      if (integer) {
        long long iv = 0;
        const char* b2 = *b == '+' ? b + 1 : b;
        auto [p, ec] = std::from_chars(b2, e, iv);
        if (ec != std::errc() || p != e)
          throw_input("value '" + std::string(toks[k]) + "' is not an integer", name, lr.line_no());
        parts[k] = static_cast<double>(iv);
      } else {
        bool overflow = false;
        const char* p = parse_double(b, e, parts[k], overflow);
        if (!p || p != e)
          throw_input(overflow ? "value out of the double range"
                               : "value '" + std::string(toks[k]) + "' is not a number",
                      name, lr.line_no());
      }
    }
    t.rows.push_back(i);
    t.cols.push_back(j);
    if (cplx) {
      t.zvalues.emplace_back(parts[0], parts[1]);
    } else {
      t.values.push_back(parts[0]);
    }
    if (i != j && h.symmetry != Symmetry::general) {
      t.rows.push_back(j);
      t.cols.push_back(i);
      if (cplx) {
        complex_t v(parts[0], parts[1]);
        t.zvalues.push_back(h.symmetry == Symmetry::skew_symmetric ? -v
                            : h.symmetry == Symmetry::hermitian    ? std::conj(v)
                                                                   : v);
      } else {
        t.values.push_back(h.symmetry == Symmetry::skew_symmetric ? -parts[0] : parts[0]);
      }
    }
    ++count;
    ++i;
    while (j < h.ncols && i >= h.nrows) {
      ++j;
      if (j < h.ncols) i = first_row(j);
    }
  }
  if (count < n_expected)
    throw_input("array with fewer values than expected: " + std::to_string(count) + " of " +
                    std::to_string(n_expected),
                name, std::max<index_t>(lr.line_no(), 1));
  index_t dups = 0;
  Field f = t.field;
  mf.matrix = to_csc(t, &dups);
  mf.matrix.field = f;
  mf.stats.entries_in_file = count;
  mf.stats.duplicates_summed = dups;
}

}  // namespace spax::detail::mm
