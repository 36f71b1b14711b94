// gridgate token decode|check: look at an access token from the command line (FLAAT's
// flaat-userinfo, with gridgate's validator doing the checking).
//
//   gridgate token decode "$TOKEN"                    # header and claims, NOT verified
//   gridgate token check                              # token from $ACCESS_TOKEN or $OIDC
//   gridgate token check "$TOKEN" --audience https://api.example --scope "$LICENCE"
//   gridgate token check "$TOKEN" --cert client.pem --ca server-ca.pem --json
//   gridgate token check "$OPAQUE" --issuer https://as.example --client-id ID
//       --client-cert provider-bundle.pem --client-key provider-key.pem   # (one line)
//       introspection
//
// check verifies with the issuer's JWKS (JWTs), its introspection endpoint (when client
// credentials are given) and/or its userinfo endpoint (opaque tokens otherwise, or --userinfo),
// found by discovery from --issuer or the token's own iss. It prints the claims and how long the
// token stays valid ("valid for 4m 12s") or since when it is not ("EXPIRED 3m ago").
// Exit codes: 0 valid, 1 no token, 2 invalid, 3 error (issuer unreachable, bad options).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/base64.h"
#include "core/clock.h"
#include "core/json.h"
#include "validator/http/net_fetcher.h"
#include "validator/validator.h"
#include "x509/certificate.h"

namespace gridgate::cli {
namespace {

constexpr int kValid = 0;
constexpr int kNoToken = 1;
constexpr int kInvalid = 2;
constexpr int kError = 3;

struct TokenOptions {
  std::string token;
  bool json = false;
  // check
  std::string issuer;
  std::vector<std::string> audiences;
  std::string mode = "auto";
  std::string ca_file;
  std::string client_id;
  std::string client_secret;
  std::string client_cert;
  std::string client_key;
  bool userinfo = false;
  std::string cert;
  std::vector<std::string> scopes;
  int leeway = 0;
  bool any_typ = false;
};

// The token from the argument, else $ACCESS_TOKEN, else $OIDC (FLAAT's variables).
std::optional<std::string> tokenFrom(const TokenOptions& o) {
  if (!o.token.empty()) return o.token;
  for (const char* var : {"ACCESS_TOKEN", "OIDC"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return std::string(v);
  }
  return std::nullopt;
}

// A JWS split and decoded without any check: for display only.
struct Unverified {
  Json header;
  Json claims;
};

std::optional<Unverified> decodeUnverified(std::string_view token) {
  const std::size_t d1 = token.find('.');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto header = base64urlDecode(token.substr(0, d1));
  auto payload = base64urlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  if (!header || !payload) return std::nullopt;
  auto h = parseJsonObject(asChars(*header), JsonLimits{.max_bytes = 64 * 1024});
  auto c = parseJsonObject(asChars(*payload), JsonLimits{.max_bytes = 64 * 1024});
  if (!h || !c) return std::nullopt;
  return Unverified{std::move(*h), std::move(*c)};
}

// "45s", "4m 12s", "2h 5m", "3d 4h".
std::string humanDuration(std::int64_t seconds) {
  if (seconds < 0) seconds = -seconds;
  const std::int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
                     s = seconds % 60;
  if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
  if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
  if (m > 0) return std::to_string(m) + "m " + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

std::string lifetimeText(std::optional<std::int64_t> exp, std::int64_t now) {
  if (!exp) return "no expiry (exp absent)";
  if (*exp > now) return "valid for " + humanDuration(*exp - now);
  return "EXPIRED " + humanDuration(now - *exp) + " ago";
}

void printTimes(const Json& claims, std::int64_t now) {
  for (const char* name : {"iat", "nbf", "exp"}) {
    const auto v = jsonInt(claims, name);
    if (!v) continue;
    std::cout << "  " << name << "  " << formatUtc(*v) << "  ("
              << (*v <= now ? humanDuration(now - *v) + " ago" : "in " + humanDuration(*v - now))
              << ")\n";
  }
}

int runDecode(const TokenOptions& o) {
  const auto token = tokenFrom(o);
  if (!token) {
    std::cerr << "no token: give it as an argument or in $ACCESS_TOKEN / $OIDC\n";
    return kNoToken;
  }
  const auto jwt = decodeUnverified(*token);
  const std::int64_t now = SystemClock::instance().unixSeconds();
  if (!jwt) {
    if (o.json) {
      std::cout << dumpJson(Json{{"verified", false}, {"jwt", false}}, 2) << "\n";
    } else {
      std::cout << "not a JWT (an opaque token): only `gridgate token check` with introspection "
                   "or userinfo can tell what it is\n";
    }
    return kInvalid;
  }
  if (o.json) {
    std::cout << dumpJson(Json{{"verified", false},
                               {"jwt", true},
                               {"header", jwt->header},
                               {"claims", jwt->claims}},
                          2)
              << "\n";
    return kValid;
  }
  std::cout << "UNVERIFIED: decoded only; the signature, issuer and audience were NOT checked.\n"
            << "header:\n"
            << dumpJson(jwt->header, 2) << "\nclaims:\n"
            << dumpJson(jwt->claims, 2) << "\ntimes:\n";
  printTimes(jwt->claims, now);
  std::cout << "  " << lifetimeText(jsonInt(jwt->claims, "exp"), now) << " (by the claims alone)\n";
  return kValid;
}

int runCheck(const TokenOptions& o) {
  const auto token = tokenFrom(o);
  if (!token) {
    std::cerr << "no token: give it as an argument or in $ACCESS_TOKEN / $OIDC\n";
    return kNoToken;
  }
  const auto unverified = decodeUnverified(*token);
  std::string issuer = o.issuer;
  if (issuer.empty() && unverified) {
    if (const std::string* iss = jsonString(unverified->claims, "iss")) issuer = *iss;
  }
  if (issuer.empty()) {
    std::cerr << "no issuer: the token names none, pass --issuer\n";
    return kError;
  }

  validator::ValidatorConfig config;
  config.realm = "gridgate-token-check";
  config.cache.ttl_seconds = -1;
  validator::IssuerConfig& is = config.issuers.emplace_back();
  is.issuer = issuer;
  is.audiences = o.audiences;
  is.skip_audience_check = o.audiences.empty();
  is.leeway = Seconds(o.leeway);
  is.require_typ_at_jwt = !o.any_typ;
  is.require_binding = !o.cert.empty();
  is.tls.ca_file = o.ca_file;
  is.introspection.client_id = o.client_id;
  if (!o.client_secret.empty()) {
    is.introspection.method = validator::ClientAuth::kClientSecretBasic;
    is.introspection.client_secret = o.client_secret;
  } else {
    is.tls.cert_chain_file = o.client_cert;
    is.tls.key_file = o.client_key;
  }
  // FLAAT's behaviour: without client credentials, opaque tokens go to userinfo.
  is.userinfo_fallback = o.userinfo || o.client_id.empty();
  if (o.mode == "jwt") {
    is.mode = validator::TokenMode::kJwt;
  } else if (o.mode == "introspection") {
    is.mode = validator::TokenMode::kIntrospection;
  } else if (o.mode == "auto") {
    is.mode = validator::TokenMode::kAuto;
  } else {
    std::cerr << "--mode must be auto, jwt or introspection\n";
    return kError;
  }

  auto created = validator::Validator::create(
      std::move(config), {.fetcher = std::make_shared<validator::http::NetFetcher>()});
  if (!created) {
    std::cerr << "bad options: " << created.error().detail << "\n";
    return kError;
  }
  const auto& v = *created;

  std::optional<x509::Certificate> cert;
  if (!o.cert.empty()) {
    std::ifstream in(o.cert, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << o.cert << "\n";
      return kError;
    }
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto bundle = x509::parsePemBundle(pem);  // a bundle's first certificate is the leaf
    if (!bundle) {
      std::cerr << o.cert << ": " << bundle.error().detail << "\n";
      return kError;
    }
    cert = bundle->front();
  }

  // With --cert: the whole pipeline (certificate, binding, scopes). Without: the token alone
  // (a bound token's binding cannot be checked), then the scopes.
  validator::CheckResult r;
  if (cert) {
    validator::RouteRequirements route;
    if (!o.scopes.empty()) route.require(validator::Requirement::scopes(o.scopes));
    const std::string header = "Bearer " + *token;
    const std::string_view auth[] = {header};
    validator::RequestView view;
    view.authorization = auth;
    view.client_cert = &*cert;
    r = v->check(view, route);
  } else {
    r = v->validateToken(*token);
    for (const std::string& s : o.scopes) {
      if (r && !r->hasScope(s)) {
        r = tl::unexpected(validator::AuthError{
            validator::Reason::kInsufficientScope, "scope " + s + " not granted", {}});
      }
    }
  }

  const std::int64_t now = SystemClock::instance().unixSeconds();
  std::optional<std::int64_t> exp;
  if (r) {
    exp = r->expiresAt();
  } else if (unverified) {
    exp = jsonInt(unverified->claims, "exp");
  }
  const int code =
      r ? kValid : (r.error().reason == validator::Reason::kIssuerUnavailable ? kError : kInvalid);
  if (o.json) {
    Json out{{"valid", r.has_value()}, {"issuer", issuer}};
    if (exp) out["expires_in"] = *exp - now;
    if (r) {
      out["verified_by"] = std::string(validator::tokenSourceName(r->source()));
      out["claims"] = r->claims();
      out["binding_checked"] = cert.has_value();
    } else {
      out["reason"] = std::string(validator::reasonName(r.error().reason));
      out["detail"] = r.error().detail;
    }
    std::cout << dumpJson(out, 2) << "\n";
    return code;
  }
  if (!r) {
    const auto reason = r.error().reason;
    std::cout << (reason == validator::Reason::kExpired ? lifetimeText(exp, now)
                  : code == kError                      ? "ERROR"
                                                        : "INVALID")
              << ": " << validator::reasonName(reason) << " (" << r.error().detail << ")\n";
    return code;
  }
  std::cout << "VALID: verified by " << validator::tokenSourceName(r->source()) << " at "
            << r->issuer() << "\n";
  if (o.audiences.empty()) std::cout << "note: aud not checked (no --audience)\n";
  if (!cert) std::cout << "note: certificate binding not checked (no --cert)\n";
  std::cout << "claims:\n" << dumpJson(r->claims(), 2) << "\ntimes:\n";
  printTimes(r->claims(), now);
  std::cout << "  " << lifetimeText(exp, now) << "\n";
  return code;
}

const Registration kToken("token", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("token", "decode and check access tokens (FLAAT's checker)");
  cmd->require_subcommand(1);

  auto decode_opts = std::make_shared<TokenOptions>();
  auto* decode =
      cmd->add_subcommand("decode", "show a JWT's header and claims WITHOUT verifying anything");
  decode->add_option("token", decode_opts->token, "the token (default: $ACCESS_TOKEN or $OIDC)");
  decode->add_flag("--json", decode_opts->json, "JSON output");
  decode->callback([decode_opts] { setExitCode(runDecode(*decode_opts)); });

  auto o = std::make_shared<TokenOptions>();
  auto* check = cmd->add_subcommand(
      "check", "verify a token with its issuer (JWKS, introspection, userinfo); exit 0 if valid");
  check->add_option("token", o->token, "the token (default: $ACCESS_TOKEN or $OIDC)");
  check->add_option("--issuer", o->issuer, "issuer URL (default: the token's iss)");
  check->add_option("--audience", o->audiences, "expected aud (repeatable; default: not checked)");
  check->add_option("--mode", o->mode, "auto (default), jwt or introspection");
  check->add_option("--ca", o->ca_file, "PEM trust anchors for the issuer's TLS server");
  check->add_option("--client-id", o->client_id, "client_id for introspection");
  check->add_option("--client-secret", o->client_secret, "client_secret (client_secret_basic)");
  check->add_option("--client-cert", o->client_cert, "client certificate chain (mTLS)");
  check->add_option("--client-key", o->client_key, "client private key (mTLS)");
  check->add_flag("--userinfo", o->userinfo, "try the userinfo endpoint for opaque tokens");
  check->add_option("--cert", o->cert, "the presenting client's certificate: check cnf binding");
  check->add_option("--scope", o->scopes, "required scope (repeatable)");
  check->add_option("--leeway", o->leeway, "clock skew allowance, 0..60 s")
      ->check(CLI::Range(0, 60));
  check->add_flag("--any-typ", o->any_typ, "accept JWTs whose typ is not at+jwt");
  check->add_flag("--json", o->json, "JSON output");
  check->callback([o] { setExitCode(runCheck(*o)); });
});

}  // namespace
}  // namespace gridgate::cli
