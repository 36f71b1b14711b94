// A running resource server for integration tests: the service built from a ResourceConfig made in
// code (signing identity, token validation and TLS from the validator's test PKI), on three
// listeners - "mtls" (client certificate required, CRL checked), "optional" (certificate
// optional: the validator must refuse) and "proxied" (plain HTTP behind a trusted proxy on
// 127.0.0.1, the forwarded certificate chained to the client CA) - and mTLS clients per leaf.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "net/client.h"
#include "net/server.h"
#include "resource/serve.h"
#include "resource/service.h"
#include "support.h"
#include "x509/certificate.h"

// The validator's test support: PKI, TestIssuer.
#include "../validator/support.h"

namespace gridgate::resource::test {

inline constexpr std::string_view kPostcodesScope = "https://example.org/licence/postcodes";

class ResourceEnv {
 public:
  using Tweak = std::function<void(ResourceConfig&)>;
  ResourceEnv(const validator::testing::TestIssuer& issuer, const Clock& clock,
              validator::TokenMode mode, const Tweak& tweak = {},
              std::optional<store::RedisOptions> revocation_bus = std::nullopt);
  ~ResourceEnv();

  // A token from `issuer` bound to `leaf`'s certificate, client_id its application URL.
  std::string tokenFor(const std::string& leaf, const Json& claims = Json::object()) const;
  x509::Certificate cert(const std::string& leaf) const;

  // GET (or `method`) https://127.0.0.1:<listener port><target> with `leaf`'s certificate ("" for
  // none) and the token as Bearer ("" for none).
  Result<net::ClientResponse> send(
      const std::string& leaf, const std::string& target, const std::string& token,
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      const std::string& listener = "mtls", net::Method method = net::Method::kGet);
  // The same to any port on 127.0.0.1 (nginx in front of the "proxied" listener).
  Result<net::ClientResponse> sendToPort(
      std::uint16_t port, const std::string& leaf, const std::string& target,
      const std::string& token,
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      net::Method method = net::Method::kGet);
  // send(), failing the test (and returning status 0) when the request does not complete.
  net::ClientResponse get(const std::string& leaf, const std::string& target,
                          const std::string& token,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          const std::string& listener = "mtls");

  std::uint16_t port(const std::string& listener) const { return server->port(listener); }

  const validator::testing::TestIssuer& issuer;
  TempDir dir;
  std::string postcodes;  // content of the dataset file
  std::shared_ptr<const ResourceConfig> config;
  std::shared_ptr<net::BlockingPool> pool;
  std::unique_ptr<ResourceServe> serve;  // as `gridgate serve` builds it
  const ResourceService* service = nullptr;
  std::unique_ptr<net::Server> server;

 private:
  struct Identity {
    std::string bundle, key;
    std::optional<x509::Certificate> cert;
  };
  net::HttpClient& client(const std::string& leaf);
  std::map<std::string, Identity> identities_;
  std::map<std::string, std::unique_ptr<net::HttpClient>> clients_;
};

}  // namespace gridgate::resource::test
