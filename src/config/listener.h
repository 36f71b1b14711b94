// One listener's section, for every server of gridgate ([authz.listeners.public],
// [authz.listeners.mtls], [authz.listeners.admin], [resource.listener]). Plain data:
// config/net_listener.h turns it into a net::ListenerConfig for modules that link gridgate::net.
//
//   GG_TRY(config::ListenerSection mtls,
//          config::parseListenerSection(doc.section("authz.listeners.mtls"),
//                                       {.default_port = 8001,
//                                        .client_cert = config::ClientCertPolicy::kRequire}));
//
// [authz.listeners.mtls]
//   address = "0.0.0.0"
//   port = 8001
//   cert_chain = "server-bundle.pem"     # leaf + intermediates (PEM)
//   key = "server-key.pem"               # PKCS#8 PEM
//   client_ca = "client-verify-bundle.pem"   # trust anchors for client certificates
//   crl = "client-crl.pem"               # optional: revoked client certificates are refused
//   max_body_bytes = 65536
//   idle_timeout = "60s"                 # keep-alive wait for the next request
//   request_timeout = "30s"              # first byte to last body byte of a request
//   hsts = true                          # Strict-Transport-Security (TLS or behind a proxy)
//   metrics = false                      # Prometheus GET /metrics on this listener
// [authz.listeners.mtls.trusted_proxy]   # optional: plain HTTP behind a TLS terminator
//   proxies = ["10.0.0.0/8"]
//   header = "X-Amzn-Mtls-Clientcert-Leaf"
//   format = "url-encoded-pem"           # pem|base64-der|rfc9440|envoy-xfcc
//   client_ca = ""                       # optional: forwarded certificates must chain here too
//
// FAPI-CHECKLIST 1: a listener speaks TLS unless it sits behind a trusted proxy; a section with
// neither a certificate nor a trusted_proxy table is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/document.h"
#include "core/result.h"

namespace gridgate::config {

enum class ClientCertPolicy { kNone, kOptional, kRequire };

struct TrustedProxySection {
  std::vector<std::string> proxies;
  std::string header = "X-Amzn-Mtls-Clientcert-Leaf";
  std::string format = "url-encoded-pem";
  std::filesystem::path client_ca;
};

struct ListenerSection {
  std::string name;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::filesystem::path cert_chain;
  std::filesystem::path key;
  ClientCertPolicy client_cert = ClientCertPolicy::kNone;
  std::filesystem::path client_ca;
  std::filesystem::path crl;
  std::optional<TrustedProxySection> trusted_proxy;
  std::size_t max_body_bytes = 64 * 1024;
  Seconds idle_timeout{60};
  Seconds request_timeout{30};
  bool hsts = true;
  bool metrics_endpoint = false;
};

struct ListenerDefaults {
  std::string address = "127.0.0.1";
  std::uint16_t default_port = 0;
  ClientCertPolicy client_cert = ClientCertPolicy::kNone;
  bool metrics_endpoint = false;
};

// `section` is the listener's table; its last path component names the listener.
[[nodiscard]] Result<ListenerSection> parseListenerSection(const Section& section,
                                                           const ListenerDefaults& defaults);

}  // namespace gridgate::config
