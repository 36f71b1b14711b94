// A small Open Energy data provider on cpp-httplib, protected by gridgate's validator: the C++
// counterpart of the Open Energy support library's Flask example (`@validator.introspects`).
//
//   gridgate_example_provider
//     --issuer https://matls-auth.directory.example --audience https://provider.example
//     --client-id <provider client_id> --client-cert provider-bundle.pem
//     --client-key provider-key.pem --issuer-ca server-ca.pem
//     --server-cert server-bundle.pem --server-key server-key.pem
//     --client-ca client-verify-bundle.pem --data readings.csv --port 8443      (one line)
//
// As in the seed: the server requires mTLS; every request to "/" must carry a bearer token; the
// token is checked (introspection by default, with the provider's own directory credentials, as
// the seed does; --mode jwt or auto for JWT access tokens) before anything else - cached 60 s
// with liveness per call, bound to the presented certificate, with the required scope - and only
// then is the data sent. What the validator learned is logged, as the seed logs
// flask.g.introspection_response.
//
// The validator core knows nothing of cpp-httplib: this file supplies the two framework pieces, a
// validator::Fetcher over httplib::SSLClient and the translation of an httplib request into a
// validator::RequestView (and of a refusal back into an httplib response).
#include <httplib.h>  // CPPHTTPLIB_OPENSSL_SUPPORT comes from cpp-httplib's pkg-config flags
#include <openssl/ssl.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "validator/validator.h"

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#error "cpp-httplib must be built with OpenSSL support (mTLS)"
#endif

namespace {

using namespace gridgate;

// Outbound calls to the issuer over cpp-httplib, with the provider's client certificate (mTLS).
class HttplibFetcher final : public validator::Fetcher {
 public:
  Result<validator::FetchResponse> fetch(const validator::FetchRequest& req) override {
    // https://host[:port]/path?query
    const std::string_view url = req.url;
    if (!url.starts_with("https://")) return fail(Errc::kInvalidArgument, "https only");
    const std::string_view rest = url.substr(8);
    const std::size_t slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    const std::string path =
        slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    std::string host(authority);
    int port = 443;
    if (const std::size_t colon = authority.rfind(':');
        colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
      host = std::string(authority.substr(0, colon));
      port = std::stoi(std::string(authority.substr(colon + 1)));
    }
    const validator::OutboundTls tls = req.tls != nullptr ? *req.tls : validator::OutboundTls{};
    httplib::SSLClient client(host, port, tls.cert_chain_file, tls.key_file);
    if (!tls.ca_file.empty()) client.set_ca_cert_path(tls.ca_file.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(3);
    client.set_read_timeout(5);
    httplib::Headers headers;
    std::string content_type = "application/x-www-form-urlencoded";
    for (const auto& [name, value] : req.headers) {
      if (name == "Content-Type") {
        content_type = value;
      } else {
        headers.emplace(name, value);
      }
    }
    const httplib::Result res =
        req.method == validator::FetchRequest::Method::kPost
            ? client.Post(path.c_str(), headers, req.body, content_type.c_str())
            : client.Get(path.c_str(), headers);
    if (!res) {
      return fail(Errc::kUnavailable, req.url + ": " + httplib::to_string(res.error()));
    }
    return validator::FetchResponse{res->status, res->get_header_value("Content-Type"), res->body};
  }
};

// The framework glue: an httplib request as the validator sees it; a refusal as httplib sends it.
class HttplibGuard {
 public:
  HttplibGuard(std::shared_ptr<validator::Validator> v, validator::RouteRequirements route)
      : validator_(std::move(v)), route_(std::move(route)) {}

  // The validated token, or nullopt with `res` already filled with the refusal.
  std::optional<validator::TokenInfo> check(const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> values;
    for (std::size_t i = 0; i < req.get_header_value_count("Authorization"); ++i) {
      values.push_back(req.get_header_value("Authorization", i));
    }
    std::vector<std::string_view> views(values.begin(), values.end());
    // The peer certificate that OpenSSL verified against --client-ca in the handshake. (A server
    // that can keep state per connection should parse it once per connection.)
    std::optional<x509::Certificate> cert;
    if (req.ssl != nullptr) {
      if (X509* peer = SSL_get0_peer_certificate(req.ssl)) cert = x509::Certificate::adopt(peer);
    }
    const std::size_t q = req.target.find('?');
    validator::RequestView view;
    view.authorization = views;
    view.token_in_query =
        q != std::string::npos && validator::queryHasAccessToken(req.target.substr(q + 1));
    view.token_in_body =
        req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded") &&
        validator::formHasAccessToken(req.body);
    view.client_cert = cert ? &*cert : nullptr;
    view.method = req.method;
    view.path = req.path;

    validator::CheckResult r = validator_->check(view, route_);  // httplib threads may block
    if (r) return *r;
    const validator::WireError w =
        validator::render(r.error(), validator_->config().realm, validator_->config().retry_after);
    std::cerr << "refused " << req.method << " " << req.path << ": "
              << validator::reasonName(r.error().reason) << "\n";
    res.status = w.status;
    for (const auto& [name, value] : w.headers) res.set_header(name, value);
    if (!w.body.empty()) res.set_content(w.body, w.content_type.c_str());
    return std::nullopt;
  }

 private:
  std::shared_ptr<validator::Validator> validator_;
  validator::RouteRequirements route_;
};

struct Options {
  std::string issuer, audience, client_id, client_cert, client_key, issuer_ca;
  std::string server_cert, server_key, client_ca, data, scope, mode = "introspection";
  std::string realm = "example-data-provider";
  int port = 8443;
};

bool parseArgs(int argc, char** argv, Options& o) {
  const std::vector<std::pair<std::string, std::string*>> flags = {
      {"--issuer", &o.issuer},
      {"--audience", &o.audience},
      {"--client-id", &o.client_id},
      {"--client-cert", &o.client_cert},
      {"--client-key", &o.client_key},
      {"--issuer-ca", &o.issuer_ca},
      {"--server-cert", &o.server_cert},
      {"--server-key", &o.server_key},
      {"--client-ca", &o.client_ca},
      {"--data", &o.data},
      {"--scope", &o.scope},
      {"--mode", &o.mode}};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") {
      o.port = std::atoi(argv[i + 1]);
      continue;
    }
    bool known = false;
    for (const auto& [name, target] : flags) {
      if (flag == name) {
        *target = argv[i + 1];
        known = true;
      }
    }
    if (!known) {
      std::cerr << "unknown option " << flag << "\n";
      return false;
    }
  }
  return !o.issuer.empty() && !o.audience.empty() && !o.server_cert.empty() &&
         !o.server_key.empty() && !o.client_ca.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) {
    std::cerr << "usage: see the comment at the top of examples/data_provider.cc\n";
    return 2;
  }

  validator::ValidatorConfig config;
  config.realm = o.realm;
  validator::IssuerConfig& is = config.issuers.emplace_back();
  is.issuer = o.issuer;
  is.audiences = {o.audience};
  auto mode = validator::parseTokenMode(o.mode);
  if (!mode) {
    std::cerr << mode.error().detail << "\n";
    return 2;
  }
  is.mode = *mode;
  is.introspection.client_id = o.client_id;
  is.tls = {.ca_file = o.issuer_ca, .cert_chain_file = o.client_cert, .key_file = o.client_key};
  auto v = validator::Validator::create(std::move(config),
                                        {.fetcher = std::make_shared<HttplibFetcher>()});
  if (!v) {
    std::cerr << "configuration: " << v.error().detail << "\n";
    return 2;
  }

  validator::RouteRequirements route;  // certificate and binding required (the defaults)
  if (!o.scope.empty()) route.require(validator::Requirement::scopes({o.scope}));
  HttplibGuard guard(*v, std::move(route));

  std::string data = "meter,period,kwh\nexample,2024-01-01T00:00Z,0.42\n";
  if (!o.data.empty()) {
    std::ifstream in(o.data);
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }

  // mTLS: the handshake fails without a client certificate that chains to --client-ca.
  httplib::SSLServer server(o.server_cert.c_str(), o.server_key.c_str(), o.client_ca.c_str());
  if (!server.is_valid()) {
    std::cerr << "cannot load the server certificate, key or client CA\n";
    return 2;
  }
  server.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    auto token = guard.check(req, res);
    if (!token) return;
    std::cerr << "home: request from " << req.remote_addr << " by client " << token->clientId()
              << "; token info " << dumpJson(token->claims()) << "\n";
    res.set_content(data, "text/csv");
  });

  const int port = o.port == 0 ? server.bind_to_any_port("127.0.0.1")
                               : (server.bind_to_port("127.0.0.1", o.port) ? o.port : -1);
  if (port < 0) {
    std::cerr << "cannot bind\n";
    return 1;
  }
  std::cout << "listening on " << port << std::endl;
  server.listen_after_bind();
  return 0;
}
