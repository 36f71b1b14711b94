#include "authz/flow.h"

#include <algorithm>

#include "authz/redirect_uri.h"
#include "authz/request_form.h"
#include "authz/scope.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"

namespace gridgate::authz {

namespace {

constexpr std::size_t kRequestUriBytes = 32;  // 256 bits (FAPI-CHECKLIST 22: >= 128)
constexpr std::size_t kCodeBytes = 32;        // 256 bits (FAPI-CHECKLIST 39: >= 128)
constexpr std::size_t kGrantIdBytes = 24;
constexpr std::size_t kEvidenceIdBytes = 24;  // 192 bits (PERSEUS.md: >= 128)
constexpr std::size_t kMaxState = 4096;
constexpr std::size_t kMaxNonce = 512;
constexpr std::size_t kMaxScope = 4096;
constexpr std::size_t kMaxAuthorizationDetails = 16 * 1024;

bool isBase64Url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

OAuthResult<std::string> checkRedirectUri(const net::Form& form, const ClientConfig& client) {
  const std::string* uri = form.get("redirect_uri");
  if (uri == nullptr || uri->empty()) {
    // FAPI-CHECKLIST 27.
    return oauthFail(OAuthErrc::kInvalidRequest, "redirect_uri is required", "no redirect_uri");
  }
  auto parsed = RedirectUri::parse(*uri);
  if (!parsed) {
    // FAPI-CHECKLIST 28: http to a non-loopback host, fragments, userinfo...
    return oauthFail(OAuthErrc::kInvalidRequest, "redirect_uri is not acceptable",
                     parsed.error().detail);
  }
  const bool registered = std::find(client.redirect_uris.begin(), client.redirect_uris.end(),
                                    parsed->str()) != client.redirect_uris.end();
  const bool https = parsed->str().starts_with("https://");
  if (!registered && !(client.allow_any_https_redirect_uri && https)) {
    return oauthFail(OAuthErrc::kInvalidRequest, "redirect_uri is not registered for this client",
                     "unregistered redirect_uri");
  }
  return parsed->str();
}

OAuthResult<std::string> checkScope(const net::Form& form, const ClientConfig& client) {
  const std::string* scope = form.get("scope");
  if (scope == nullptr || scope->empty()) {
    return oauthFail(OAuthErrc::kInvalidScope, "scope is required", "no scope");
  }
  if (scope->size() > kMaxScope) {
    return oauthFail(OAuthErrc::kInvalidScope, "scope is too long", "scope too long");
  }
  const std::vector<std::string> values = splitScope(*scope);
  if (values.empty()) return oauthFail(OAuthErrc::kInvalidScope, "scope is required", "blank");
  for (const std::string& v : values) {
    if (!isScopeToken(v) || !client.allowsScope(v)) {
      return oauthFail(OAuthErrc::kInvalidScope, "A requested scope is not allowed for this client",
                       "scope not allowed");
    }
  }
  return joinScope(values);
}

OAuthResult<std::string> checkAuthorizationDetails(const net::Form& form,
                                                   const ClientConfig& client) {
  const std::string* text = form.get("authorization_details");
  if (text == nullptr) return std::string();
  const auto invalid = [](std::string detail) {
    return oauthFail(OAuthErrc::kInvalidAuthorizationDetails,
                     "authorization_details is not acceptable", std::move(detail));
  };
  if (client.authorization_details_types.empty()) return invalid("client may not push any");
  auto doc = parseJson(*text, JsonLimits{.max_bytes = kMaxAuthorizationDetails, .max_depth = 8});
  if (!doc) return invalid("not JSON: " + doc.error().detail);
  if (!doc->is_array() || doc->empty()) return invalid("not a non-empty array");
  for (const Json& entry : *doc) {
    const std::string* type = entry.is_object() ? jsonString(entry, "type") : nullptr;
    if (type == nullptr) return invalid("entry without a string type");
    const auto& allowed = client.authorization_details_types;
    if (std::find(allowed.begin(), allowed.end(), *type) == allowed.end()) {
      return invalid("type not allowed for this client");
    }
  }
  return dumpJson(*doc);
}

}  // namespace

net::Response Flow::par(const net::Request& request) {
  const AuthzConfig& cfg = *ctx_.config;
  auto run = [&]() -> OAuthResult<net::Response> {
    GG_TRY(net::Form form, requestForm(request));
    GG_TRY(AuthenticatedClient who, ctx_.auth->authenticate(request, form));
    const ClientConfig& client = *who.client;
    if (form.has("request_uri")) {
      // FAPI-CHECKLIST 25 (RFC 9126 2.1: request_uri is not allowed in a pushed request).
      return oauthFail(OAuthErrc::kInvalidRequest, "request_uri is not allowed in a pushed request",
                       "request_uri in PAR");
    }
    if (form.has("request")) {
      return oauthFail(OAuthErrc::kInvalidRequest, "Request objects are not supported",
                       "request parameter in PAR");
    }
    const std::string* response_type = form.get("response_type");
    if (response_type == nullptr || response_type->empty()) {
      return oauthFail(OAuthErrc::kInvalidRequest, "response_type is required", "no response_type");
    }
    if (*response_type != "code") {
      // FAPI-CHECKLIST 30.
      return oauthFail(OAuthErrc::kUnsupportedResponseType, "Only response_type=code is supported",
                       "response_type not code");
    }
    if (const std::string* mode = form.get("response_mode"); mode != nullptr && *mode != "query") {
      return oauthFail(OAuthErrc::kInvalidRequest, "Only response_mode=query is supported",
                       "response_mode");
    }
    GG_TRY(std::string redirect_uri, checkRedirectUri(form, client));
    // FAPI-CHECKLIST 29: PKCE with S256 only (an absent method means plain: RFC 7636 4.3).
    const std::string* challenge = form.get("code_challenge");
    const std::string* method = form.get("code_challenge_method");
    if (challenge == nullptr || challenge->empty()) {
      return oauthFail(OAuthErrc::kInvalidRequest, "code_challenge is required", "no PKCE");
    }
    if (method == nullptr || *method != "S256") {
      return oauthFail(OAuthErrc::kInvalidRequest, "code_challenge_method must be S256",
                       "PKCE method not S256");
    }
    if (challenge->size() != 43 || !isBase64Url(*challenge)) {
      return oauthFail(OAuthErrc::kInvalidRequest, "code_challenge is malformed",
                       "challenge not 43 base64url chars");
    }
    GG_TRY(std::string scope, checkScope(form, client));
    GG_TRY(std::string details, checkAuthorizationDetails(form, client));
    const std::string* state = form.get("state");
    const std::string* nonce = form.get("nonce");
    if (state != nullptr && state->size() > kMaxState) {
      return oauthFail(OAuthErrc::kInvalidRequest, "state is too long", "state too long");
    }
    if (nonce != nullptr && nonce->size() > kMaxNonce) {
      return oauthFail(OAuthErrc::kInvalidRequest, "nonce is too long", "nonce too long");
    }

    const std::int64_t now = ctx_.clock->unixSeconds();
    store::ParRecord rec;
    rec.client_id = client.client_id;
    rec.redirect_uri = std::move(redirect_uri);
    rec.scope = std::move(scope);
    rec.state = state != nullptr ? *state : std::string();  // FAPI-CHECKLIST 36: verbatim
    rec.nonce = nonce != nullptr ? *nonce : std::string();
    rec.code_challenge = *challenge;
    rec.authorization_details = std::move(details);
    rec.created_at = now;
    rec.expires_at = now + cfg.par_lifetime.count();
    const std::string request_uri = std::string(kRequestUriPrefix) + randomToken(kRequestUriBytes);
    if (auto st = ctx_.store->pars().create(crypto::sha256Hex(request_uri), rec); !st) {
      return failFrom(st.error(), OAuthErrc::kServerError, "Internal error");
    }
    log::info("pushed authorization request from {}", client.client_id);
    net::Response resp = net::Response::json(
        201, Json{{"request_uri", request_uri}, {"expires_in", cfg.par_lifetime.count()}});
    resp.noStore();
    return resp;
  };
  auto r = run();
  if (!r) return renderOAuthError(r.error(), request);
  return std::move(*r);
}

Result<PendingAuthorization> Flow::lookup(std::string_view client_id,
                                          std::string_view request_uri) {
  if (!request_uri.starts_with(kRequestUriPrefix) || request_uri.size() > 256) {
    return fail(Errc::kNotFound, "not a request URI of this server");
  }
  PendingAuthorization p;
  p.request_uri = std::string(request_uri);
  p.request_uri_hash = crypto::sha256Hex(request_uri);
  GG_TRY(p.par, ctx_.store->pars().find(p.request_uri_hash));
  // FAPI-CHECKLIST 32-34.
  if (p.par.client_id != client_id) {
    return fail(Errc::kForbidden, "request URI was pushed by another client");
  }
  if (p.par.consumed) return fail(Errc::kAlreadyUsed, "request URI already completed");
  if (ctx_.clock->unixSeconds() >= p.par.expires_at) {
    return fail(Errc::kExpired, "request URI expired");
  }
  p.client = ctx_.config->clients.find(p.par.client_id);
  if (p.client == nullptr) return fail(Errc::kNotFound, "client no longer registered");
  return p;
}

Result<std::string> Flow::approve(const PendingAuthorization& pending,
                                  const ConsentDecision& decision) {
  const AuthzConfig& cfg = *ctx_.config;
  if (decision.subject.empty()) return fail(Errc::kInvalidArgument, "consent without a subject");
  const std::vector<std::string> granted = splitScope(decision.scope);
  if (granted.empty() || !isSubset(granted, splitScope(pending.par.scope))) {
    return fail(Errc::kInvalidArgument, "granted scope is not a subset of the pushed scope");
  }
  GG_TRY(RedirectUri redirect, RedirectUri::parse(pending.par.redirect_uri));
  const std::int64_t now = ctx_.clock->unixSeconds();
  // The pushed request as lookup() read it: a record never changes but for `consumed`, which
  // the store step below checks again.
  const store::ParRecord& par = pending.par;

  // One store step (Store::approve): the request consumed, the grant and its code created, all
  // durable before the redirect acknowledges the consent; nothing written if any part fails.
  store::Approval approval;
  approval.uri_hash = pending.request_uri_hash;
  approval.now = now;
  store::Grant& grant = approval.grant;
  grant.id = randomToken(kGrantIdBytes);
  grant.evidence_id = randomToken(kEvidenceIdBytes);
  grant.client_id = par.client_id;
  grant.subject = decision.subject;
  grant.scope = joinScope(granted);
  grant.authorization_details = par.authorization_details;
  grant.granted_at = now;
  grant.expires_at = now + cfg.grant_lifetime.count();
  grant.data_available_from = now - cfg.data_history.count();

  const std::string code = randomToken(kCodeBytes);
  approval.code_hash = crypto::sha256Hex(code);
  store::CodeRecord& rec = approval.code;
  rec.client_id = par.client_id;
  rec.redirect_uri = par.redirect_uri;
  rec.code_challenge = par.code_challenge;
  rec.scope = grant.scope;
  rec.nonce = par.nonce;
  rec.subject = decision.subject;
  rec.grant_id = grant.id;
  rec.auth_time = decision.auth_time;
  rec.created_at = now;
  rec.expires_at = now + cfg.code_lifetime.count();
  GG_TRY(ctx_.store->approve(approval));
  log::info("grant {} for client {} approved", grant.id, grant.client_id);

  // FAPI-CHECKLIST 37 (iss), 36 (state verbatim); RFC 9207.
  std::vector<std::pair<std::string, std::string>> params = {{"code", code}};
  if (!par.state.empty()) params.emplace_back("state", par.state);
  params.emplace_back("iss", cfg.issuer);
  return redirect.withQuery(params);
}

Result<std::string> Flow::deny(const PendingAuthorization& pending) {
  GG_TRY(RedirectUri redirect, RedirectUri::parse(pending.par.redirect_uri));
  GG_TRY(store::ParRecord par,
         ctx_.store->pars().consume(pending.request_uri_hash, ctx_.clock->unixSeconds()));
  log::info("authorization for client {} denied by the user", par.client_id);
  // FAPI-CHECKLIST 45.
  std::vector<std::pair<std::string, std::string>> params = {{"error", "access_denied"}};
  if (!par.state.empty()) params.emplace_back("state", par.state);
  params.emplace_back("iss", ctx_.config->issuer);
  return redirect.withQuery(params);
}

}  // namespace gridgate::authz
