#include "authz/client_auth.h"

#include <array>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "crypto/digest.h"
#include "jose/jwt.h"

namespace gridgate::authz {

namespace {

constexpr std::array kAssertionAlgs{jose::Alg::kPS256, jose::Alg::kES256, jose::Alg::kEdDSA};
constexpr std::int64_t kChainCacheSeconds = 300;
constexpr std::int64_t kChainFailureCacheSeconds = 30;
constexpr std::size_t kChainCacheMax = 10'000;
constexpr std::int64_t kMaxAssertionLifetime = 3600;

const std::string kEmpty;

Result<std::string> readText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

tl::unexpected<OAuthError> invalidClient(std::string log_detail) {
  return oauthFail(OAuthErrc::kInvalidClient, "Client authentication failed",
                   std::move(log_detail));
}

}  // namespace

const std::string& AuthenticatedClient::thumbprint() const {
  return certificate ? certificate->thumbprint() : kEmpty;
}

Result<std::shared_ptr<ClientAuthenticator>> ClientAuthenticator::create(
    std::shared_ptr<const AuthzConfig> config, std::shared_ptr<store::Store> store,
    const Clock& clock) {
  std::shared_ptr<ClientAuthenticator> auth(
      new ClientAuthenticator(std::move(config), std::move(store), clock));
  const AuthzConfig& cfg = *auth->config_;
  if (!cfg.client_ca.empty()) {
    GG_TRY(std::string anchors, readText(cfg.client_ca));
    std::string crls;
    if (!cfg.client_crl.empty()) {
      GG_TRY(crls, readText(cfg.client_crl));
      auth->check_crl_ = true;
    }
    GG_TRY(x509::TrustStore trust, x509::TrustStore::fromPem(anchors, crls));
    auth->client_trust_ = std::move(trust);
  }
  for (const ClientConfig& c : cfg.clients.all()) {
    if (c.auth_method != ClientAuthMethod::kPrivateKeyJwt || !c.jwks) continue;
    auto verifier = jose::Verifier::fromJwks(*c.jwks, kAssertionAlgs);
    if (!verifier) {
      return fail(Errc::kInvalidArgument,
                  "client " + c.client_id +
                      ": no PS256/ES256/EdDSA key in its jwks: " + verifier.error().detail);
    }
    auth->assertion_verifiers_.emplace(c.client_id, std::move(*verifier));
  }
  return auth;
}

OAuthResult<AuthenticatedClient> ClientAuthenticator::authenticate(const net::Request& request,
                                                                   const net::Form& form) {
  // FAPI-CHECKLIST 13: no shared secrets in any form.
  if (request.headers.contains("authorization")) {
    return invalidClient("Authorization header (client_secret_basic) refused");
  }
  if (form.has("client_secret")) return invalidClient("client_secret_post refused");

  const std::string* client_id = form.get("client_id");
  const std::string* assertion = form.get("client_assertion");
  const std::string* assertion_type = form.get("client_assertion_type");
  if ((assertion == nullptr) != (assertion_type == nullptr)) {
    return invalidClient("client_assertion and client_assertion_type go together");
  }

  std::string id;
  if (client_id != nullptr) {
    id = *client_id;
  } else if (assertion != nullptr) {
    // RFC 7521 4.2: client_id may be omitted; the assertion's iss names the client (verified
    // below: iss must equal the client_id whose keys verify it).
    auto jws = jose::Jws::parse(*assertion);
    if (!jws) return invalidClient("unparseable client_assertion: " + jws.error().detail);
    auto claims = jose::JwtClaims::parse(jws->payload());
    if (!claims || claims->iss().empty()) return invalidClient("client_assertion without iss");
    id = std::string(claims->iss());
  } else {
    return invalidClient("no client_id (FAPI-CHECKLIST 21)");
  }

  const ClientConfig* client = config_->clients.find(id);
  if (client == nullptr) return invalidClient("unknown client");
  if (!request.peer.client_cert) {
    return invalidClient("no client certificate: tokens could not be sender-constrained");
  }
  AuthenticatedClient who{client, client->auth_method, request.peer.client_cert};

  switch (client->auth_method) {
    case ClientAuthMethod::kTlsClientAuth:
      if (assertion != nullptr) return invalidClient("a second authentication method (assertion)");
      GG_TRY(checkTlsClientAuth(*client, *request.peer.client_cert));
      break;
    case ClientAuthMethod::kSelfSignedTlsClientAuth:
      if (assertion != nullptr) return invalidClient("a second authentication method (assertion)");
      GG_TRY(checkSelfSigned(*client, *request.peer.client_cert));
      break;
    case ClientAuthMethod::kPrivateKeyJwt:
      if (assertion == nullptr) return invalidClient("private_key_jwt client without assertion");
      if (*assertion_type != kJwtBearer) return invalidClient("unsupported client_assertion_type");
      GG_TRY(checkAssertion(*client, *assertion));
      break;
  }
  return who;
}

Status ClientAuthenticator::verifyChainCached(const net::ClientCertificate& cert) {
  const std::int64_t now = clock_.unixSeconds();
  const std::string& key = cert.thumbprint();
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = chain_cache_.find(key); it != chain_cache_.end() && now < it->second.until) {
      if (it->second.ok) return ok();
      return fail(it->second.error);
    }
  }
  if (!client_trust_) return fail(Errc::kUntrustedCertificate, "no client CA configured");
  std::vector<x509::Certificate> untrusted;
  for (std::size_t i = 1; i < cert.chain.size(); ++i) untrusted.push_back(cert.chain[i]);
  Status st = x509::verifyChain(
      cert.leaf, untrusted, *client_trust_,
      x509::VerifyOptions{
          .at_time = now, .check_crl = check_crl_, .purpose = x509::Purpose::kClientAuth});
  CachedChain entry;
  entry.ok = st.has_value();
  if (!st) entry.error = st.error();
  entry.until = st ? std::min(now + kChainCacheSeconds, cert.leaf.notAfter())
                   : now + kChainFailureCacheSeconds;
  {
    std::lock_guard lock(cache_mu_);
    if (chain_cache_.size() >= kChainCacheMax) chain_cache_.clear();
    chain_cache_[key] = std::move(entry);
  }
  return st;
}

OAuthResult<void> ClientAuthenticator::checkTlsClientAuth(const ClientConfig& client,
                                                          const net::ClientCertificate& cert) {
  if (auto st = verifyChainCached(cert); !st) {
    return invalidClient("certificate does not chain to the client CA: " + st.error().detail);
  }
  if (!client.subject_dn.empty()) {
    // FAPI-CHECKLIST 19: registered by subject DN (RFC 8705 tls_client_auth_subject_dn).
    if (cert.leaf.subjectDn() != client.subject_dn) {
      return invalidClient("certificate subject DN differs from the registered one");
    }
  } else {
    auto uri = cert.leaf.applicationUri();
    if (!uri || *uri != client.client_id) {
      return invalidClient("certificate SAN URI is not the client_id");
    }
  }
  if (!client.required_role.empty() && !cert.leaf.hasIb1Role(client.required_role)) {
    return invalidClient("certificate lacks the required IB1 role");
  }
  return {};
}

OAuthResult<void> ClientAuthenticator::checkSelfSigned(const ClientConfig& client,
                                                       const net::ClientCertificate& cert) {
  const std::int64_t now = clock_.unixSeconds();
  if (now < cert.leaf.notBefore() || now >= cert.leaf.notAfter()) {
    return invalidClient("self-signed certificate outside its validity");
  }
  if (!client.jwks) return invalidClient("client has no registered jwks");
  for (const jose::Jwk& key : client.jwks->keys()) {
    if (cert.leaf.matchesKey(key.key())) return {};
  }
  return invalidClient("certificate key is not in the client's registered jwks");
}

OAuthResult<void> ClientAuthenticator::checkAssertion(const ClientConfig& client,
                                                      std::string_view assertion) {
  auto vit = assertion_verifiers_.find(client.client_id);
  if (vit == assertion_verifiers_.end()) return invalidClient("client has no assertion keys");
  // FAPI-CHECKLIST 14-18: aud = issuer string, PS256/ES256/EdDSA, iss = sub = client_id, exp and
  // jti required, iat/nbf per the FAPI clock rule (up to 10 s ahead always, never over 60 s).
  auto verified =
      jose::verifyJwt(assertion, vit->second,
                      jose::ClaimRules::clientAssertion(client.client_id, config_->issuer), clock_);
  if (!verified) return invalidClient("client_assertion refused: " + verified.error().detail);
  const std::int64_t now = clock_.unixSeconds();
  const std::int64_t exp = *verified->claims.exp();
  if (exp > now + kMaxAssertionLifetime) {
    return invalidClient("client_assertion exp more than an hour ahead");
  }
  const std::string marker =
      "client_assertion:" +
      crypto::sha256Hex(client.client_id + "\n" + std::string(verified->claims.jti()));
  auto fresh = store_->replays().remember(marker, exp + 60);
  if (!fresh) {
    return failFrom(fresh.error(), OAuthErrc::kInvalidClient, "Client authentication failed");
  }
  if (!*fresh) return invalidClient("client_assertion jti replayed (FAPI-CHECKLIST 17)");
  return {};
}

}  // namespace gridgate::authz
