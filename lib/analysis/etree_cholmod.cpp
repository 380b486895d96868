#include "analysis/etree_cholmod.hpp"

#include <cholmod.h>

#include <string>
#include <type_traits>

namespace spax::detail {

static_assert(std::is_same_v<SuiteSparse_long, index_t>, "CHOLMOD long must be 64-bit index_t");

namespace {

class Common {
 public:
  Common() {
    cholmod_l_start(&c_);
    c_.print = 0;
    c_.nmethods = 1;
    c_.method[0].ordering = CHOLMOD_NATURAL;
    c_.postorder = 0;
  }
  ~Common() { cholmod_l_finish(&c_); }
  Common(const Common&) = delete;
  Common& operator=(const Common&) = delete;
  cholmod_common* get() { return &c_; }

 private:
  cholmod_common c_{};
};

cholmod_sparse view(const UpperPattern& u) {
  cholmod_sparse s{};
  s.nrow = static_cast<std::size_t>(u.n);
  s.ncol = static_cast<std::size_t>(u.n);
  s.nzmax = u.rowind.size();
  s.p = const_cast<index_t*>(u.colptr.data());
  s.i = const_cast<index_t*>(u.rowind.data());
  s.nz = nullptr;
  s.x = nullptr;
  s.z = nullptr;
  s.stype = 1;
  s.itype = CHOLMOD_LONG;
  s.xtype = CHOLMOD_PATTERN;
  s.dtype = CHOLMOD_DOUBLE;
  s.sorted = 1;
  s.packed = 1;
  return s;
}

[[noreturn]] void fail(const char* what, int status) {
  throw_internal(std::string("CHOLMOD ") + what + " failed (status " + std::to_string(status) +
                 ")");
}

}  // namespace

CholmodCounts cholmod_counts(const UpperPattern& u) {
  CholmodCounts out;
  if (u.n == 0) return out;
  Common common;
  cholmod_common* c = common.get();
  c->supernodal = CHOLMOD_SIMPLICIAL;
  cholmod_sparse a = view(u);
  cholmod_factor* l = cholmod_l_analyze(&a, c);
  if (l == nullptr || c->status < CHOLMOD_OK) fail("analyze", c->status);
  const auto* cc = static_cast<const index_t*>(l->ColCount);
  out.colcount.assign(cc, cc + u.n);
  out.lnz = c->lnz;
  out.fl = c->fl;
  cholmod_l_free_factor(&l, c);
  return out;
}

std::vector<index_t> cholmod_supernodes(const UpperPattern& u) {
  if (u.n == 0) return {0};
  Common common;
  cholmod_common* c = common.get();
  c->supernodal = CHOLMOD_SUPERNODAL;
  cholmod_sparse a = view(u);
  cholmod_factor* l = cholmod_l_analyze(&a, c);
  if (l == nullptr || c->status < CHOLMOD_OK) fail("supernodal analyze", c->status);
  if (!l->is_super) {
    cholmod_l_free_factor(&l, c);
    throw_internal("CHOLMOD returned a simplicial factor for a supernodal analysis");
  }
  const auto* super = static_cast<const index_t*>(l->super);
  std::vector<index_t> first(super, super + l->nsuper + 1);
  cholmod_l_free_factor(&l, c);
  return first;
}

}  // namespace spax::detail
