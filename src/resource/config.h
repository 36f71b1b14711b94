// The resource server's configuration: [resource] and its sub-tables, parsed once from the TOML
// document (config/document.h) into an immutable struct shared as shared_ptr<const ResourceConfig>.
//
//   GG_TRY(config::Document doc, config::Document::loadFile(path));
//   GG_TRY(std::shared_ptr<const ResourceConfig> cfg, parseResourceConfig(doc));
//
// [resource]
//   base_url = "https://api.provider.example"   # required: provenance `service`, OpenAPI server
//   licence = "<registry>/scheme/perseus/licence/energy-consumption-data/2024-12-05"  # the scope
//   required_role = "<registry>/scheme/perseus/role/carbon-accounting-provider"
//   max_period_days = 366          # longest from..to a readings request may ask
//   openapi_public = true          # GET / and /openapi.json without a token (false: protected)
//   builtin_meters = true          # the demo meters with generated readings
//   data_dir = "meters"            # optional: meters imported with `gridgate dataset import`
//   permission_lifetime = "365d"   # grant expiry when the token does not carry one (see below)
//   datasets_dir = "datasets"      # optional: files for GET /datasets/{name}
//   max_file_response_bytes = 16777216
// [resource.signing]               # the provenance signing identity (loaded once)
//   key = "signing-provider-key.pem"
//   bundle = "signing-provider-bundle.pem"   # leaf + issuer
// [resource.provenance]            # optional overrides of ProvenanceSettings
//   trust_framework, scheme, standard, origin, origin_licence, data_source, missing_data,
//   processing
// [[resource.datasets]]
//   name = "postcodes.csv"         # a file in datasets_dir; GET /datasets/postcodes.csv
//   scope = "<licence URL>"        # the scope a token needs for it
//   content_type = "text/csv"      # optional
// [resource.token]                 # how access tokens are validated (validator/config.h)
//   issuer = "https://auth.provider.example"     # required, exact
//   audience = "<base_url>"        # default: base_url
//   mode = "jwt"                   # jwt | introspection | auto
//   discovery = true               # RFC 8414 metadata for jwks_uri / introspection_endpoint
//   jwks_uri = ""                  # explicit endpoints win over discovered ones
//   introspection_endpoint = ""
//   ca_file = "server-ca.pem"      # trust for the AS's TLS server
//   cert_chain = "" / key = ""     # the provider's client certificate (introspection, mTLS)
//   client_id = ""                 # the provider's client_id at the AS (introspection)
//   cache_ttl = "60s"              # cached validations; never beyond the token's exp
//   leeway = "0s"
//   client_ca = ""                 # optional: re-check client certificate chains here
//   client_crl = ""
// [resource.listener]              # config/listener.h; default port 8010, client cert required
//
// Grant time and expiry for the provenance `permission` step: the claims `grant_time` and
// `grant_expires` (NumericDate) when the token carries them; otherwise the grant time is
// `auth_time` (the user authenticated to consent), else `iat`, and the expiry is that time plus
// `permission_lifetime` (the authorization server's default grant lifetime).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/document.h"
#include "config/listener.h"
#include "core/clock.h"
#include "core/result.h"
#include "resource/dataset_files.h"
#include "resource/provenance_record.h"
#include "validator/config.h"

namespace gridgate::resource {

inline constexpr std::string_view kPerseusLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
inline constexpr std::string_view kCarbonAccountingProviderRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";

struct ResourceConfig {
  std::string base_url{};
  std::string licence = std::string(kPerseusLicence);
  std::string required_role = std::string(kCarbonAccountingProviderRole);
  std::int64_t max_period_days = 366;
  bool openapi_public = true;
  bool builtin_meters = true;
  std::filesystem::path data_dir{};
  Seconds permission_lifetime{365 * 24 * 3600};
  std::filesystem::path datasets_dir{};
  std::vector<DatasetFile> datasets{};
  std::size_t max_file_response_bytes = 16 * 1024 * 1024;
  std::filesystem::path signing_key{};
  std::filesystem::path signing_bundle{};
  ProvenanceSettings provenance{};
  validator::ValidatorConfig token{};
  config::ListenerSection listener{};
};

[[nodiscard]] Result<std::shared_ptr<const ResourceConfig>> parseResourceConfig(
    const config::Document& doc);

// The base_url / issuer rule: https, or http on a loopback host (tests, the sandbox).
[[nodiscard]] Status checkServiceUrl(std::string_view url, std::string_view what);

}  // namespace gridgate::resource
