// The OpenAPI 3.1 description of the resource API, served at GET / and GET /openapi.json.
//
//   std::string doc = openApiDocument({.base_url = "https://api.example", .licence = ...});
//
// Built once at start-up from the configuration (server URL, licence scope, dataset files and
// their scopes, the maximum period), so that what it says is what the server does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "resource/dataset_files.h"

namespace gridgate::resource {

struct OpenApiInfo {
  std::string base_url{};
  std::string licence{};
  std::string issuer{};  // the authorization server (its metadata URL goes into the document)
  std::string required_role{};
  std::int64_t max_period_days = 366;
  std::vector<DatasetFile> datasets{};
};

std::string openApiDocument(const OpenApiInfo& info);

}  // namespace gridgate::resource
