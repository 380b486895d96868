// MUMPS's codes read into words for the mumps plugin: the count fields of INFO/INFOG, the
// workspace errors and their cure, the INFOG(1) errors as text, the ordering INFOG(7) names.
#include <algorithm>
#include <string>

#include "mumps_instance.hpp"

namespace spax::mumps_plugin::detail {

// Count fields of INFO/INFOG: negative values are millions.
double count_field(int v) {
  return v < 0 ? -static_cast<double>(v) * 1e6 : static_cast<double>(v);
}

// The relaxation after a workspace error: numerical pivoting can delay many pivots (nnc1374: 4.3
// times the estimated factor entries), so it grows fast: 20 -> 100 -> 500.
int next_relax(int relax) {
  return std::max(5 * relax, relax + 80);
}

// INFOG(1) codes that a larger workspace relaxation (ICNTL(14)) cures.
bool workspace_error(int e) {
  return e == -8 || e == -9 || e == -11 || e == -12 || e == -14 || e == -15 || e == -17 || e == -20;
}

std::string mumps_error_text(int e, int e2) {
  std::string what;
  switch (e) {
    case -5:
    case -13:
      what = "memory allocation failed";
      break;
    case -6:
    case -10:
      what = "the matrix is singular";
      break;
    case -7:
      what = "integer allocation failed";
      break;
    case -8:
    case -9:
    case -14:
    case -15:
    case -11:
    case -12:
    case -17:
    case -20:
      what = "internal workspace too small";
      break;
    case -19:
      what = "the memory limit (ICNTL(23)) is too small";
      break;
    case -16:
      what = "the matrix order is out of range";
      break;
    case -40:
      what = "the matrix is not positive definite";
      break;
    default:
      if (e <= -90 && e >= -99) what = "out-of-core file error";
      break;
  }
  return "INFOG(1) = " + std::to_string(e) + ", INFOG(2) = " + std::to_string(e2) +
         (what.empty() ? std::string() : " (" + what + ")");
}

std::string ordering_name_of(int infog7, int infog32, const std::string& given_name) {
  if (infog32 == 2) return infog7 == 1 ? "ptscotch" : infog7 == 2 ? "parmetis" : "parallel";
  switch (infog7) {
    case 0:
      return "amd";
    case 1:
      return given_name;
    case 2:
      return "amf";
    case 3:
      return "scotch";
    case 4:
      return "pord";
    case 5:
      return "metis";
    case 6:
      return "qamd";
    default:
      return "mumps-" + std::to_string(infog7);
  }
}

}  // namespace spax::mumps_plugin::detail
