// The resource API's handlers, after the validator has admitted the request (routes.h wires them
// behind validator::http::HttpValidator::protect). Framework-free beyond net/http.h: a handler is
// a function of the request and the Caller the validator established.
//
//   ResourceApi api(settings, dataset, factory, files, clock);
//   Caller caller{.client_id = token.clientId(), .permission = {...}};      // routes.h: from token
//   net::Response r = api.readings(request, caller);   // GET /datasources/{id}/{measure}?from&to
//
// Order of checks in readings(): meter (404, also for a meter of another account), measure (404),
// period (400 naming the parameter), then the readings of the slots that have ended (a period
// reaching into the future returns what exists so far), the location, and a provenance record
// signed for this response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/http.h"
#include "resource/dataset.h"
#include "resource/dataset_files.h"
#include "resource/provenance_record.h"

namespace gridgate::resource {

// Who is asking, as the validator established it (token + certificate).
struct Caller {
  std::string client_id{};       // the token's client_id == the certificate's SAN URI
  PermissionFacts permission{};  // account (sub), licence, grant time and expiry
};

struct ApiSettings {
  std::string base_url{};  // https://api.example (no trailing '/')
  std::int64_t max_period_days = 366;
  std::string openapi_json{};  // the document served at / and /openapi.json
};

class ResourceApi {
 public:
  ResourceApi(ApiSettings settings, std::shared_ptr<const Dataset> dataset,
              std::shared_ptr<const RecordFactory> records, std::shared_ptr<const FileStore> files,
              const Clock& clock);

  // GET /datasources
  net::Response datasources(const net::Request& request, const Caller& caller) const;
  // GET /datasources/{id}/{measure}?from=YYYY-MM-DD&to=YYYY-MM-DD
  net::Response readings(const net::Request& request, const Caller& caller) const;
  // GET /datasets/{name}: `file` is null for a name that is not configured (404).
  net::Response datasetFile(const net::Request& request, const DatasetFile* file) const;
  // GET / and /openapi.json
  net::Response openApi() const;

  const Dataset& dataset() const { return *dataset_; }
  const FileStore* files() const { return files_.get(); }
  const ApiSettings& settings() const { return settings_; }

 private:
  ApiSettings settings_;
  std::shared_ptr<const Dataset> dataset_{};
  std::shared_ptr<const RecordFactory> records_{};
  std::shared_ptr<const FileStore> files_{};
  const Clock& clock_;
  // One `data` entry per meter, serialised once.
  std::vector<std::string> datasource_entries_{};
  std::string all_public_datasources_{};  // the whole body when no meter has an owner
  bool any_owned_ = false;
};

}  // namespace gridgate::resource
