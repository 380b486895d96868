// Stamp-map readers: JSON (streaming) and CSV, valid maps and malformed ones rejected with the
// JSON path or the CSV line.
#include <gtest/gtest.h>

#include "spax/generate.hpp"
#include "spax/scatter.hpp"
#include "test_support.hpp"

namespace spax::test {
namespace {

const char* const kGood = R"({"n_unknowns": 4, "comment": {"ignored": [1, [2.5, "x"]]},
  "models": {
    "res": {"jac_row_indices": [[0, 0, 1, 1], [1, 1, -1, -1]],
            "jac_col_indices": [[0, 1, 0, 1], [1, -1, 1, -1]],
            "res_indices": [[0, 1], [1, -1]], "params": {"r": [1.0, 2.0]}},
    "vs": {"jac_row_indices": [[3, 2]], "jac_col_indices": [[2, 3]], "res_indices": [[2, -1, 3]]}
  }})";

TEST(StampsJson, ReadsModelsInFileOrder) {
  const StampMap m = parse_stamps_json(kGood, "good.json");
  EXPECT_EQ(m.n_unknowns, 4);
  ASSERT_EQ(m.models.size(), 2u);
  EXPECT_EQ(m.models[0].name, "res");
  EXPECT_EQ(m.models[1].name, "vs");
  EXPECT_EQ(m.total_devices(), 3);
  const auto& r = m.models[0];
  EXPECT_EQ(r.n_devices, 2);
  EXPECT_EQ(r.jac_ptr, (std::vector<index_t>{0, 4, 8}));
  EXPECT_EQ(r.jac_rows, (std::vector<stamp_index_t>{0, 0, 1, 1, 1, 1, -1, -1}));
  EXPECT_EQ(r.jac_cols, (std::vector<stamp_index_t>{0, 1, 0, 1, 1, -1, 1, -1}));
  EXPECT_EQ(r.res_indices, (std::vector<stamp_index_t>{0, 1, 1, -1}));
  EXPECT_TRUE(r.has_residuals);
  EXPECT_EQ(m.models[1].res_ptr, (std::vector<index_t>{0, 3}));
}

TEST(StampsJson, NUnknownsMayComeLast) {
  const StampMap m = parse_stamps_json(
      R"({"models": {"a": {"jac_row_indices": [[2]], "jac_col_indices": [[0]],
          "res_indices": [[]]}}, "n_unknowns": 3})",
      "x.json");
  EXPECT_EQ(m.n_unknowns, 3);
  EXPECT_EQ(m.models[0].jac_rows, (std::vector<stamp_index_t>{2}));
}

// The error message of parsing `text`, which must fail with an input error.
std::string json_error(const std::string& text) {
  try {
    parse_stamps_json(text, "map.json");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.file(), "map.json");
    return e.message();
  }
  ADD_FAILURE() << "no error for " << text;
  return {};
}

std::string wrap(const std::string& model) {
  return R"({"n_unknowns": 5, "models": {"nmos": )" + model + "}}";
}

TEST(StampsJson, MalformedMapsNameThePath) {
  // index beyond n_unknowns
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": [[0, 1], [2, 5]], "jac_col_indices": [[0, 1],
      [2, 3]], "res_indices": [[0], [1]]})")),
            "models.nmos.jac_row_indices[1][1]: index 5 is not below n_unknowns 5");
  // beyond n_unknowns given after the models
  EXPECT_EQ(json_error(R"({"models": {"m": {"jac_row_indices": [[0, 9]], "jac_col_indices":
      [[0, 1]], "res_indices": [[0]]}}, "n_unknowns": 5})"),
            "models.m.jac_row_indices[0][1]: index 9 is not below n_unknowns 5");
  // below -1
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": [[0, -2]], "jac_col_indices": [[0, 1]],
      "res_indices": [[0]]})")),
            "models.nmos.jac_row_indices[0][1]: index -2 is negative (-1 is ground)");
  // ragged: a device with fewer stamps
  EXPECT_NE(json_error(wrap(R"({"jac_row_indices": [[0, 1], [2]], "jac_col_indices": [[0, 1],
      [2]], "res_indices": [[0], [1]]})"))
                .find("models.nmos.jac_row_indices[1]: has 1 entries"),
            std::string::npos);
  // ragged: rows and cols differ for one device
  EXPECT_NE(json_error(wrap(R"({"jac_row_indices": [[0, 1], [2, 3]], "jac_col_indices": [[0, 1],
      [2, 3, 4]], "res_indices": [[0], [1]]})"))
                .find("models.nmos.jac_col_indices[1]: has 3 entries"),
            std::string::npos);
  // ragged: different device counts
  EXPECT_NE(json_error(wrap(R"({"jac_row_indices": [[0], [1]], "jac_col_indices": [[0], [1]],
      "res_indices": [[0]]})"))
                .find("models.nmos.res_indices: has 1 devices"),
            std::string::npos);
  // wrong types
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": [[0, 1.5]], "jac_col_indices": [[0, 1]],
      "res_indices": [[0]]})")),
            "models.nmos.jac_row_indices[0][1]: expected an integer index, found the number 1.5");
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": [[0, "1"]], "jac_col_indices": [[0, 1]],
      "res_indices": [[0]]})")),
            "models.nmos.jac_row_indices[0][1]: expected an integer index, found a string");
  EXPECT_EQ(
      json_error(wrap(R"({"jac_row_indices": [0, 1], "jac_col_indices": [[0, 1]],
      "res_indices": [[0]]})")),
      "models.nmos.jac_row_indices[0]: expected a list (one per device), found the integer 0");
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": {"a": 1}, "jac_col_indices": [[0, 1]],
      "res_indices": [[0]]})")),
            "models.nmos.jac_row_indices: expected a list of lists, found an object");
  EXPECT_EQ(json_error(wrap(R"([1, 2])")), "models.nmos: expected an object, found a list");
  EXPECT_EQ(json_error(R"({"n_unknowns": "5", "models": {}})"),
            "n_unknowns: expected an integer, found a string");
  EXPECT_EQ(json_error(R"([1])"), "expected a JSON object at the top level, found a list");
  // missing keys
  EXPECT_EQ(json_error(wrap(R"({"jac_row_indices": [[0]], "res_indices": [[0]]})")),
            "models.nmos: missing key jac_col_indices");
  EXPECT_EQ(json_error(R"({"models": {}})"), "missing key n_unknowns");
  EXPECT_EQ(json_error(R"({"n_unknowns": 3})"), "missing key models");
  // duplicates and broken JSON
  EXPECT_NE(
      json_error(
          R"({"n_unknowns": 3, "models": {"a": {"jac_row_indices": [], "jac_col_indices": [], "res_indices": []}, "a": {}}})")
          .find("duplicate model name"),
      std::string::npos);
  EXPECT_NE(json_error(R"({"n_unknowns": 3, "models": {)").find("invalid JSON"), std::string::npos);
}

TEST(StampsCsv, ReadsStampsGroupedByDevice) {
  const StampMap m = parse_stamps_csv(
      "# n_unknowns: 6\nmodel,device,row,col\nr,1,2,2\nr,0,0,0\nq,0,5,-1\nr,1,2,3\n\n", "m.csv");
  EXPECT_EQ(m.n_unknowns, 6);
  ASSERT_EQ(m.models.size(), 2u);
  EXPECT_EQ(m.models[0].name, "r");
  EXPECT_EQ(m.models[0].n_devices, 2);
  EXPECT_EQ(m.models[0].jac_ptr, (std::vector<index_t>{0, 1, 3}));
  EXPECT_EQ(m.models[0].jac_rows, (std::vector<stamp_index_t>{0, 2, 2}));
  EXPECT_EQ(m.models[0].jac_cols, (std::vector<stamp_index_t>{0, 2, 3}));
  EXPECT_FALSE(m.models[0].has_residuals);
  EXPECT_EQ(m.models[1].name, "q");
  const StampMap inferred = parse_stamps_csv("model,device,row,col\r\nx,0,1,4\r\n", "m.csv");
  EXPECT_EQ(inferred.n_unknowns, 5);
}

std::pair<std::string, index_t> csv_error(const std::string& text) {
  try {
    parse_stamps_csv(text, "map.csv");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::input);
    EXPECT_EQ(e.file(), "map.csv");
    return {e.message(), e.line()};
  }
  ADD_FAILURE() << "no error for " << text;
  return {};
}

TEST(StampsCsv, MalformedLinesAreNamed) {
  using P = std::pair<std::string, index_t>;
  EXPECT_EQ(csv_error("model,device,col,row\nr,0,1,1\n"),
            P("bad CSV header 'model,device,col,row': expected model,device,row,col", 1));
  EXPECT_EQ(csv_error("model,device,row,col\nr,0,1,1\nr,x,1,1\n"),
            P("device 'x' is not an integer", 3));
  EXPECT_EQ(csv_error("model,device,row,col\nr,0,1.5,1\n"), P("row '1.5' is not an integer", 2));
  EXPECT_EQ(csv_error("model,device,row,col\nr,0,1,\n"), P("col '' is not an integer", 2));
  EXPECT_EQ(csv_error("model,device,row,col\nr,0,1\n"),
            P("expected 4 fields (model,device,row,col), found 3", 2));
  EXPECT_EQ(csv_error("# n_unknowns: 3\nmodel,device,row,col\nr,0,3,1\n"),
            P("row 3 is not below n_unknowns 3", 3));
  EXPECT_EQ(csv_error("model,device,row,col\nr,0,-2,1\n"),
            P("row -2 is negative (-1 is ground)", 2));
  EXPECT_EQ(csv_error("model,device,row,col\nr,-1,0,1\n"), P("device -1 is negative", 2));
  EXPECT_EQ(csv_error("model,device,row,col\n,0,0,1\n"), P("empty model name", 2));
  EXPECT_EQ(csv_error(""), P("missing CSV header model,device,row,col", 0));
}

// Found by fuzz_stamps: one line with device 310000034 made the reader size per-device arrays at
// 2.5 GB. Device indices may leave gaps, up to 16 per stamp line plus 1024.
TEST(StampsCsv, DeviceIndicesFarBeyondTheFileAreRefused) {
  const std::string head = "model,device,row,col\nr,0,0,0\n";
  EXPECT_EQ(csv_error(head + "r,310000034,1,1\n").first,
            "model 'r': device 310000034 with only 2 stamp line(s): device indices must number "
            "the devices from 0 (at most 16 per stamp line, plus 1024)");
  // 2 lines allow devices 0..1055: the largest accepted index is 1055.
  EXPECT_EQ(csv_error(head + "r,1056,1,1\n").first.substr(0, 21), "model 'r': device 105");
  StampMap ok = parse_stamps_csv(head + "r,1055,1,1\n", "ok.csv");
  ASSERT_EQ(ok.models.size(), 1u);
  EXPECT_EQ(ok.models[0].n_devices, 1056);
  // The input the fuzzer found, kept as it was.
  std::string found =
      test::read_text_file(test::test_data_dir() / "fuzz" / "stamps_device_oom.csv");
  EXPECT_NE(csv_error(found).first.find("device 310000034"), std::string::npos);
}

TEST(StampsFiles, JsonWriterRoundTripsAndBundledMapsRead) {
  ScratchDir dir;
  const StampMap a = parse_stamps_json(kGood, "good.json");
  write_stamps_json(a, (dir / "a.json").string());
  const StampMap b = read_stamps((dir / "a.json").string());
  ASSERT_EQ(b.models.size(), a.models.size());
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    EXPECT_EQ(b.models[i].name, a.models[i].name);
    EXPECT_EQ(b.models[i].jac_rows, a.models[i].jac_rows);
    EXPECT_EQ(b.models[i].jac_cols, a.models[i].jac_cols);
    EXPECT_EQ(b.models[i].res_indices, a.models[i].res_indices);
  }
  const StampMap j = read_stamps((test_data_dir() / "stamps" / "ladder.json").string());
  const StampMap c = read_stamps((test_data_dir() / "stamps" / "ladder.csv").string());
  EXPECT_EQ(j.n_unknowns, c.n_unknowns);
  ASSERT_EQ(j.models.size(), c.models.size());
  for (std::size_t i = 0; i < j.models.size(); ++i) {
    EXPECT_EQ(j.models[i].jac_rows, c.models[i].jac_rows);
    EXPECT_EQ(j.models[i].jac_cols, c.models[i].jac_cols);
  }
  EXPECT_THROW(read_stamps((dir / "missing.json").string()), Error);
}

}  // namespace
}  // namespace spax::test
