// Test support for the validator: a PKI made with the pki module (pki::init into a temp dir),
// and a test issuer - gridgate's own net::Server serving discovery, JWKS, introspection over mTLS
// and userinfo, signing JWT access tokens with jose::Signer - whose calls are counted.
//
//   const TestPki& pki = testPki();
//   TestIssuer as(clock);                                      // https://127.0.0.1:<port>
//   std::string token = as.jwt({{"scope", kLicence}}, pki.cert("demo"));
//   std::string opaque = as.opaque({{"scope", kLicence}}, pki.cert("demo"));
//   auto v = makeValidator(as, TokenMode::kJwt, clock);
//   as.introspectionCalls();
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/files.h"
#include "core/clock.h"
#include "core/json.h"
#include "jose/jws.h"
#include "net/server.h"
#include "pki/pki.h"
#include "validator/http/net_fetcher.h"
#include "validator/validator.h"
#include "x509/certificate.h"

namespace gridgate::validator::testing {

inline constexpr std::string_view kAudience = "https://api.provider.example";
inline constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";

// A temp dir named gridgate-validator-XXXXXX (tests/common/files.h).
struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("gridgate-validator") {}
};

struct Leaf {
  std::string cert{}, key{}, bundle{};  // file paths
  std::string application{};            // the SAN URI (client_id)
};

// Made once per test binary (pki::init, then extra leaves and a second, unrelated framework).
struct TestPki {
  std::filesystem::path dir;
  pki::Layout layout;
  pki::Identities ids;
  std::string server_ca;  // root of the server hierarchy (what clients trust)
  std::string server_bundle, server_key;
  std::string client_verify_bundle;  // client issuer + root
  std::string client_crl;            // issuer + root CRLs, `revoked` listed
  // Client leaves: demo (carbon-accounting-provider), other (same role, another member),
  // provider (energy-data-provider only: the data provider's own credentials), revoked (listed
  // in client_crl), rogue (from an unrelated trust framework).
  std::map<std::string, Leaf> leaves;

  x509::Certificate cert(const std::string& leaf) const;
  std::vector<x509::Certificate> bundle(const std::string& leaf) const;
};
const TestPki& testPki();

using test_support::readText;

struct TestIssuerOptions {
  bool rfc8414 = true;            // serve /.well-known/oauth-authorization-server
  std::string metadata_issuer{};  // non-empty: the metadata names this issuer instead
  bool advertise_introspection = true;
  bool advertise_userinfo = true;
  std::string client_id = "";            // the provider's client_id (introspection over mTLS)
  std::string client_secret = "s3cret";  // for client_secret_basic on the public listener
};

class TestIssuer {
 public:
  explicit TestIssuer(const Clock& clock, TestIssuerOptions options = {});
  ~TestIssuer();

  const std::string& issuer() const { return issuer_; }
  std::uint16_t publicPort() const;
  std::uint16_t mtlsPort() const;

  // A JWT access token (typ at+jwt, ES256, current key) with iss, aud, sub, client_id, iat, exp
  // (+600 s), jti, scope = kLicence, grant_id, and cnf.x5t#S256 of `bound_to` when given; `claims`
  // are merged over these (a null value removes the claim).
  std::string jwt(const Json& claims = Json::object(),
                  const std::optional<x509::Certificate>& bound_to = std::nullopt,
                  const Json& header = Json{{"typ", "at+jwt"}}) const;
  // The same claims, signed by `signer` instead.
  std::string jwtSignedBy(const jose::Signer& signer, const Json& claims,
                          const std::optional<x509::Certificate>& bound_to,
                          const Json& header = Json{{"typ", "at+jwt"}}) const;
  Json defaultClaims(const std::optional<x509::Certificate>& bound_to) const;

  // An opaque token whose introspection answer is {"active": true} + defaults + `answer`.
  std::string opaque(const Json& answer = Json::object(),
                     const std::optional<x509::Certificate>& bound_to = std::nullopt);
  // An opaque token only the userinfo endpoint knows (answers `claims`).
  std::string userinfoToken(const Json& claims);
  void deactivate(const std::string& token);

  // A new signing key (new kid) used from now on; the old one stays published if `keep_old`.
  void rotateKey(bool keep_old);
  // Everything answers 503 while down.
  void setDown(bool down) { down_ = down; }
  // Stops the server (connections refused from now on).
  void stop();
  // Introspection calls block until open() (to hold concurrent checks in single-flight).
  void holdIntrospection();
  void open();

  int discoveryCalls() const { return discovery_calls_; }
  int jwksCalls() const { return jwks_calls_; }
  int introspectionCalls() const { return introspection_calls_; }
  int userinfoCalls() const { return userinfo_calls_; }
  // The last introspection request's client authentication: "mtls:<SAN URI>" or "basic:<id>".
  std::string lastIntrospectionAuth() const;

 private:
  net::Response metadata(bool oidc);
  net::Response introspect(const net::Request& req, bool mtls);
  net::Response userinfo(const net::Request& req);

  const Clock& clock_;
  TestIssuerOptions options_;
  std::unique_ptr<net::Server> server_;
  std::string issuer_;
  std::string mtls_base_;

  mutable std::mutex mu_;
  std::vector<jose::Signer> published_;  // JWKS content; back() signs
  std::map<std::string, Json> opaque_;   // token -> answer
  std::map<std::string, Json> userinfo_;
  std::string last_auth_;
  bool hold_ = false;
  std::condition_variable hold_cv_;

  std::atomic<bool> down_{false};
  std::atomic<int> discovery_calls_{0}, jwks_calls_{0}, introspection_calls_{0}, userinfo_calls_{0};
};

// A validator for `issuer` in `mode` with the provider's credentials and a NetFetcher, FakeClock
// `clock`. `tweak` may edit the config before it is built.
std::shared_ptr<Validator> makeValidator(const TestIssuer& issuer, TokenMode mode,
                                         const Clock& clock,
                                         const std::function<void(ValidatorConfig&)>& tweak = {},
                                         std::shared_ptr<MetricsSink> metrics = nullptr);
ValidatorConfig baseConfig(const TestIssuer& issuer, TokenMode mode);

// A RequestView over owned strings and certificate.
struct TestRequest {
  std::vector<std::string> authorization;
  std::vector<std::string_view> views;
  std::optional<x509::Certificate> cert;
  std::vector<x509::Certificate> chain;
  bool token_in_query = false;
  bool token_in_body = false;

  static TestRequest bearer(const std::string& token, std::optional<x509::Certificate> cert);
  RequestView view();
};

}  // namespace gridgate::validator::testing
