// Builds against an installed spax and reads a small matrix from text.
#include <iostream>
#include <spax/io.hpp>

int main() {
  auto mf = spax::parse_matrix_market(
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n2 2 2\n3 3 2\n",
      "inline");
  if (mf.matrix.nnz() != 5) {
    std::cerr << "expected 5 stored entries, got " << mf.matrix.nnz() << "\n";
    return 1;
  }
  std::cout << "spax " << spax::version() << " nnz " << mf.matrix.nnz() << " fingerprint "
            << spax::pattern_fingerprint(mf.matrix).hex() << "\n";
  return 0;
}
