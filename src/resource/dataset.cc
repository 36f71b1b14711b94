#include "resource/dataset.h"

#include <algorithm>
#include <system_error>

#include "resource/series.h"

namespace gridgate::resource {

const std::vector<BuiltInMeter>& builtInMeters() {
  // id, outcode, kWh/year, winter swing, solar kWp, latitude, longitude
  static const std::vector<BuiltInMeter> meters = {
      {"abcd1234", "SW1A", 2900, 0.22, 0.0, 51.50, -0.14},  // London flat, the seed's meter id
      {"efgh5678", "OX4", 3400, 0.22, 3.6, 51.74, -1.22},   // Oxford semi with solar
      {"ijkl9012", "M14", 1800, 0.18, 0.0, 53.45, -2.22},   // Manchester, small household
      {"mnop3456", "EH9", 4200, 0.50, 4.0, 55.93, -3.19},   // Edinburgh, heat pump and solar
      {"qrst7890", "CF10", 5200, 0.60, 0.0, 51.48, -3.18},  // Cardiff, electric storage heating
  };
  return meters;
}

Dataset Dataset::builtIn() {
  Dataset ds;
  for (const BuiltInMeter& b : builtInMeters()) {
    GeneratorParams p;
    p.seed = seedFromId(b.id);
    p.annual_kwh = b.annual_kwh;
    p.winter_amplitude = b.winter_amplitude;
    p.solar_kwp = b.solar_kwp;
    p.latitude = b.latitude;
    p.longitude = b.longitude;
    Meter m;
    m.id = std::string(b.id);
    m.outcode = std::string(b.outcode);
    m.has_export = b.solar_kwp > 0;
    m.source = std::make_shared<GeneratedSource>(p);
    // Built-in ids are unique and valid: add() cannot fail here.
    (void)ds.add(std::move(m));
  }
  return ds;
}

Status Dataset::add(Meter meter) {
  GG_TRY(checkMeterId(meter.id));
  GG_TRY(checkOutcode(meter.outcode));
  if (!meter.source) return fail(Errc::kInvalidArgument, "meter " + meter.id + " has no readings");
  if (index_.contains(meter.id)) {
    return fail(Errc::kConflict, "two meters with the id " + meter.id);
  }
  index_.emplace(meter.id, meters_.size());
  meters_.push_back(std::move(meter));
  return ok();
}

Status Dataset::addDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() == kSeriesExtension && it->is_regular_file(ec)) files.push_back(path);
  }
  if (ec) return fail(Errc::kIo, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    GG_TRY(ImportedSeries s, readSeriesFile(path));
    if (seriesFileName(s.id) != path.filename().string()) {
      return fail(Errc::kInvalidArgument,
                  path.string() + ": holds meter " + s.id + ", not the one its name says");
    }
    Meter m;
    m.id = s.id;
    m.outcode = s.outcode;
    m.has_export = s.has_export;
    m.account = s.account;
    m.source = std::make_shared<ImportedSource>(std::move(s));
    GG_TRY(add(std::move(m)));
  }
  return ok();
}

const Meter* Dataset::find(std::string_view id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? nullptr : &meters_[it->second];
}

}  // namespace gridgate::resource
