// The machine model's per-machine cache: where it lives, its JSON form, and the checks that
// refuse a malformed, foreign or stale file.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/blas_threads.hpp"
#include "spax/io.hpp"
#include "spax/machine_model.hpp"
#include "spax/report/json_text.hpp"

namespace spax {
namespace {

using ojson = nlohmann::ordered_json;

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto c = line.find(':');
      if (c == std::string::npos) break;
      std::string v = line.substr(c + 1);
      auto b = v.find_first_not_of(" \t");
      return b == std::string::npos ? "unknown" : v.substr(b);
    }
  }
  return "unknown";
}

std::string sanitized(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
    out.push_back(ok ? ch : '_');
  }
  return out.empty() ? "host" : out;
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw_input("machine model: " + what, path);
}

const ojson& need(const ojson& j, const char* key, const std::string& path, const std::string& at) {
  if (!j.is_object() || !j.contains(key)) bad(path, "missing key '" + at + key + "'");
  return j.at(key);
}

double need_number(const ojson& j, const char* key, const std::string& path,
                   const std::string& at) {
  const ojson& v = need(j, key, path, at);
  if (!v.is_number()) bad(path, "'" + at + key + "' is not a number");
  double d = v.get<double>();
  if (!std::isfinite(d)) bad(path, "'" + at + key + "' is not finite");
  return d;
}

std::string need_string(const ojson& j, const char* key, const std::string& path,
                        const std::string& at) {
  const ojson& v = need(j, key, path, at);
  if (!v.is_string()) bad(path, "'" + at + key + "' is not a string");
  return v.get<std::string>();
}

int need_int(const ojson& j, const char* key, const std::string& path, const std::string& at) {
  const ojson& v = need(j, key, path, at);
  if (!v.is_number_integer()) bad(path, "'" + at + key + "' is not an integer");
  auto x = v.get<long long>();
  if (x < -1000000 || x > 1000000) bad(path, "'" + at + key + "' is out of range");
  return static_cast<int>(x);
}

index_t need_count(const ojson& j, const char* key, const std::string& path,
                   const std::string& at) {
  const ojson& v = need(j, key, path, at);
  if (!v.is_number_integer()) bad(path, "'" + at + key + "' is not an integer");
  auto x = v.get<long long>();
  if (x < 0 || x > (1LL << 50)) bad(path, "'" + at + key + "' is out of range");
  return static_cast<index_t>(x);
}

// "YYYY-MM-DDTHH:MM:SSZ" -> seconds since the epoch; false when malformed.
bool parse_utc(const std::string& s, std::time_t& out) {
  std::tm tm{};
  int y, mo, d, h, mi, se;
  char z = 0;
  if (s.size() != 20 ||
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
      z != 'Z')
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  out = timegm(&tm);
  return out != static_cast<std::time_t>(-1);
}

}  // namespace

MachineIdentity current_machine() {
  MachineIdentity id;
  id.host = hostname();
  id.cpu = cpu_model();
  id.hardware_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  id.blas = detail::blas_config();
  return id;
}

std::string machine_model_cache_path() {
  namespace fs = std::filesystem;
  fs::path dir;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg)
    dir = fs::path(xdg) / "spax";
  else if (home && *home)
    dir = fs::path(home) / ".cache" / "spax";
  else
    dir = fs::path(".spax-cache");
  return (dir / ("machine-model-" + sanitized(hostname()) + ".json")).string();
}

std::string machine_model_json(const MachineModel& m, int indent) {
  ojson j;
  j["format"] = m.format;
  j["source"] = m.source;
  j["spax_version"] = m.spax_version;
  j["created"] = m.created;
  j["machine"] = {{"host", m.machine.host},
                  {"cpu", m.machine.cpu},
                  {"hardware_threads", m.machine.hardware_threads},
                  {"blas", m.machine.blas}};
  j["calibration_seconds"] = m.calibration_seconds;
  ojson ts = ojson::array();
  for (const auto& t : m.threads) {
    ojson tj;
    tj["threads"] = t.threads;
    tj["barrier_seconds"] = t.barrier_seconds;
    ojson ks;
    for (int k = 0; k < kKernelCount; ++k) {
      const KernelTable& f = t.kernels[static_cast<std::size_t>(k)];
      if (f.empty()) continue;
      ks[kernel_name(static_cast<Kernel>(k))] = {{"axes", f.axes},
                                                 {"rate", f.rate},
                                                 {"samples", f.samples},
                                                 {"repeatability", f.repeatability}};
    }
    tj["kernels"] = ks;
    ts.push_back(tj);
  }
  j["threads"] = ts;
  ojson fit = ojson::array();
  for (const auto& f : m.backend.fit)
    fit.push_back({{"matrix", f.matrix},
                   {"supernodes", f.supernodes},
                   {"updates", f.updates},
                   {"entries", f.entries},
                   {"measured_seconds", f.measured_seconds},
                   {"kernel_seconds", f.kernel_seconds}});
  j["backend"] = {{"backend", m.backend.backend},
                  {"per_supernode_seconds", m.backend.per_supernode},
                  {"per_update_seconds", m.backend.per_update},
                  {"per_entry_seconds", m.backend.per_entry},
                  {"fit", fit}};
  return json_text(j, indent);
}

MachineModel parse_machine_model(const std::string& text, const std::string& path) {
  ojson j;
  try {
    j = ojson::parse(text);
  } catch (const std::exception& e) {
    bad(path, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) bad(path, "not a JSON object");
  MachineModel m;
  m.format = need_int(j, "format", path, "");
  if (m.format != kMachineModelFormat)
    bad(path, "format " + std::to_string(m.format) + " (this spax reads format " +
                  std::to_string(kMachineModelFormat) + ")");
  m.source = need_string(j, "source", path, "");
  if (m.source != "calibrated" && m.source != "default")
    bad(path, "'source' is neither 'calibrated' nor 'default'");
  m.spax_version = need_string(j, "spax_version", path, "");
  m.created = need_string(j, "created", path, "");
  const ojson& mj = need(j, "machine", path, "");
  m.machine.host = need_string(mj, "host", path, "machine.");
  m.machine.cpu = need_string(mj, "cpu", path, "machine.");
  m.machine.hardware_threads = need_int(mj, "hardware_threads", path, "machine.");
  m.machine.blas = need_string(mj, "blas", path, "machine.");
  m.calibration_seconds = need_number(j, "calibration_seconds", path, "");
  const ojson& ts = need(j, "threads", path, "");
  if (!ts.is_array() || ts.empty()) bad(path, "'threads' is not a non-empty array");
  int previous = 0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    const std::string at = "threads[" + std::to_string(i) + "].";
    ThreadModel t;
    t.threads = need_int(ts[i], "threads", path, at);
    if ((i == 0 && t.threads != 1) || t.threads <= previous)
      bad(path, "thread counts must start at 1 and increase");
    previous = t.threads;
    t.barrier_seconds = need_number(ts[i], "barrier_seconds", path, at);
    if (t.barrier_seconds < 0.0) bad(path, "'" + at + "barrier_seconds' is negative");
    const ojson& ks = need(ts[i], "kernels", path, at);
    if (!ks.is_object()) bad(path, "'" + at + "kernels' is not an object");
    for (int k = 0; k < kKernelCount; ++k) {
      const char* name = kernel_name(static_cast<Kernel>(k));
      const bool scalar = k == static_cast<int>(Kernel::assemble) ||
                          k == static_cast<int>(Kernel::stream) ||
                          k == static_cast<int>(Kernel::touch);
      // Every BLAS kernel on every thread count; the scalar ones on one thread.
      if (!ks.contains(name)) {
        if (scalar && t.threads > 1) continue;
        bad(path, "missing key '" + at + "kernels." + name + "'");
      }
      const std::string kat = at + "kernels." + name + ".";
      const ojson& kj = ks.at(name);
      KernelTable& f = t.kernels[static_cast<std::size_t>(k)];
      const ojson& axes = need(kj, "axes", path, kat);
      const std::size_t dims = kernel_axes(KernelCall{static_cast<Kernel>(k), 1, 1, 1}).size();
      if (!axes.is_array() || axes.size() != dims)
        bad(path, "'" + kat + "axes' is not an array of " + std::to_string(dims) + " axes");
      std::size_t cells = 1;
      for (const auto& ax : axes) {
        if (!ax.is_array() || ax.empty() || ax.size() > 64)
          bad(path, "'" + kat + "axes' holds an empty or oversized axis");
        std::vector<double> v;
        for (const auto& x : ax) {
          if (!x.is_number()) bad(path, "'" + kat + "axes' holds a non-number");
          const double d = x.get<double>();
          if (!std::isfinite(d) || d < 1.0 || (!v.empty() && d <= v.back()))
            bad(path, "'" + kat + "axes' is not increasing from 1 or more");
          v.push_back(d);
        }
        cells *= v.size();
        f.axes.push_back(std::move(v));
      }
      const ojson& rate = need(kj, "rate", path, kat);
      if (!rate.is_array() || rate.size() != cells)
        bad(path, "'" + kat + "rate' does not have " + std::to_string(cells) + " entries");
      for (const auto& x : rate) {
        if (!x.is_number()) bad(path, "'" + kat + "rate' holds a non-number");
        const double d = x.get<double>();
        if (!std::isfinite(d) || d <= 0.0)
          bad(path, "'" + kat + "rate' holds a rate that is not positive and finite");
        f.rate.push_back(d);
      }
      f.samples = static_cast<int>(need_count(kj, "samples", path, kat));
      prepare_table(f);
      f.repeatability = need_number(kj, "repeatability", path, kat);
    }
    m.threads.push_back(std::move(t));
  }
  const ojson& b = need(j, "backend", path, "");
  m.backend.backend = need_string(b, "backend", path, "backend.");
  m.backend.per_supernode = need_number(b, "per_supernode_seconds", path, "backend.");
  m.backend.per_update = need_number(b, "per_update_seconds", path, "backend.");
  m.backend.per_entry = need_number(b, "per_entry_seconds", path, "backend.");
  if (m.backend.per_supernode < 0.0 || m.backend.per_update < 0.0 || m.backend.per_entry < 0.0)
    bad(path, "a negative backend overhead");
  const ojson& fit = need(b, "fit", path, "backend.");
  if (!fit.is_array()) bad(path, "'backend.fit' is not an array");
  for (std::size_t i = 0; i < fit.size(); ++i) {
    const std::string at = "backend.fit[" + std::to_string(i) + "].";
    BackendOverheadSample f;
    f.matrix = need_string(fit[i], "matrix", path, at);
    f.supernodes = need_count(fit[i], "supernodes", path, at);
    f.updates = need_count(fit[i], "updates", path, at);
    f.entries = need_count(fit[i], "entries", path, at);
    f.measured_seconds = need_number(fit[i], "measured_seconds", path, at);
    f.kernel_seconds = need_number(fit[i], "kernel_seconds", path, at);
    m.backend.fit.push_back(std::move(f));
  }
  return m;
}

void save_machine_model(const MachineModel& m, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) throw_input("cannot create the cache directory: " + ec.message(), dir.string());
  const std::string text = machine_model_json(m, 2);
  write_file_atomic(path, [&](std::ostream& out) { out << text << '\n'; });
}

LoadedMachineModel load_machine_model(const std::string& path, const MachineIdentity& here,
                                      double max_age_days, bool check_identity) {
  LoadedMachineModel out;
  out.path = path;
  out.model = default_machine_model();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    out.status = "absent";
    return out;
  }
  auto refuse = [&](const std::string& why) {
    out.status = "refused";
    out.warning = "machine model " + path + " refused (" + why +
                  "); using the default model (run `spax calibrate` to measure this machine)";
    out.model = default_machine_model();
    return out;
  };
  std::optional<std::string> text = read_whole_file(path);
  if (!text) return refuse("unreadable");
  MachineModel m;
  try {
    m = parse_machine_model(*text, path);
  } catch (const Error& e) {
    return refuse(e.message());
  }
  if (m.source != "calibrated") return refuse("not a calibration");
  std::string mismatch;
  if (m.machine.host != here.host)
    mismatch = "made on host '" + m.machine.host + "'";
  else if (m.machine.cpu != here.cpu)
    mismatch = "made on CPU '" + m.machine.cpu + "'";
  else if (m.machine.hardware_threads != here.hardware_threads)
    mismatch = "made with " + std::to_string(m.machine.hardware_threads) + " hardware threads";
  else if (m.machine.blas != here.blas)
    mismatch = "made with BLAS '" + m.machine.blas + "'";
  std::time_t created = 0;
  if (!parse_utc(m.created, created)) return refuse("malformed date '" + m.created + "'");
  const double age_days = std::difftime(std::time(nullptr), created) / 86400.0;
  if (mismatch.empty() && age_days < -1.0) mismatch = "dated in the future (" + m.created + ")";
  if (mismatch.empty() && age_days > max_age_days)
    mismatch = "older than " + std::to_string(static_cast<int>(max_age_days)) + " days";
  if (!mismatch.empty()) {
    if (check_identity) return refuse(mismatch);
    out.warning =
        "machine model " + path + " " + mismatch + ": its predictions are for that machine";
  }
  out.model = std::move(m);
  out.status = "calibrated";
  return out;
}

}  // namespace spax
