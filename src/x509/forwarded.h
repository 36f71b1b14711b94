// Client certificates forwarded by a TLS terminator in an HTTP header.
//
//   // config: a listener's trusted_proxy table (config/listener.h), e.g.
//   //   header = "X-Amzn-Mtls-Clientcert-Leaf", format = "url-encoded-pem"
//   GG_TRY(ForwardedFormat format, parseForwardedFormat(config.format));
//   GG_TRY(Certificate cert, decodeForwardedCert(format, request.header(config.header)));
//
// Only call this for requests from a configured proxy address: the header is ignored from anyone
// else (DESIGN.md, Listeners). Every decoder is strict and bounded (kMaxForwardedHeader): it
// yields exactly one certificate or an error, never a guess.
//
// kUrlEncodedPem  nginx $ssl_client_escaped_cert, X-Amzn-Mtls-Clientcert(-Leaf): %XX decoded
//                 (invalid escapes rejected), '+' stays '+' (it is a base64 character, not a
//                 space); the result is PEM with one CERTIFICATE block (for -Clientcert, which
//                 carries the chain, the first block is the leaf and the rest must be CERTIFICATE
//                 blocks too).
// kPem            X-OE-CLIENT-CERT: PEM whose tabs were stripped and whose newlines may be spaces.
// kBase64Der      standard base64 (padded) of the DER.
// kRfc9440        RFC 9440 Client-Cert: an sf-binary ":<base64>:" of the DER.
// kEnvoyXfcc      Envoy X-Forwarded-Client-Cert: the Cert="<url-encoded PEM>" of the first element
//                 (elements split by ',', pairs by ';', values may be quoted with '\' escapes).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "x509/certificate.h"

namespace gridgate::x509 {

inline constexpr std::size_t kMaxForwardedHeader = 16 * 1024;

enum class ForwardedFormat { kUrlEncodedPem, kPem, kBase64Der, kRfc9440, kEnvoyXfcc };

// Configuration names: "url-encoded-pem", "pem", "base64-der", "rfc9440", "envoy-xfcc".
[[nodiscard]] Result<ForwardedFormat> parseForwardedFormat(std::string_view name);
std::string_view forwardedFormatName(ForwardedFormat format);

[[nodiscard]] Result<Certificate> decodeForwardedCert(ForwardedFormat format,
                                                      std::string_view header_value);

}  // namespace gridgate::x509
