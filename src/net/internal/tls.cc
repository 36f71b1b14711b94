#include "net/internal/tls.h"

#include <openssl/err.h>

#include <fstream>
#include <sstream>

#include "net/client.h"
#include "x509/trust_store.h"

namespace gridgate::net::internal {

namespace {

using crypto::opensslFailure;

Status applyPolicy(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return opensslFailure("SSL_CTX_set_min/max_proto_version");
  }
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return opensslFailure("SSL_CTX_set_cipher_list");
  }
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
    return opensslFailure("SSL_CTX_set_ciphersuites");
  }
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return opensslFailure("SSL_CTX_set1_groups_list");
  }
  // Renegotiation is a DoS and injection surface and HTTP/1.1 never needs it; compression is
  // CRIME. A peer that closes without close_notify is an end of stream, not an error: every HTTP
  // response here is length-delimited, so truncation is detected by the parser.
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes and a retry buffer that may move: what a non-blocking writer needs. Released
  // buffers: an idle connection holds no 16 KB record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  return ok();
}

}  // namespace

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Errc::kIo, "cannot read " + path);
  return ss.str();
}

Result<SslCtxPtr> makeServerContext(const TlsServerConfig& config,
                                    std::string_view session_context) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return opensslFailure("SSL_CTX_new");
  GG_TRY(applyPolicy(ctx.get()));
  SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!config.session_tickets) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  // Resumption by stateless tickets only: no per-session server memory, nothing to share between
  // processes. (With tickets off there is then no resumption at all.)
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_timeout(ctx.get(), static_cast<long>(config.session_lifetime.count()));
  // Sessions from one listener must not resume on another with different client-certificate
  // settings.
  const std::string sid(session_context.substr(0, SSL_MAX_SID_CTX_LENGTH));
  if (SSL_CTX_set_session_id_context(ctx.get(), reinterpret_cast<const unsigned char*>(sid.data()),
                                     static_cast<unsigned>(sid.size())) != 1) {
    return opensslFailure("SSL_CTX_set_session_id_context");
  }

  if (config.certificates.empty()) {
    return fail(Errc::kInvalidArgument, "TLS listener without a server certificate");
  }
  for (const CertificateKeyFiles& pair : config.certificates) {
    // One chain per key type (ECDSA, RSA); OpenSSL keeps them in separate slots and picks the one
    // the client's signature algorithms allow.
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), pair.chain_file.c_str()) != 1) {
      return opensslFailure("server certificate chain " + pair.chain_file, Errc::kInvalidArgument);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), pair.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return opensslFailure("server key " + pair.key_file, Errc::kInvalidArgument);
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return opensslFailure("server key does not match " + pair.chain_file, Errc::kInvalidArgument);
    }
  }

  if (config.client_cert != ClientCertMode::kNone) {
    if (config.client_ca_file.empty()) {
      return fail(Errc::kInvalidArgument, "client certificates requested without client_ca_file");
    }
    GG_TRY(std::string anchors, readFile(config.client_ca_file));
    std::string crls;
    if (!config.crl_file.empty()) {
      GG_TRY(crls, readFile(config.crl_file));
    }
    GG_TRY(x509::TrustStore trust, x509::TrustStore::fromPem(anchors, crls));
    SSL_CTX_set1_cert_store(ctx.get(), trust.raw());
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx.get());
    // Same profile as x509::verifyChain: RFC 5280 strictness, no partial chains; the leaf's CRL
    // when one is configured.
    unsigned long flags = X509_V_FLAG_X509_STRICT;
    if (!config.crl_file.empty()) flags |= X509_V_FLAG_CRL_CHECK;
    X509_VERIFY_PARAM_set_flags(param, flags);
    X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
    SSL_CTX_set_verify_depth(ctx.get(), config.verify_depth);
    // Tell clients which anchors we accept, so they pick the right certificate.
    for (const x509::Certificate& anchor : trust.anchors()) {
      if (SSL_CTX_add_client_CA(ctx.get(), anchor.raw()) != 1) {
        return opensslFailure("SSL_CTX_add_client_CA");
      }
    }
    int mode = SSL_VERIFY_PEER;
    if (config.client_cert == ClientCertMode::kRequire) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx.get(), mode, nullptr);
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

Result<SslCtxPtr> makeClientContext(const TlsClientConfig& config) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return opensslFailure("SSL_CTX_new");
  GG_TRY(applyPolicy(ctx.get()));
  if (config.test_cipher_list) {
    if (SSL_CTX_set_cipher_list(ctx.get(), config.test_cipher_list->c_str()) != 1) {
      return opensslFailure("SSL_CTX_set_cipher_list (test override)", Errc::kInvalidArgument);
    }
  }
  if (config.test_max_version != 0) {
    if (SSL_CTX_set_min_proto_version(ctx.get(), 0) != 1 ||
        SSL_CTX_set_max_proto_version(ctx.get(), config.test_max_version) != 1) {
      return opensslFailure("SSL_CTX_set_max_proto_version (test override)");
    }
  }
  if (!config.ca_file.empty()) {
    GG_TRY(std::string anchors, readFile(config.ca_file));
    GG_TRY(x509::TrustStore trust, x509::TrustStore::fromPem(anchors));
    SSL_CTX_set1_cert_store(ctx.get(), trust.raw());
  }  // else: the system store, loaded on first use (HttpClient: loading it costs ~100 ms)
  X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(ctx.get()), X509_PURPOSE_SSL_SERVER);
  SSL_CTX_set_verify(ctx.get(), config.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!config.cert_chain_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), config.cert_chain_file.c_str()) != 1) {
      return opensslFailure("client certificate chain " + config.cert_chain_file,
                            Errc::kInvalidArgument);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return opensslFailure("client key " + config.key_file, Errc::kInvalidArgument);
    }
    if (SSL_CTX_check_private_key(ctx.get()) != 1) {
      return opensslFailure("client key does not match its certificate", Errc::kInvalidArgument);
    }
  }
  return ctx;
}

std::string tlsFailureReason(unsigned long openssl_error) {
  const char* reason = ERR_reason_error_string(openssl_error);
  if (reason == nullptr) return "tls_error";
  std::string out;
  for (const char* p = reason; *p != '\0' && out.size() < 64; ++p) {
    const char c = *p;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "tls_error" : out;
}

}  // namespace gridgate::net::internal
