// gridgate client: a FAPI 2.0 client on the command line (the seed's client.py, done right).
//
//   export AUTHENTICATION_API=https://localhost:8000 RESOURCE_API=https://localhost:8010
//   export GRIDGATE_CLIENT_CERT=client-demo-bundle.pem GRIDGATE_CLIENT_KEY=client-demo-key.pem
//   export GRIDGATE_CLIENT_CA=server-ca.pem GRIDGATE_SIGNING_CA=signing-ca.pem
//   gridgate client discover
//   gridgate client auth --request-file req.json       # prints the URL and the code verifier
//   gridgate client token --callback 'https://...cb?code=..&state=..&iss=..'
//       --request-file req.json --token-file tokens.json   (one command line)
//   gridgate client token --code CODE --verifier VERIFIER      # the seed's manual way
//   gridgate client refresh --token-file tokens.json           # a rotated token replaces the old
//   gridgate client introspect|revoke|permissions|userinfo|id-token --token-file tokens.json
//   gridgate client resource /datasources --token-file tokens.json
//   gridgate client flow --user alice --password-stdin --json < pw.txt
//
// Endpoints come only from discovery. client_id defaults to the certificate's SAN URI. Tokens are
// printed only by the commands whose purpose is to hand them out (token and refresh without
// --token-file, flow with --show-tokens or --trace); every other command reads them from
// --token/--refresh-token or --token-file and prints only what it was asked for.
// Exit codes: 0 done; 1 the servers refused or a check failed; 2 bad usage or configuration.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "client/fapi_client.h"
#include "client/flow.h"
#include "client/tokens.h"
#include "core/json.h"
#include "crypto/pkey.h"
#include "jose/jwk.h"

namespace gridgate::cli {
namespace {

using client::FapiClient;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

struct Common {
  std::string issuer = "https://localhost:8000";
  std::string resource_url = "https://localhost:8010";
  std::string cert;
  std::string key;
  std::string ca;
  std::string client_id;
  std::string redirect_uri = "https://127.0.0.1:8020/callback";
  std::string scope = std::string(client::kDefaultScope);
  std::string signing_ca;
  std::string auth_method = "tls_client_auth";
  std::string assertion_key;
  std::string token_file;
  int timeout_seconds = 20;
  bool json = false;
};

struct Args {
  Common common;
  std::string token;
  std::string refresh_token;
  std::string id_token;
  std::string nonce;
  std::string which;  // access|refresh
  std::string hint;
  std::string code;
  std::string verifier;
  std::string callback;
  std::string request_file;
  std::string path = "/datasources";
  std::string user;
  std::string password;
  bool password_stdin = false;
  bool deny = false;
  std::string resource_path;
  std::string from;
  std::string to;
  bool show_tokens = false;
  bool trace = false;
  bool full = false;
};

// One-line error on stderr; the exit code by kind (configuration vs. refusal).
int report(std::string_view command, const Error& e, int code = kExitFailed) {
  std::cerr << "gridgate client " << command << ": " << e.detail << "\n";
  return code;
}

int usage(std::string_view command, const std::string& what) {
  std::cerr << "gridgate client " << command << ": " << what << "\n";
  return kExitUsage;
}

void printJson(const Json& j) { std::cout << dumpJson(j, 2) << "\n"; }

Result<std::string> readText(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read the " + std::string(what) + " " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 1024 * 1024) return fail(Errc::kLimitExceeded, path + " is too large");
  return text;
}

Result<jose::Jwk> loadAssertionKey(const std::string& path) {
  GG_TRY(const std::string text, readText(path, "assertion key"));
  if (text.find('{') != std::string::npos && text.find("-----BEGIN") == std::string::npos) {
    return jose::Jwk::parseText(text, {.private_members = jose::PrivateMembers::kRequire});
  }
  GG_TRY(crypto::PKey key, crypto::PKey::fromPem(text));
  if (!key.hasPrivate()) return fail(Errc::kInvalidArgument, path + " holds no private key");
  return jose::Jwk::fromKey(std::move(key));
}

// Builds the client from the common options; configuration errors exit 2.
Result<std::unique_ptr<FapiClient>> makeClient(const Common& c) {
  client::ClientOptions o;
  o.issuer = c.issuer;
  o.client_id = c.client_id;
  o.cert_chain_file = c.cert;
  o.key_file = c.key;
  o.ca_file = c.ca;
  o.redirect_uri = c.redirect_uri;
  o.scope = c.scope;
  o.resource_base_url = c.resource_url;
  o.request_timeout = std::chrono::seconds(c.timeout_seconds);
  if (c.cert.empty() || c.key.empty()) {
    return fail(Errc::kInvalidArgument,
                "a client certificate and key are needed: --cert/--key or GRIDGATE_CLIENT_CERT/"
                "GRIDGATE_CLIENT_KEY");
  }
  if (c.auth_method == "private_key_jwt") {
    if (c.assertion_key.empty()) {
      return fail(Errc::kInvalidArgument, "private_key_jwt needs --assertion-key");
    }
    GG_TRY(o.assertion_key, loadAssertionKey(c.assertion_key));
    o.auth = client::AuthMethod::kPrivateKeyJwt;
  } else if (c.auth_method != "tls_client_auth") {
    return fail(Errc::kInvalidArgument, "--auth is tls_client_auth or private_key_jwt");
  }
  if (!c.signing_ca.empty()) {
    GG_TRY(o.signing_ca_pem, readText(c.signing_ca, "signing CA"));
  }
  return FapiClient::create(std::move(o));
}

// The token a command acts on: the flag, else the token file's (access or refresh).
Result<std::string> tokenFrom(const std::string& flag, const Common& c, bool refresh) {
  if (!flag.empty()) return flag;
  if (c.token_file.empty()) {
    return fail(Errc::kInvalidArgument, std::string("no token: give --") +
                                            (refresh ? "refresh-token" : "token") +
                                            " or --token-file (GRIDGATE_TOKEN_FILE)");
  }
  GG_TRY(const client::StoredTokens s, client::loadTokenFile(c.token_file));
  const std::string& t = refresh ? s.refresh_token : s.access_token;
  if (t.empty()) {
    return fail(Errc::kNotFound,
                c.token_file + " holds no " + (refresh ? "refresh" : "access") + " token");
  }
  return t;
}

Json tokenSummary(const client::TokenResponse& t, bool rotated) {
  Json j = {{"token_type", t.token_type},
            {"scope", t.scope},
            {"refresh_token", t.refresh_token.empty() ? "none" : (rotated ? "rotated" : "issued")},
            {"id_token", !t.id_token.empty()}};
  if (t.expires_in) j["expires_in"] = *t.expires_in;
  if (auto d = client::decodeJwtUnverified(t.access_token)) {
    j["access_token_claims"] = d->claims;
  }
  return j;
}

void printSummary(const Json& summary, const std::string& file) {
  std::cout << "tokens saved to " << file << "\n";
  for (const auto& [k, v] : summary.items()) {
    if (k == "access_token_claims") continue;
    std::cout << "  " << k << ": " << (v.is_string() ? v.get<std::string>() : dumpJson(v)) << "\n";
  }
}

int runDiscover(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("discover", c.error(), kExitUsage);
  auto md = (*c)->discover();
  if (!md) return report("discover", md.error());
  if (a.common.json || a.full) {
    printJson(md->json());
    return 0;
  }
  std::cout << "issuer: " << md->issuer() << "\n"
            << "mtls_endpoint_aliases: " << (md->hasMtlsAliases() ? "yes" : "no") << "\n";
  for (const client::Endpoint e :
       {client::Endpoint::kAuthorization, client::Endpoint::kPar, client::Endpoint::kToken,
        client::Endpoint::kIntrospection, client::Endpoint::kRevocation,
        client::Endpoint::kUserinfo, client::Endpoint::kPermission, client::Endpoint::kJwks}) {
    const std::string& url = md->endpoint(e);
    std::cout << client::endpointMember(e) << ": " << (url.empty() ? "(none)" : url)
              << (md->usesAlias(e) ? "  (mTLS alias)" : "") << "\n";
  }
  return 0;
}

int runAuth(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("auth", c.error(), kExitUsage);
  auto req = (*c)->pushAuthorizationRequest();
  if (!req) return report("auth", req.error());
  if (!a.request_file.empty()) {
    if (auto st = client::writeFileAtomically(a.request_file, dumpJson(req->toJson(), 2) + "\n");
        !st) {
      return report("auth", st.error());
    }
  }
  if (a.common.json) {
    Json j = req->toJson();
    j.erase("par_response");
    printJson(j);
    return 0;
  }
  std::cout << "Code verifier: " << req->pkce.verifier << "\n"
            << "State: " << req->state << "\n"
            << "Nonce: " << req->nonce << "\n"
            << "Request URI expires in: " << req->expires_in << " s\n";
  if (!a.request_file.empty()) std::cout << "Pending request saved to " << a.request_file << "\n";
  std::cout << req->authorization_url << "\n";
  return 0;
}

int runToken(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("token", c.error(), kExitUsage);
  Result<client::TokenResponse> t = fail(Errc::kInternal);
  std::string nonce;
  if (!a.callback.empty()) {
    if (a.request_file.empty()) {
      return usage("token", "--callback needs the --request-file written by `auth`");
    }
    auto text = readText(a.request_file, "request file");
    if (!text) return report("token", text.error(), kExitUsage);
    auto j = parseJsonObject(*text);
    if (!j) return usage("token", a.request_file + " is not a request file");
    auto req = client::AuthorizationRequest::fromJson(*j);
    if (!req) return report("token", req.error(), kExitUsage);
    auto cb = (*c)->checkCallback(a.callback, *req);
    if (!cb) return report("token", cb.error());
    if (!cb->ok()) {
      return report(
          "token", Error{Errc::kForbidden,
                         "the authorization server answered " + cb->error +
                             (cb->error_description.empty() ? std::string()
                                                            : " (" + cb->error_description + ")")});
    }
    t = (*c)->exchangeCode(cb->code, *req);
    nonce = req->nonce;
  } else {
    if (a.code.empty() || a.verifier.empty()) {
      return usage("token", "give --code and --verifier, or --callback and --request-file");
    }
    t = (*c)->exchangeCode(a.code, a.verifier, a.common.redirect_uri);
  }
  if (!t) return report("token", t.error());
  if (!a.common.token_file.empty()) {
    client::StoredTokens s = client::StoredTokens::fromResponse(a.common.issuer, (*c)->clientId(),
                                                                *t, (*c)->clock().unixSeconds());
    s.nonce = nonce;
    if (auto st = client::saveTokenFile(a.common.token_file, s); !st) {
      return report("token", st.error());
    }
    const Json summary = tokenSummary(*t, false);
    if (a.common.json) {
      printJson(summary);
    } else {
      printSummary(summary, a.common.token_file);
    }
    return 0;
  }
  printJson(t->json);  // the command's purpose: hand out the tokens
  return 0;
}

int runRefresh(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("refresh", c.error(), kExitUsage);
  if (!a.refresh_token.empty() || a.common.token_file.empty()) {
    auto rt = tokenFrom(a.refresh_token, a.common, true);
    if (!rt) return report("refresh", rt.error(), kExitUsage);
    auto t = (*c)->refresh(*rt, a.common.scope == client::kDefaultScope ? "" : a.common.scope);
    if (!t) return report("refresh", t.error());
    printJson(t->json);
    return 0;
  }
  // Token file: refresh and store under the file's lock, so that a rotated refresh token is never
  // lost to a concurrent refresh (FAPI-CHECKLIST 93).
  std::optional<client::TokenResponse> got;
  auto saved = client::updateTokenFile(a.common.token_file, [&](client::StoredTokens& s) -> Status {
    if (s.refresh_token.empty()) {
      return fail(Errc::kNotFound, a.common.token_file + " holds no refresh token");
    }
    GG_TRY(client::TokenResponse t,
           (*c)->refresh(s.refresh_token,
                         a.common.scope == client::kDefaultScope ? "" : a.common.scope));
    s.apply(t, (*c)->clock().unixSeconds());
    got = std::move(t);
    return ok();
  });
  if (!saved) return report("refresh", saved.error());
  const Json summary = tokenSummary(*got, !got->refresh_token.empty());
  if (a.common.json) {
    printJson(summary);
  } else {
    printSummary(summary, a.common.token_file);
  }
  return 0;
}

int runIntrospect(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("introspect", c.error(), kExitUsage);
  auto token = tokenFrom(a.token, a.common, a.which == "refresh");
  if (!token) return report("introspect", token.error(), kExitUsage);
  auto r = (*c)->introspect(*token, a.hint.empty() && a.token.empty()
                                        ? (a.which == "refresh" ? "refresh_token" : "access_token")
                                        : a.hint);
  if (!r) return report("introspect", r.error());
  printJson(*r);
  return 0;
}

int runRevoke(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("revoke", c.error(), kExitUsage);
  // Default: the refresh token, which ends the whole grant (and its access tokens).
  const bool refresh = a.which != "access";
  auto token = tokenFrom(a.token, a.common, refresh);
  if (!token) return report("revoke", token.error(), kExitUsage);
  const std::string hint =
      !a.hint.empty() ? a.hint
                      : (a.token.empty() ? (refresh ? "refresh_token" : "access_token") : "");
  if (auto st = (*c)->revoke(*token, hint); !st) return report("revoke", st.error());
  if (a.common.json) {
    printJson({{"revoked", true}, {"token_type_hint", hint}});
  } else {
    std::cout << "revoked" << (hint.empty() ? "" : " (" + hint + ")") << "\n";
  }
  return 0;
}

int runPermissions(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("permissions", c.error(), kExitUsage);
  auto rt = tokenFrom(a.refresh_token.empty() ? a.token : a.refresh_token, a.common, true);
  if (!rt) return report("permissions", rt.error(), kExitUsage);
  auto r = (*c)->permissions(*rt);
  if (!r) return report("permissions", r.error());
  printJson(*r);
  return 0;
}

int runUserinfo(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("userinfo", c.error(), kExitUsage);
  auto at = tokenFrom(a.token, a.common, false);
  if (!at) return report("userinfo", at.error(), kExitUsage);
  auto r = (*c)->userinfo(*at);
  if (!r) return report("userinfo", r.error());
  printJson(*r);
  return 0;
}

int runIdToken(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("id-token", c.error(), kExitUsage);
  std::string id_token = a.id_token;
  std::string nonce = a.nonce;
  if (id_token.empty()) {
    if (a.common.token_file.empty()) {
      return usage("id-token", "give --id-token or --token-file (GRIDGATE_TOKEN_FILE)");
    }
    auto s = client::loadTokenFile(a.common.token_file);
    if (!s) return report("id-token", s.error(), kExitUsage);
    if (s->id_token.empty()) return usage("id-token", a.common.token_file + " holds no ID token");
    id_token = s->id_token;
    if (nonce.empty()) nonce = s->nonce;
  }
  auto v = (*c)->verifyIdToken(id_token, nonce);
  if (!v) return report("id-token", v.error());
  const Json out = {{"verified", true},
                    {"nonce_checked", !nonce.empty()},
                    {"header", v->header},
                    {"claims", v->claims}};
  if (a.common.json) {
    printJson(out);
  } else {
    std::cout << "ID token verified (signature, iss, aud, exp" << (nonce.empty() ? "" : ", nonce")
              << ")\n"
              << dumpJson(out["header"], 2) << "\n"
              << dumpJson(out["claims"], 2) << "\n";
  }
  return 0;
}

int runResource(const Args& a) {
  auto c = makeClient(a.common);
  if (!c) return report("resource", c.error(), kExitUsage);
  auto at = tokenFrom(a.token, a.common, false);
  if (!at) return report("resource", at.error(), kExitUsage);
  auto res = (*c)->getResource(a.path, *at);
  if (!res) return report("resource", res.error());
  Json out = {{"url", res->url}, {"status", res->status}, {"interaction_id", res->interaction_id}};
  if (res->json) {
    out["body"] = *res->json;
  } else {
    out["body"] = res->body;
  }
  const bool has_record = res->json && jsonMember(*res->json, "provenance") != nullptr;
  if (has_record) {
    if (a.common.signing_ca.empty()) {
      std::cerr << "gridgate client resource: provenance NOT verified (give --signing-ca or "
                   "GRIDGATE_SIGNING_CA)\n";
      out["provenance_verified"] = false;
    } else {
      auto p = (*c)->verifyProvenance(res->body, {.interaction_id = res->interaction_id});
      if (!p) return report("resource", p.error());
      out["provenance_verified"] = true;
      out["provenance"] = p->summary;
    }
  }
  if (a.common.json) {
    printJson(out);
  } else {
    if (has_record && out["provenance_verified"] == true) {
      const Json& signer = out["provenance"]["signers"][0];
      std::cerr << "provenance verified: signed by " << signer.value("organisation", "?") << " ("
                << signer.value("application", "?") << ")\n";
    }
    printJson(out["body"]);
  }
  return 0;
}

int runFlow(const Args& a) {
  std::string password = a.password;
  if (a.password_stdin) {
    if (!std::getline(std::cin, password)) return usage("flow", "no password on stdin");
    if (!password.empty() && password.back() == '\r') password.pop_back();
  }
  if (a.user.empty() || password.empty()) {
    return usage("flow", "give --user and --password (or --password-stdin)");
  }
  auto c = makeClient(a.common);
  if (!c) return report("flow", c.error(), kExitUsage);
  client::FlowOptions o;
  o.username = a.user;
  o.password = password;
  o.consent = a.deny ? client::Consent::kDeny : client::Consent::kAllow;
  o.resource_path = a.resource_path;
  o.from = a.from;
  o.to = a.to;
  const client::FlowResult r = client::runFlow(**c, o);
  if (!a.common.token_file.empty() && r.tokens) {
    client::StoredTokens s = client::StoredTokens::fromResponse(
        a.common.issuer, (*c)->clientId(), *r.tokens, (*c)->clock().unixSeconds());
    if (r.request) s.nonce = r.request->nonce;
    if (auto st = client::saveTokenFile(a.common.token_file, s); !st) {
      return report("flow", st.error());
    }
  }
  if (a.common.json) {
    printJson(r.toJson({.secrets = a.show_tokens || a.trace, .exchanges = a.trace}));
  } else {
    for (const client::FlowStep& s : r.steps) {
      std::cout << (s.status == client::StepStatus::kOk       ? "  ok      "
                    : s.status == client::StepStatus::kFailed ? "  FAILED  "
                                                              : "  skipped ")
                << s.name;
      if (!s.detail.empty()) std::cout << ": " << s.detail;
      std::cout << "\n";
    }
    if (a.show_tokens && r.tokens) printJson(r.tokens->json);
    if (!a.common.token_file.empty() && r.tokens) {
      std::cout << "tokens saved to " << a.common.token_file << "\n";
    }
  }
  if (!r.ok) {
    if (!a.common.json) std::cerr << "gridgate client flow: " << r.error << "\n";
    return kExitFailed;
  }
  return 0;
}

void addCommon(CLI::App* sub, Common& c) {
  sub->add_option("--issuer", c.issuer, "the authorization server's issuer URL")
      ->envname("AUTHENTICATION_API")
      ->capture_default_str();
  sub->add_option("--resource-url", c.resource_url, "the resource server's base URL")
      ->envname("RESOURCE_API")
      ->capture_default_str();
  sub->add_option("--cert", c.cert, "client certificate chain (PEM, leaf first)")
      ->envname("GRIDGATE_CLIENT_CERT");
  sub->add_option("--key", c.key, "client private key (PEM)")->envname("GRIDGATE_CLIENT_KEY");
  sub->add_option("--ca", c.ca, "CA bundle for the servers' TLS (default: system store)")
      ->envname("GRIDGATE_CLIENT_CA");
  sub->add_option("--client-id", c.client_id, "default: the certificate's SAN URI")
      ->envname("GRIDGATE_CLIENT_ID");
  sub->add_option("--redirect-uri", c.redirect_uri, "the redirect URI pushed with PAR")
      ->envname("GRIDGATE_REDIRECT_URI")
      ->capture_default_str();
  sub->add_option("--scope", c.scope, "scope (licence URL offline_access openid)")
      ->envname("GRIDGATE_SCOPE");
  sub->add_option("--signing-ca", c.signing_ca, "signing CA root (PEM) to verify provenance")
      ->envname("GRIDGATE_SIGNING_CA");
  sub->add_option("--auth", c.auth_method, "tls_client_auth (default) or private_key_jwt")
      ->envname("GRIDGATE_CLIENT_AUTH");
  sub->add_option("--assertion-key", c.assertion_key,
                  "private_key_jwt signing key (private JWK JSON or PEM)")
      ->envname("GRIDGATE_CLIENT_ASSERTION_KEY");
  sub->add_option("--token-file", c.token_file,
                  "where tokens are kept between commands (written 0600, atomically)")
      ->envname("GRIDGATE_TOKEN_FILE");
  sub->add_option("--timeout", c.timeout_seconds, "request timeout in seconds")
      ->capture_default_str();
  sub->add_flag("--json", c.json, "JSON output");
}

const Registration kClient("client", [](CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cl = app.add_subcommand("client", "FAPI 2.0 client: discovery, PAR, tokens, data");
  cl->require_subcommand(1);
  const auto sub = [&](const char* name, const char* help, int (*run)(const Args&)) {
    CLI::App* s = cl->add_subcommand(name, help);
    addCommon(s, args->common);
    s->callback([args, run] { setExitCode(run(*args)); });
    return s;
  };

  CLI::App* discover =
      sub("discover", "fetch and check the authorization server's metadata", runDiscover);
  discover->add_flag("--full", args->full, "print the whole metadata document");

  CLI::App* auth =
      sub("auth", "PAR with PKCE: print the authorization URL and the code verifier", runAuth);
  auth->add_option("--request-file", args->request_file,
                   "save the pending request (verifier, state, nonce) for `token --callback`");

  CLI::App* token = sub("token", "exchange an authorization code for tokens", runToken);
  token->add_option("--code", args->code, "the authorization code");
  token->add_option("--verifier", args->verifier, "the PKCE code verifier printed by `auth`");
  token->add_option("--callback", args->callback,
                    "the whole redirect URL (iss and state are checked)");
  token->add_option("--request-file", args->request_file, "written by `auth --request-file`");

  CLI::App* refresh = sub("refresh", "refresh the access token", runRefresh);
  refresh->add_option("--refresh-token", args->refresh_token, "default: from --token-file");

  CLI::App* introspect = sub("introspect", "introspect a token (RFC 7662)", runIntrospect);
  introspect->add_option("--token", args->token, "default: from --token-file");
  introspect->add_option("--which", args->which, "access (default) or refresh, from the file");
  introspect->add_option("--hint", args->hint, "token_type_hint");

  CLI::App* revoke =
      sub("revoke", "revoke a token (RFC 7009); default the refresh token", runRevoke);
  revoke->add_option("--token", args->token, "default: from --token-file");
  revoke->add_option("--which", args->which, "refresh (default) or access, from the file");
  revoke->add_option("--hint", args->hint, "token_type_hint");

  CLI::App* permissions =
      sub("permissions", "the permission record of a refresh token", runPermissions);
  permissions->add_option("--refresh-token,--token", args->refresh_token,
                          "default: from --token-file");

  CLI::App* userinfo = sub("userinfo", "the userinfo endpoint", runUserinfo);
  userinfo->add_option("--token", args->token, "access token; default: from --token-file");

  CLI::App* id_token = sub("id-token", "decode and verify an ID token", runIdToken);
  id_token->add_option("--id-token", args->id_token, "default: from --token-file");
  id_token->add_option("--nonce", args->nonce, "the request's nonce; default: from --token-file");

  CLI::App* resource = sub("resource", "GET a resource (default /datasources)", runResource);
  resource->add_option("path", args->path, "path under RESOURCE_API, or a full https URL")
      ->capture_default_str();
  resource->add_option("--token", args->token, "access token; default: from --token-file");

  CLI::App* flow =
      sub("flow", "the whole flow, non-interactively, with a user's credentials", runFlow);
  flow->add_option("--user,-u", args->user, "user name at the authorization server");
  flow->add_option("--password", args->password, "password (visible to ps: prefer stdin)");
  flow->add_flag("--password-stdin", args->password_stdin, "read the password from stdin");
  flow->add_flag("--deny", args->deny, "press Deny on the consent page");
  flow->add_option("--resource-path", args->resource_path,
                   "fetch this instead of the first meter's readings");
  flow->add_option("--from", args->from, "readings from YYYY-MM-DD (default: 7 days ago)");
  flow->add_option("--to", args->to, "readings to YYYY-MM-DD (default: yesterday)");
  flow->add_flag("--show-tokens", args->show_tokens, "also print the tokens");
  flow->add_flag("--trace", args->trace,
                 "with --json: every HTTP exchange of every step (contains tokens)");
});

}  // namespace
}  // namespace gridgate::cli
