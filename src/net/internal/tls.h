// TLS contexts with gridgate's policy (FAPI 2.0 section 5.2.1, BCP 195). Plain OpenSSL, no Asio:
// the server and the client wrap the SSL_CTX in their streams (internal/stream.h).
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "crypto/ossl.h"
#include "net/config.h"

namespace gridgate::net {
struct TlsClientConfig;
}

namespace gridgate::net::internal {

using SslCtxPtr = crypto::OsslPtr<SSL_CTX, SSL_CTX_free>;
using SslPtr = crypto::OsslPtr<SSL, SSL_free>;

// The only TLS 1.2 suites allowed: ECDHE key exchange with AES-GCM (BCP 195 recommended set).
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";
inline constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr const char* kGroups = "X25519:P-256:P-384";

[[nodiscard]] Result<SslCtxPtr> makeServerContext(const TlsServerConfig& config,
                                                  std::string_view session_context);
// With an empty ca_file the store is left empty: the caller loads the system store
// (SSL_CTX_set_default_verify_paths) when it first needs it.
[[nodiscard]] Result<SslCtxPtr> makeClientContext(const TlsClientConfig& config);

// A short, bounded label for a failed handshake, for metrics and logs: the OpenSSL reason in
// snake case ("no_shared_cipher", "certificate_verify_failed", "unsupported_protocol", ...).
std::string tlsFailureReason(unsigned long openssl_error);

// Whole file, or kIo.
[[nodiscard]] Result<std::string> readFile(const std::string& path);

}  // namespace gridgate::net::internal
