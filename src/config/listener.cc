#include "config/listener.h"

#include "x509/forwarded.h"

namespace gridgate::config {

Result<ListenerSection> parseListenerSection(const Section& s, const ListenerDefaults& defaults) {
  ListenerSection out;
  const std::string& path = s.path();
  const std::size_t dot = path.rfind('.');
  out.name = dot == std::string::npos ? path : path.substr(dot + 1);
  GG_TRY(out.address, s.string("address", defaults.address));
  GG_TRY(std::int64_t port, s.integer("port", defaults.default_port, 0, 65535));
  out.port = static_cast<std::uint16_t>(port);
  GG_TRY(out.cert_chain, s.filePath("cert_chain"));
  GG_TRY(out.key, s.filePath("key"));
  GG_TRY(out.client_ca, s.filePath("client_ca"));
  GG_TRY(out.crl, s.filePath("crl"));
  out.client_cert = defaults.client_cert;
  GG_TRY(std::int64_t max_body, s.integer("max_body_bytes", 64 * 1024, 1024, 16 * 1024 * 1024));
  out.max_body_bytes = static_cast<std::size_t>(max_body);
  GG_TRY(out.idle_timeout, s.duration("idle_timeout", out.idle_timeout));
  GG_TRY(out.request_timeout, s.duration("request_timeout", out.request_timeout));
  GG_TRY(out.hsts, s.boolean("hsts", true));
  GG_TRY(out.metrics_endpoint, s.boolean("metrics", defaults.metrics_endpoint));

  const Section proxy = s.child("trusted_proxy");
  if (proxy.presentInFile() || proxy.has("proxies")) {
    TrustedProxySection tp;
    GG_TRY(tp.proxies, proxy.stringList("proxies"));
    if (tp.proxies.empty()) {
      return fail(Errc::kInvalidArgument,
                  proxy.keyPath("proxies") + " must list at least one CIDR");
    }
    GG_TRY(tp.header, proxy.string("header", tp.header));
    GG_TRY(tp.format, proxy.string("format", tp.format));
    if (auto f = x509::parseForwardedFormat(tp.format); !f) {
      return fail(Errc::kInvalidArgument,
                  proxy.keyPath("format") +
                      " must be url-encoded-pem, pem, base64-der, rfc9440 or envoy-xfcc");
    }
    GG_TRY(tp.client_ca, proxy.filePath("client_ca"));
    out.trusted_proxy = std::move(tp);
  }

  const bool tls = !out.cert_chain.empty() || !out.key.empty();
  if (tls && (out.cert_chain.empty() || out.key.empty())) {
    return fail(Errc::kInvalidArgument, path + ": cert_chain and key go together");
  }
  if (!tls && !out.trusted_proxy) {
    // FAPI-CHECKLIST 1: HTTPS only; plain HTTP exists only behind a configured TLS terminator.
    return fail(Errc::kInvalidArgument,
                path + ": needs cert_chain and key (TLS), or a trusted_proxy table");
  }
  if (tls && out.client_cert != ClientCertPolicy::kNone && out.client_ca.empty()) {
    return fail(Errc::kInvalidArgument, path + ": client_ca is required (client certificates)");
  }
  if (!out.crl.empty() && out.client_ca.empty()) {
    return fail(Errc::kInvalidArgument, path + ": crl needs client_ca");
  }
  return out;
}

}  // namespace gridgate::config
