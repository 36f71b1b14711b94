#include "resource/config.h"

#include <set>

namespace gridgate::resource {

namespace {

tl::unexpected<Error> bad(const config::Section& s, std::string_view key, std::string_view why) {
  return fail(Errc::kInvalidArgument, s.keyPath(key) + ": " + std::string(why));
}

bool isLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

Result<std::string> serviceUrl(const config::Section& s, std::string_view key, bool required,
                               std::string fallback = {}) {
  GG_TRY(std::string v, s.string(key, std::move(fallback)));
  if (v.empty()) {
    if (required) return bad(s, key, "is required (or set " + s.envName(key) + ")");
    return v;
  }
  if (auto st = checkServiceUrl(v, s.keyPath(key)); !st) return fail(st.error());
  while (v.size() > 9 && v.back() == '/') v.pop_back();  // paths are appended to base URLs
  return v;
}

Result<std::string> optionalUrl(const config::Section& s, std::string_view key,
                                std::string fallback) {
  GG_TRY(std::string v, s.string(key, std::move(fallback)));
  if (auto st = checkServiceUrl(v, s.keyPath(key)); !st) return fail(st.error());
  return v;
}

std::string pathString(const std::filesystem::path& p) { return p.empty() ? "" : p.string(); }

}  // namespace

Status checkServiceUrl(std::string_view url, std::string_view what) {
  const bool https = url.starts_with("https://");
  const bool http = url.starts_with("http://");
  if (!https && !http)
    return fail(Errc::kInvalidArgument, std::string(what) + ": not an https URL");
  const std::string_view rest = url.substr(https ? 8 : 7);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, std::string(what) + ": no host, or userinfo");
  }
  for (const char c : url) {
    if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '?' || c == '#') {
      return fail(Errc::kInvalidArgument,
                  std::string(what) + ": no spaces, quotes, query or fragment allowed");
    }
  }
  if (http) {
    const std::string_view host =
        authority.substr(0, authority.rfind(':') == std::string_view::npos ? authority.size()
                                                                           : authority.rfind(':'));
    if (!isLoopbackHost(host)) {
      return fail(Errc::kInvalidArgument, std::string(what) + ": http only on loopback");
    }
  }
  return ok();
}

Result<std::shared_ptr<const ResourceConfig>> parseResourceConfig(const config::Document& doc) {
  auto cfg = std::make_shared<ResourceConfig>();
  const config::Section s = doc.section("resource");

  GG_TRY(cfg->base_url, serviceUrl(s, "base_url", true));
  GG_TRY(cfg->licence, optionalUrl(s, "licence", std::string(kPerseusLicence)));
  GG_TRY(cfg->required_role,
         optionalUrl(s, "required_role", std::string(kCarbonAccountingProviderRole)));
  GG_TRY(cfg->max_period_days, s.integer("max_period_days", 366, 1, 3660));
  GG_TRY(cfg->openapi_public, s.boolean("openapi_public", true));
  GG_TRY(cfg->builtin_meters, s.boolean("builtin_meters", true));
  GG_TRY(cfg->data_dir, s.filePath("data_dir"));
  GG_TRY(cfg->permission_lifetime, s.duration("permission_lifetime", cfg->permission_lifetime));
  if (cfg->permission_lifetime.count() <= 0) {
    return bad(s, "permission_lifetime", "must be positive");
  }
  GG_TRY(cfg->datasets_dir, s.filePath("datasets_dir"));
  GG_TRY(const std::int64_t max_file,
         s.integer("max_file_response_bytes", 16 * 1024 * 1024, 1024, 1024LL * 1024 * 1024));
  cfg->max_file_response_bytes = static_cast<std::size_t>(max_file);

  const config::Section signing = s.child("signing");
  GG_TRY(cfg->signing_key, signing.filePath("key"));
  GG_TRY(cfg->signing_bundle, signing.filePath("bundle"));
  if (cfg->signing_key.empty()) return bad(signing, "key", "is required");
  if (cfg->signing_bundle.empty()) return bad(signing, "bundle", "is required");

  const config::Section prov = s.child("provenance");
  ProvenanceSettings& p = cfg->provenance;
  GG_TRY(p.trust_framework, optionalUrl(prov, "trust_framework", p.trust_framework));
  GG_TRY(p.scheme, optionalUrl(prov, "scheme", p.scheme));
  GG_TRY(p.standard, optionalUrl(prov, "standard", p.standard));
  GG_TRY(p.origin, optionalUrl(prov, "origin", p.origin));
  GG_TRY(p.origin_licence, optionalUrl(prov, "origin_licence", p.origin_licence));
  for (auto [key, field] :
       {std::pair{"data_source", &p.data_source}, std::pair{"missing_data", &p.missing_data},
        std::pair{"processing", &p.processing}}) {
    GG_TRY(*field, prov.string(key, ""));
    if (!field->empty()) {
      if (auto st = checkServiceUrl(*field, prov.keyPath(key)); !st) return fail(st.error());
    }
  }

  GG_TRY(std::vector<config::Section> dataset_sections, s.tableArray("datasets"));
  if (!dataset_sections.empty() && cfg->datasets_dir.empty()) {
    return bad(s, "datasets_dir", "is required when [[resource.datasets]] are listed");
  }
  std::set<std::string> names;
  for (const config::Section& ds : dataset_sections) {
    DatasetFile f;
    GG_TRY(f.name, ds.requiredString("name"));
    if (auto st = checkDatasetName(f.name); !st) return bad(ds, "name", st.error().detail);
    if (!names.insert(f.name).second) return bad(ds, "name", "listed twice");
    GG_TRY(f.scope, ds.requiredString("scope"));
    for (const char c : f.scope) {
      // RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E
      if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
        return bad(ds, "scope", "not a valid scope token");
      }
    }
    GG_TRY(f.content_type, ds.string("content_type", ""));
    for (const char c : f.content_type) {
      if (c < 0x20 || c > 0x7E) return bad(ds, "content_type", "printable ASCII only");
    }
    cfg->datasets.push_back(std::move(f));
  }

  // [resource.token]: one issuer, validated as the validator's configuration.
  const config::Section t = s.child("token");
  validator::ValidatorConfig& v = cfg->token;
  v.realm = "gridgate-resource";
  validator::IssuerConfig& as = v.issuers.emplace_back();
  GG_TRY(as.issuer, t.string("issuer", ""));
  if (as.issuer.empty())
    return bad(t, "issuer", "is required (or set " + t.envName("issuer") + ")");
  if (auto st = checkServiceUrl(as.issuer, t.keyPath("issuer")); !st) return fail(st.error());
  GG_TRY(std::string audience, serviceUrl(t, "audience", false, cfg->base_url));
  as.audiences = {audience};
  GG_TRY(std::string mode, t.string("mode", "jwt"));
  auto parsed_mode = validator::parseTokenMode(mode);
  if (!parsed_mode) return bad(t, "mode", "jwt, introspection or auto");
  as.mode = *parsed_mode;
  GG_TRY(as.discovery, t.boolean("discovery", true));
  GG_TRY(as.jwks_uri, t.string("jwks_uri", ""));
  GG_TRY(as.introspection_endpoint, t.string("introspection_endpoint", ""));
  GG_TRY(const std::filesystem::path ca, t.filePath("ca_file"));
  GG_TRY(const std::filesystem::path chain, t.filePath("cert_chain"));
  GG_TRY(const std::filesystem::path key, t.filePath("key"));
  as.tls.ca_file = pathString(ca);
  as.tls.cert_chain_file = pathString(chain);
  as.tls.key_file = pathString(key);
  GG_TRY(as.introspection.client_id, t.string("client_id", ""));
  GG_TRY(as.leeway, t.duration("leeway", Seconds(0)));
  GG_TRY(const Seconds ttl, t.duration("cache_ttl", Seconds(60)));
  v.cache.ttl_seconds = ttl.count();
  GG_TRY(const std::filesystem::path client_ca, t.filePath("client_ca"));
  GG_TRY(const std::filesystem::path client_crl, t.filePath("client_crl"));
  v.client_cert.ca_file = pathString(client_ca);
  v.client_cert.crl_file = pathString(client_crl);
  if (auto st = validator::validateConfig(v); !st) {
    return fail(Errc::kInvalidArgument, t.path() + ": " + st.error().detail);
  }

  GG_TRY(cfg->listener,
         config::parseListenerSection(s.child("listener"),
                                      {.address = "127.0.0.1",
                                       .default_port = 8010,
                                       .client_cert = config::ClientCertPolicy::kRequire}));
  return std::shared_ptr<const ResourceConfig>(std::move(cfg));
}

}  // namespace gridgate::resource
