#include "validator/issuer.h"

#include "core/base64.h"
#include "core/log.h"
#include "validator/upstream.h"

namespace gridgate::validator {

std::string formUrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() + 16);
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

IssuerClient::IssuerClient(const IssuerConfig& config, std::size_t index, Fetcher& fetcher,
                           const Clock& clock, MetricsSink& metrics)
    : config_(config),
      index_(index),
      fetcher_(fetcher),
      clock_(clock),
      metrics_(metrics),
      jwks_(config, fetcher, clock, metrics,
            [this](IoPolicy io) -> tl::expected<std::string, AuthError> {
              auto ep = endpoints(io);
              if (!ep) return tl::unexpected(ep.error());
              return (*ep)->jwks_uri;
            }) {
  if (!config_.discovery) {
    endpoints_ = std::make_shared<const Endpoints>(
        Endpoints{config_.jwks_uri, config_.introspection_endpoint, config_.userinfo_endpoint});
  }
}

std::uint64_t IssuerClient::introspectionCalls() const {
  return introspection_calls_.load(std::memory_order_relaxed);
}

tl::expected<std::shared_ptr<const Endpoints>, AuthError> IssuerClient::discoverLocked(
    std::unique_lock<std::mutex>& lock) {
  discovering_ = true;
  lock.unlock();

  tl::expected<Metadata, AuthError> found = deny(Reason::kIssuerUnavailable);
  auto urls = discoveryUrls(config_.issuer);
  if (!urls) {
    found = deny(Reason::kIssuerUnavailable, "issuer URL: " + urls.error().detail);
  } else {
    std::string why;
    for (const std::string& url : *urls) {
      FetchRequest req{.method = FetchRequest::Method::kGet, .url = url, .tls = &config_.tls};
      req.headers.emplace_back("Accept", "application/json");
      auto res = fetchUpstream(fetcher_, metrics_, Upstream::kDiscovery, req);
      if (!res) {
        why += url + ": " + res.error().detail + "; ";
        continue;
      }
      if (res->status != 200) {
        why += url + ": HTTP " + std::to_string(res->status) + "; ";
        continue;
      }
      // A document that names another issuer is never used, and the OIDC location is not tried
      // instead: the issuer's own server answered, wrongly (RFC 8414 section 3.3).
      auto meta = parseMetadata(res->body, config_.issuer);
      if (!meta) {
        why += url + ": " + meta.error().detail;
        break;
      }
      found = std::move(*meta);
      break;
    }
    if (!found)
      found = deny(Reason::kIssuerUnavailable, "discovery of " + config_.issuer + ": " + why);
  }

  lock.lock();
  discovering_ = false;
  tl::expected<std::shared_ptr<const Endpoints>, AuthError> out;
  if (found) {
    const bool mtls = config_.introspection.method == ClientAuth::kTlsClientAuth;
    Endpoints ep;
    ep.jwks_uri = !config_.jwks_uri.empty() ? config_.jwks_uri : found->jwks_uri;
    ep.introspection_endpoint =
        !config_.introspection_endpoint.empty()                 ? config_.introspection_endpoint
        : (mtls && !found->mtls_introspection_endpoint.empty()) ? found->mtls_introspection_endpoint
                                                                : found->introspection_endpoint;
    ep.userinfo_endpoint =
        !config_.userinfo_endpoint.empty() ? config_.userinfo_endpoint : found->userinfo_endpoint;
    endpoints_ = std::make_shared<const Endpoints>(std::move(ep));
    out = endpoints_;
  } else {
    last_error_ = found.error();
    retry_not_before_ = clock_.unixSeconds() + config_.fetch_retry_interval.count();
    log::warn("{}", last_error_.detail);
    out = tl::unexpected(last_error_);
  }
  cv_.notify_all();
  return out;
}

tl::expected<std::shared_ptr<const Endpoints>, AuthError> IssuerClient::endpoints(IoPolicy io) {
  std::unique_lock lock(mu_);
  if (endpoints_) return endpoints_;
  if (discovering_) {
    if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "discovery running");
    cv_.wait(lock, [&] { return !discovering_; });
    if (endpoints_) return endpoints_;
    return tl::unexpected(last_error_);
  }
  if (clock_.unixSeconds() < retry_not_before_) return tl::unexpected(last_error_);
  if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "discovery needed");
  return discoverLocked(lock);
}

namespace {

tl::expected<IssuerAnswer, AuthError> parseAnswer(const FetchResponse& res, std::string_view what,
                                                  bool needs_active) {
  auto doc = parseJsonObject(res.body, JsonLimits{.max_bytes = kMaxAnswerBytes});
  if (!doc) {
    return deny(Reason::kIssuerUnavailable,
                std::string(what) + ": answer is not a JSON object: " + doc.error().detail);
  }
  IssuerAnswer answer;
  if (needs_active) {
    const auto active = jsonBool(*doc, "active");
    if (!active) {
      return deny(Reason::kIssuerUnavailable, std::string(what) + ": answer has no boolean active");
    }
    answer.active = *active;
  } else {
    answer.active = true;
  }
  answer.body = std::move(*doc);
  return answer;
}

}  // namespace

tl::expected<IssuerAnswer, AuthError> IssuerClient::introspect(std::string_view token) {
  auto ep = endpoints(IoPolicy::kAllow);
  if (!ep) return tl::unexpected(ep.error());
  if ((*ep)->introspection_endpoint.empty()) {
    return deny(Reason::kIssuerUnavailable, config_.issuer + " has no introspection endpoint");
  }
  FetchRequest req{.method = FetchRequest::Method::kPost,
                   .url = (*ep)->introspection_endpoint,
                   .tls = &config_.tls};
  req.body = "token=" + formUrlEncode(token) + "&token_type_hint=access_token";
  const IntrospectionCredentials& cred = config_.introspection;
  if (cred.method == ClientAuth::kTlsClientAuth) {
    // RFC 8705 section 2: the client identifies itself; the certificate authenticates it.
    req.body += "&client_id=" + formUrlEncode(cred.client_id);
  } else {
    // RFC 6749 section 2.3.1: both parts form-encoded before base64.
    const std::string pair =
        formUrlEncode(cred.client_id) + ":" + formUrlEncode(cred.client_secret);
    req.headers.emplace_back("Authorization", "Basic " + base64Encode(asBytes(pair)));
  }
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.headers.emplace_back("Accept", "application/json");
  introspection_calls_.fetch_add(1, std::memory_order_relaxed);
  auto res = fetchUpstream(fetcher_, metrics_, Upstream::kIntrospection, req);
  if (!res) {
    return deny(Reason::kIssuerUnavailable,
                "introspection at " + config_.issuer + ": " + res.error().detail);
  }
  if (res->status != 200) {
    // 401 here means the AS refused *our* credentials: a configuration problem, not the client's.
    return deny(Reason::kIssuerUnavailable,
                "introspection at " + config_.issuer + ": HTTP " + std::to_string(res->status));
  }
  return parseAnswer(*res, "introspection at " + config_.issuer, true);
}

tl::expected<IssuerAnswer, AuthError> IssuerClient::userinfo(std::string_view token) {
  auto ep = endpoints(IoPolicy::kAllow);
  if (!ep) return tl::unexpected(ep.error());
  if ((*ep)->userinfo_endpoint.empty()) {
    return deny(Reason::kIssuerUnavailable, config_.issuer + " has no userinfo endpoint");
  }
  FetchRequest req{
      .method = FetchRequest::Method::kGet, .url = (*ep)->userinfo_endpoint, .tls = &config_.tls};
  req.headers.emplace_back("Authorization", "Bearer " + std::string(token));
  req.headers.emplace_back("Accept", "application/json");
  auto res = fetchUpstream(fetcher_, metrics_, Upstream::kUserinfo, req);
  if (!res) {
    return deny(Reason::kIssuerUnavailable,
                "userinfo at " + config_.issuer + ": " + res.error().detail);
  }
  if (res->status == 401 || res->status == 403) return IssuerAnswer{false, {}};
  if (res->status != 200) {
    return deny(Reason::kIssuerUnavailable,
                "userinfo at " + config_.issuer + ": HTTP " + std::to_string(res->status));
  }
  return parseAnswer(*res, "userinfo at " + config_.issuer, false);
}

}  // namespace gridgate::validator
