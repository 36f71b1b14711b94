#include "resource/service.h"

#include "core/log.h"
#include "pki/files.h"
#include "provenance/signer.h"
#include "resource/openapi.h"
#include "validator/http/net_fetcher.h"

namespace gridgate::resource {

namespace {

using validator::Requirement;
using validator::RouteRequirements;

std::optional<std::int64_t> numericClaim(const Json& claims, std::string_view name) {
  const Json* v = jsonMember(claims, name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  if (v->is_number_integer()) return v->get<std::int64_t>();
  const double d = v->get<double>();
  if (!(d >= 0 && d < 1e11)) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

// Role first: a certificate without the role is refused (403) whatever the token says.
RouteRequirements requirements(const RouteSettings& s, const std::string* scope) {
  RouteRequirements r;
  r.require(Requirement::certificateRole(s.required_role));
  r.require(Requirement::clientIdIsCertificateUri());
  if (scope != nullptr) r.require(Requirement::scopes({*scope}));
  return r;
}

}  // namespace

PermissionFacts permissionFromToken(const validator::TokenInfo& token, const RouteSettings& s,
                                    const Clock& clock) {
  PermissionFacts p;
  p.account = token.subject();
  p.licence = s.licence;
  const Json& claims = token.claims();
  std::optional<std::int64_t> granted = numericClaim(claims, "grant_time");
  if (!granted) granted = numericClaim(claims, "auth_time");
  if (!granted) granted = token.issuedAt();
  p.granted_at = granted.value_or(clock.unixSeconds());
  p.expires_at =
      numericClaim(claims, "grant_expires").value_or(p.granted_at + s.permission_lifetime.count());
  return p;
}

Caller callerFromToken(const validator::TokenInfo& token, const RouteSettings& s,
                       const Clock& clock) {
  return Caller{.client_id = token.clientId(), .permission = permissionFromToken(token, s, clock)};
}

void addRoutes(net::Router& router, std::shared_ptr<const ResourceApi> api,
               const validator::http::HttpValidator& guard, const RouteSettings& settings,
               const Clock& clock) {
  const RouteRequirements data = requirements(settings, &settings.licence);
  router.get("/datasources",
             guard.protect(data, [api, settings, &clock](const net::Request& req,
                                                         const validator::TokenInfo& token) {
               return api->datasources(req, callerFromToken(token, settings, clock));
             }));
  router.get("/datasources/{id}/{measure}",
             guard.protect(data, [api, settings, &clock](const net::Request& req,
                                                         const validator::TokenInfo& token) {
               return api->readings(req, callerFromToken(token, settings, clock));
             }));
  if (const FileStore* files = api->files(); files != nullptr) {
    for (const DatasetFile& f : files->files()) {
      const DatasetFile* file = &f;  // owned by api's FileStore, which the lambda keeps alive
      router.get("/datasets/" + f.name,
                 guard.protect(requirements(settings, &f.scope),
                               [api, file](const net::Request& req, const validator::TokenInfo&) {
                                 return api->datasetFile(req, file);
                               },
                               {.offload_handler = true}));
    }
  }
  // Any other name: the caller must still be admitted before learning that it does not exist.
  router.get("/datasets/{name}",
             guard.protect(requirements(settings, nullptr),
                           [api](const net::Request& req, const validator::TokenInfo&) {
                             return api->datasetFile(req, nullptr);
                           }));
  if (settings.openapi_public) {
    router.get("/", [api](const net::Request&) { return api->openApi(); });
    router.get("/openapi.json", [api](const net::Request&) { return api->openApi(); });
  } else {
    const RouteRequirements meta = requirements(settings, nullptr);
    const auto handler = [api](const net::Request&, const validator::TokenInfo&) {
      return api->openApi();
    };
    router.get("/", guard.protect(meta, handler));
    router.get("/openapi.json", guard.protect(meta, handler));
  }
}

Result<std::unique_ptr<ResourceService>> ResourceService::create(
    std::shared_ptr<const ResourceConfig> config, ResourceDeps deps) {
  const Clock& clock = deps.clock != nullptr ? *deps.clock : SystemClock::instance();
  std::unique_ptr<ResourceService> s(new ResourceService());
  s->config_ = config;
  const ResourceConfig& c = *config;

  GG_TRY(const std::string key_pem, pki::readFile(c.signing_key));
  GG_TRY(const std::string bundle_pem, pki::readFile(c.signing_bundle));
  auto signer = provenance::Signer::fromPem(key_pem, bundle_pem);
  if (!signer) {
    return fail(signer.error().code, "provenance signing identity (" + c.signing_bundle.string() +
                                         "): " + signer.error().detail);
  }
  const std::int64_t now = clock.unixSeconds();
  if (now < signer->leaf().notBefore() || now > signer->leaf().notAfter()) {
    return fail(Errc::kExpired, "the provenance signing certificate is not valid now");
  }
  auto records = std::make_shared<const RecordFactory>(
      c.provenance, std::make_shared<const provenance::Signer>(std::move(*signer)));

  auto dataset = std::make_shared<Dataset>(c.builtin_meters ? Dataset::builtIn() : Dataset());
  if (!c.data_dir.empty()) GG_TRY(dataset->addDirectory(c.data_dir));
  if (dataset->meters().empty()) log::warn("resource: the dataset has no meters");

  std::shared_ptr<const FileStore> files;
  if (!c.datasets_dir.empty()) {
    GG_TRY(FileStore store, FileStore::open(c.datasets_dir, c.datasets, c.max_file_response_bytes));
    files = std::make_shared<const FileStore>(std::move(store));
  }

  OpenApiInfo info{.base_url = c.base_url,
                   .licence = c.licence,
                   .issuer = c.token.issuers.front().issuer,
                   .required_role = c.required_role,
                   .max_period_days = c.max_period_days,
                   .datasets = c.datasets};
  ApiSettings api_settings{.base_url = c.base_url,
                           .max_period_days = c.max_period_days,
                           .openapi_json = openApiDocument(info)};
  s->api_ = std::make_shared<const ResourceApi>(std::move(api_settings), std::move(dataset),
                                                std::move(records), std::move(files), clock);

  std::shared_ptr<validator::Fetcher> fetcher = deps.fetcher;
  if (!fetcher) fetcher = std::make_shared<validator::http::NetFetcher>();
  GG_TRY(s->validator_,
         validator::Validator::create(
             c.token, {.fetcher = fetcher, .clock = &clock, .metrics = deps.metrics}));
  validator::http::HttpValidatorOptions guard_options;
  guard_options.pool = deps.pool;
  s->guard_ = std::make_unique<validator::http::HttpValidator>(s->validator_, guard_options);

  s->router_ = std::make_shared<net::Router>();
  addRoutes(*s->router_, s->api_, *s->guard_,
            RouteSettings{.licence = c.licence,
                          .required_role = c.required_role,
                          .openapi_public = c.openapi_public,
                          .permission_lifetime = c.permission_lifetime},
            clock);
  return s;
}

}  // namespace gridgate::resource
