// validator::Fetcher over net::HttpClient: how the validator reaches issuers from a gridgate
// server (discovery, JWKS, introspection with mTLS client authentication, userinfo).
//
//   auto fetcher = std::make_shared<validator::http::NetFetcher>();
//   GG_TRY(auto v, validator::Validator::create(config, {.fetcher = fetcher}));
//
// One pooled HttpClient per distinct OutboundTls (trust anchors + client certificate), created on
// first use and kept: connections to an issuer stay alive between calls. The server certificate
// must chain to OutboundTls::ca_file (or the system store) and name the host (net::HttpClient).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "net/client.h"
#include "validator/fetcher.h"

namespace gridgate::validator::http {

struct NetFetcherOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_response_bytes = 1024 * 1024;
  // GETs (discovery, JWKS, userinfo) are retried after a connection failure; POSTs never.
  unsigned max_attempts = 2;
};

class NetFetcher final : public Fetcher {
 public:
  explicit NetFetcher(NetFetcherOptions options = {});
  ~NetFetcher() override;

  [[nodiscard]] Result<FetchResponse> fetch(const FetchRequest& request) override;

 private:
  Result<net::HttpClient*> clientFor(const OutboundTls* tls);

  NetFetcherOptions options_;
  std::mutex mu_;
  std::vector<std::pair<OutboundTls, std::unique_ptr<net::HttpClient>>> clients_;
};

}  // namespace gridgate::validator::http
