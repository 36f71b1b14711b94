// The meters a resource server serves: the built-in demo meters (generated readings) and meters
// imported from CSV into a data directory (series.h). Built once at start-up, then immutable and
// shared by every request thread.
//
//   Dataset ds = Dataset::builtIn();                         // the demo meters
//   GG_TRY(ds.addDirectory("/var/lib/gridgate/meters"));     // every *.ggmd file in it
//   auto shared = std::make_shared<const Dataset>(std::move(ds));
//   const Meter* m = shared->find("abcd1234");               // nullptr when unknown
//
// The built-in meters (ids, outcodes, with or without solar) are listed in docs/resource.md.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "resource/generator.h"
#include "resource/meter.h"

namespace gridgate::resource {

struct BuiltInMeter {
  std::string_view id;
  std::string_view outcode;
  double annual_kwh;
  double winter_amplitude;
  double solar_kwp;
  double latitude;
  double longitude;
};

// The demo meters: a handful of UK households, some with solar panels.
const std::vector<BuiltInMeter>& builtInMeters();

class Dataset {
 public:
  Dataset() = default;
  // The demo meters, readings generated.
  static Dataset builtIn();

  // kConflict if a meter with that id exists already.
  [[nodiscard]] Status add(Meter meter);
  // Adds every "<id>.ggmd" file of `dir` (sorted by name). A file that does not load, or whose
  // meter id differs from its file name, is an error: a server does not start with half a dataset.
  [[nodiscard]] Status addDirectory(const std::filesystem::path& dir);

  // Every meter, in the order added.
  const std::vector<Meter>& meters() const { return meters_; }
  const Meter* find(std::string_view id) const;

 private:
  std::vector<Meter> meters_{};
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace gridgate::resource
