#include "validator/http/net_fetcher.h"

namespace gridgate::validator::http {

NetFetcher::NetFetcher(NetFetcherOptions options) : options_(options) {}
NetFetcher::~NetFetcher() = default;

Result<net::HttpClient*> NetFetcher::clientFor(const OutboundTls* tls) {
  static const OutboundTls kDefaults;
  const OutboundTls& want = tls != nullptr ? *tls : kDefaults;
  std::lock_guard lock(mu_);
  for (auto& [settings, client] : clients_) {
    if (settings == want) return client.get();
  }
  net::ClientConfig config;
  config.tls.ca_file = want.ca_file;
  config.tls.cert_chain_file = want.cert_chain_file;
  config.tls.key_file = want.key_file;
  config.connect_timeout = options_.connect_timeout;
  config.request_timeout = options_.request_timeout;
  config.max_response_bytes = options_.max_response_bytes;
  config.retry.max_attempts = options_.max_attempts;
  config.user_agent = "gridgate-validator";
  GG_TRY(auto client, net::HttpClient::create(std::move(config)));
  clients_.emplace_back(want, std::move(client));
  return clients_.back().second.get();
}

Result<FetchResponse> NetFetcher::fetch(const FetchRequest& request) {
  GG_TRY(net::HttpClient * client, clientFor(request.tls));
  net::ClientRequest req;
  req.method =
      request.method == FetchRequest::Method::kPost ? net::Method::kPost : net::Method::kGet;
  req.url = request.url;
  for (const auto& [name, value] : request.headers) req.headers.add(name, value);
  req.body = request.body;
  GG_TRY(net::ClientResponse res, client->send(std::move(req)));
  FetchResponse out;
  out.status = res.status;
  if (auto ct = res.headers.get("content-type")) out.content_type = std::string(*ct);
  out.body = std::move(res.body);
  return out;
}

}  // namespace gridgate::validator::http
