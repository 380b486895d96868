// spax info FILE...: what the reader found in each Matrix Market file.
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "spax/io.hpp"
#include "spax/report/json_text.hpp"
#include "spax/report/text_format.hpp"

namespace spax::app {
namespace {

struct InfoOptions {
  std::vector<std::string> files;
  bool json = false;
  int threads = 0;
};

nlohmann::json info_json(const MatrixFile& mf) {
  const auto& h = mf.header;
  const auto& s = mf.stats;
  double mbps = s.seconds > 0 ? static_cast<double>(s.text_bytes) / 1e6 / s.seconds : 0.0;
  return {
      {"file", mf.path},
      {"object", h.object},
      {"format", h.coordinate ? "coordinate" : "array"},
      {"field", to_string(h.field)},
      {"symmetry", to_string(h.symmetry)},
      {"declared_symmetry", h.declared_symmetry},
      {"rows", mf.matrix.nrows},
      {"cols", mf.matrix.ncols},
      {"entries_in_file", s.entries_in_file},
      {"stored_nonzeros", s.stored_nonzeros},
      {"duplicates_summed", s.duplicates_summed},
      {"explicit_zeros", s.explicit_zeros},
      {"diagonal_entries", s.diagonal_entries},
      {"diagonal_nonzeros", s.diagonal_nonzeros},
      {"fingerprint", pattern_fingerprint(mf.matrix).hex()},
      {"index_base", s.zero_based ? 0 : 1},
      {"gzip", s.gzip},
      {"compression", s.compression},
      {"file_bytes", s.file_bytes},
      {"text_bytes", s.text_bytes},
      {"read_seconds", s.seconds},
      {"read_mb_per_s", mbps},
      {"threads", s.threads},
  };
}

void print_table(const std::vector<nlohmann::json>& rows) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"format", "format"},
      {"field", "field"},
      {"symmetry", "symmetry"},
      {"rows", "rows"},
      {"cols", "cols"},
      {"entries_in_file", "entries in file"},
      {"stored_nonzeros", "stored nonzeros"},
      {"duplicates_summed", "duplicates summed"},
      {"explicit_zeros", "explicit zeros"},
      {"diagonal_entries", "diagonal entries"},
      {"index_base", "index base"},
      {"compression", "compression"},
      {"fingerprint", "pattern fingerprint"},
      {"read_seconds", "read time"},
      {"read_mb_per_s", "read speed (MB/s)"},
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& j = rows[r];
    if (r > 0) std::cout << '\n';
    std::cout << j["file"].get<std::string>() << '\n';
    for (const auto& [key, label] : fields) {
      std::cout << "  " << std::left << std::setw(20) << label << ' ';
      const auto& v = j[key];
      if (key == "diagonal_entries") {
        // Stored diagonal entries and, of those, the ones whose value is not zero.
        std::cout << j["diagonal_entries"].get<index_t>() << " stored, "
                  << j["diagonal_nonzeros"].get<index_t>() << " nonzero";
      } else if (key == "symmetry" && j["declared_symmetry"] != j["symmetry"]) {
        // A real hermitian file: its values are their own conjugates, so it is symmetric.
        std::cout << j["symmetry"].get<std::string>() << " (declared "
                  << j["declared_symmetry"].get<std::string>() << ", read as "
                  << j["symmetry"].get<std::string>() << ": " << j["field"].get<std::string>()
                  << " values)";
      } else if (key == "read_seconds") {
        std::cout << format_seconds(v.get<double>());
      } else if (key == "read_mb_per_s") {
        std::cout << format_number(v.get<double>(), 3);
      } else if (v.is_string()) {
        std::cout << v.get<std::string>();
      } else {
        std::cout << json_text(v);
      }
      std::cout << std::defaultfloat << '\n';
    }
  }
}

const Registration reg("info", [](CLI::App& app) {
  auto opts = std::make_shared<InfoOptions>();
  auto* sub = app.add_subcommand(
      "info",
      "Read Matrix Market files and report what they hold: banner, size, entries in the file,\n"
      "stored nonzeros after symmetric expansion, duplicates summed, explicit zeros, diagonal\n"
      "nonzeros, the pattern fingerprint and the read speed. .gz files are read transparently;\n"
      "'-' reads standard input.");
  sub->add_option("files", opts->files, "Matrix Market files (.mtx, .mtx.gz, or - for stdin)")
      ->required();
  sub->add_flag("--json", opts->json, "Print one JSON document (an array when several files)");
  add_threads_option(*sub, opts->threads);
  sub->callback([opts] {
    ReadOptions ro;
    ro.threads = opts->threads;
    std::vector<nlohmann::json> rows;
    // A file that cannot be read is reported on stderr and the others still are (exit 2 at
    // the end); in text mode each file is printed as soon as it is read.
    for (const auto& f : opts->files) {
      try {
        rows.push_back(info_json(read_matrix_market(f, ro)));
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::input) throw;
        report_error(e);
        // With --json the document keeps the file's place, with its error.
        if (opts->json)
          rows.push_back({{"file", f},
                          {"error",
                           {{"category", to_string(e.kind())},
                            {"message", e.what()},
                            {"exit_code", exit_code_for(e.kind())}}}});
        continue;
      }
      if (!opts->json) {
        if (rows.size() > 1) std::cout << '\n';
        print_table({rows.back()});
        std::cout.flush();
      }
    }
    if (opts->json) {
      if (rows.size() == 1) {
        std::cout << json_text(rows[0], 2) << '\n';
      } else {
        std::cout << json_text(nlohmann::json(rows), 2) << '\n';
      }
    }
  });
});

}  // namespace
}  // namespace spax::app
