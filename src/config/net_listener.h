// config::ListenerSection -> net::ListenerConfig, for modules that link gridgate::net (authz,
// resource). Header-only so that gridgate::config itself stays free of net (the dependency arrows
// of DESIGN.md: config comes before net).
//
//   GG_TRY(net::ListenerConfig lc, config::toNetListener(section));
#pragma once

#include "config/listener.h"
#include "net/config.h"
#include "x509/forwarded.h"

namespace gridgate::config {

[[nodiscard]] inline Result<net::ListenerConfig> toNetListener(const ListenerSection& s) {
  net::ListenerConfig lc;
  lc.name = s.name;
  lc.address = s.address;
  lc.port = s.port;
  if (!s.cert_chain.empty()) {
    net::TlsServerConfig tls;
    tls.certificates.push_back({.chain_file = s.cert_chain.string(), .key_file = s.key.string()});
    switch (s.client_cert) {
      case ClientCertPolicy::kNone:
        tls.client_cert = net::ClientCertMode::kNone;
        break;
      case ClientCertPolicy::kOptional:
        tls.client_cert = net::ClientCertMode::kOptional;
        break;
      case ClientCertPolicy::kRequire:
        tls.client_cert = net::ClientCertMode::kRequire;
        break;
    }
    tls.client_ca_file = s.client_ca.string();
    tls.crl_file = s.crl.string();
    lc.tls = std::move(tls);
  }
  if (s.trusted_proxy) {
    net::TrustedProxyConfig tp;
    tp.proxies = s.trusted_proxy->proxies;
    tp.header = s.trusted_proxy->header;
    GG_TRY(tp.format, x509::parseForwardedFormat(s.trusted_proxy->format));
    tp.client_ca_file = s.trusted_proxy->client_ca.string();
    lc.trusted_proxy = std::move(tp);
  }
  lc.limits.max_body_bytes = s.max_body_bytes;
  lc.limits.idle_timeout = std::chrono::duration_cast<net::Millis>(s.idle_timeout);
  lc.limits.request_timeout = std::chrono::duration_cast<net::Millis>(s.request_timeout);
  lc.security_headers.hsts = s.hsts;
  lc.metrics_endpoint = s.metrics_endpoint;
  return lc;
}

}  // namespace gridgate::config
