// gridgate dataset import|list|show: the meters a resource server serves (src/resource).
//
//   gridgate dataset import readings.csv --dir meters --id m-1 --outcode OX4 [--account alice]
//   gridgate dataset list [--dir meters] [--no-builtin] [--json]
//   gridgate dataset show efgh5678 --measure export --from 2024-06-01 --to 2024-06-01 [--json]
//
// import validates the CSV (src/resource/csv_import.h: every error names its line) and writes the
// meter's compact file <dir>/<id>.ggmd atomically; it refuses to replace an existing meter unless
// --force. The server loads every such file of its [resource].data_dir at start-up, beside the
// built-in demo meters. show prints the readings exactly as the API's `data` array would carry
// them (--json), or as a table; it reads the same files and the same generator as the server.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "core/json.h"
#include "resource/csv_import.h"
#include "resource/dataset.h"
#include "resource/period.h"
#include "resource/series.h"

namespace gridgate::cli {
namespace {

using namespace gridgate::resource;

struct DatasetOptions {
  std::string input;
  std::string dir;
  std::string id;
  std::string outcode;
  std::string account;
  bool force = false;
  bool no_builtin = false;
  bool json = false;
  std::string measure = "import";
  std::string from;
  std::string to;
};

int fault(std::string_view what, const std::string& why) {
  std::cerr << "dataset " << what << ": " << why << "\n";
  return 1;
}

Result<Dataset> loadDataset(const DatasetOptions& o) {
  Dataset ds = o.no_builtin ? Dataset() : Dataset::builtIn();
  if (!o.dir.empty()) GG_TRY(ds.addDirectory(o.dir));
  return ds;
}

int runImport(const DatasetOptions& o) {
  std::ifstream in(o.input, std::ios::binary);
  if (!in) return fault("import", "cannot open " + o.input);
  std::string text;
  const CsvImportOptions copts{.id = o.id, .outcode = o.outcode, .account = o.account};
  // Read at most one byte past the limit, so that an oversized file is refused, not truncated.
  text.resize(copts.max_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  auto series = parseMeterCsv(text, copts);
  if (!series) return fault("import", o.input + ": " + series.error().detail);
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) return fault("import", "cannot create " + o.dir + ": " + ec.message());
  const std::filesystem::path path = std::filesystem::path(o.dir) / seriesFileName(series->id);
  if (auto st =
          writeSeriesFile(path, *series, o.force ? pki::Overwrite::kYes : pki::Overwrite::kNo);
      !st) {
    return fault("import", st.error().detail);
  }
  std::size_t missing = 0;
  for (const auto v : series->import) missing += v == kMissingWh ? 1 : 0;
  std::cout << "imported meter " << series->id << " (" << series->outcode
            << (series->has_export ? ", import and export" : ", import")
            << "): " << series->import.size() << " half hours from " << formatUtc(series->first)
            << " to " << formatUtc(series->end()) << ", " << missing << " missing reads\n"
            << "written to " << path.string() << "\n";
  return 0;
}

std::string coverage(const Meter& m) {
  const std::int64_t start = m.source->coverageStart();
  const std::int64_t end = m.source->coverageEnd();
  return formatDate(start) + ".." + formatDate(end - 1);
}

int runList(const DatasetOptions& o) {
  auto ds = loadDataset(o);
  if (!ds) return fault("list", ds.error().detail);
  if (o.json) {
    Json out = Json::array();
    for (const Meter& m : ds->meters()) {
      Json measures = Json::array({"import"});
      if (m.has_export) measures.push_back("export");
      Json e = {{"id", m.id},
                {"location", {{"ukPostcodeOutcode", m.outcode}}},
                {"availableMeasures", measures},
                {"source", std::string(m.source->kind())},
                {"from", formatUtc(m.source->coverageStart())},
                {"to", formatUtc(m.source->coverageEnd())}};
      if (!m.account.empty()) e["account"] = m.account;
      out.push_back(std::move(e));
    }
    std::cout << dumpJson(out, 2) << "\n";
    return 0;
  }
  std::printf("%-16s %-6s %-15s %-10s %-22s %s\n", "ID", "AREA", "MEASURES", "SOURCE", "COVERAGE",
              "ACCOUNT");
  for (const Meter& m : ds->meters()) {
    std::printf("%-16s %-6s %-15s %-10s %-22s %s\n", m.id.c_str(), m.outcode.c_str(),
                m.has_export ? "import,export" : "import", std::string(m.source->kind()).c_str(),
                coverage(m).c_str(), m.account.empty() ? "(any)" : m.account.c_str());
  }
  return 0;
}

int runShow(const DatasetOptions& o) {
  auto ds = loadDataset(o);
  if (!ds) return fault("show", ds.error().detail);
  const Meter* m = ds->find(o.id);
  if (m == nullptr) return fault("show", "no meter " + o.id);
  const auto measure = parseMeasure(o.measure);
  if (!measure || !m->hasMeasure(*measure)) {
    return fault("show", "meter " + o.id + " has no measure " + o.measure);
  }
  // Default period: the last covered day that has ended.
  const std::int64_t now = SystemClock::instance().unixSeconds();
  const std::int64_t last = std::min(m->source->coverageEnd(), now - now % kDaySeconds) - 1;
  const std::string from = o.from.empty() ? formatDate(last) : o.from;
  const std::string to = o.to.empty() ? (o.from.empty() ? formatDate(last) : o.from) : o.to;
  auto period = parsePeriod("from=" + from + "&to=" + to, 366);
  if (!period) return fault("show", period.error().description);
  std::vector<Reading> readings;
  const std::int64_t ended = now - now % kSlotSeconds;
  m->source->readings(*measure, period->start(), std::min(period->end(), ended), readings);
  if (o.json) {
    std::string out;
    appendReadingsJson(out, readings);
    auto doc = parseJson(out, JsonLimits{.max_bytes = 64 * 1024 * 1024});
    std::cout << (doc ? dumpJson(*doc, 2) : out) << "\n";
    return 0;
  }
  std::cout << m->id << " " << o.measure << " " << period->from << ".." << period->to << " ("
            << m->outcode << ", " << m->source->kind() << ")\n";
  std::uint64_t total = 0;
  std::size_t missing = 0;
  for (const Reading& r : readings) {
    if (r.missing) {
      ++missing;
      std::printf("%s  %8s  missing\n", formatUtc(r.from).c_str(), "-");
    } else {
      total += r.wh;
      std::printf("%s  %8u  Wh\n", formatUtc(r.from).c_str(), r.wh);
    }
  }
  std::cout << readings.size() << " half hours, " << missing << " missing, total " << total
            << " Wh\n";
  return 0;
}

const Registration kDataset("dataset", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("dataset", "meter readings served by the resource server");
  cmd->require_subcommand(1);

  auto import_opts = std::make_shared<DatasetOptions>();
  auto* imp = cmd->add_subcommand("import", "validate a CSV of half-hourly readings and store it");
  imp->add_option("file", import_opts->input, "CSV: from,import_wh[,export_wh] (or _kwh)")
      ->required();
  imp->add_option("--dir", import_opts->dir, "data directory ([resource].data_dir)")->required();
  imp->add_option("--id", import_opts->id, "meter id ([A-Za-z0-9_-], at most 64)")->required();
  imp->add_option("--outcode", import_opts->outcode, "UK postcode outcode (e.g. OX4)")->required();
  imp->add_option("--account", import_opts->account,
                  "the account (token sub) the meter belongs to; default: every account");
  imp->add_flag("--force", import_opts->force, "replace an existing meter of that id");
  imp->callback([import_opts] { setExitCode(runImport(*import_opts)); });

  auto list_opts = std::make_shared<DatasetOptions>();
  auto* list = cmd->add_subcommand("list", "the meters: built-in and imported");
  list->add_option("--dir", list_opts->dir, "data directory ([resource].data_dir)");
  list->add_flag("--no-builtin", list_opts->no_builtin, "leave out the built-in demo meters");
  list->add_flag("--json", list_opts->json, "JSON output");
  list->callback([list_opts] { setExitCode(runList(*list_opts)); });

  auto show_opts = std::make_shared<DatasetOptions>();
  auto* show = cmd->add_subcommand("show", "a meter's readings, as the API serves them");
  show->add_option("id", show_opts->id, "meter id")->required();
  show->add_option("--dir", show_opts->dir, "data directory ([resource].data_dir)");
  show->add_flag("--no-builtin", show_opts->no_builtin, "leave out the built-in demo meters");
  show->add_option("--measure", show_opts->measure, "import or export")
      ->check(CLI::IsMember({"import", "export"}));
  show->add_option("--from", show_opts->from, "first day YYYY-MM-DD (default: last full day)");
  show->add_option("--to", show_opts->to, "last day YYYY-MM-DD, included (default: --from)");
  show->add_flag("--json", show_opts->json, "the API's `data` array");
  show->callback([show_opts] { setExitCode(runShow(*show_opts)); });
});

}  // namespace
}  // namespace gridgate::cli
