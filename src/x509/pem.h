// Strict PEM scanning (RFC 7468) for certificates, bundles and CRLs.
//
//   GG_TRY(auto blocks, scanPem(text, PemOptions{.max_blocks = 16}));
//   for (const PemBlock& b : blocks) if (b.label != "CERTIFICATE") ...
//
// Why our own scanner rather than PEM_read_bio_X509: OpenSSL's reader silently accepts other labels
// ("TRUSTED CERTIFICATE", "X509 CERTIFICATE"), encapsulated headers and lenient base64, and it
// skips blocks it does not want. Here every "-----BEGIN <label>-----" is reported with its label,
// the body must be strict padded base64 (whitespace between characters allowed, so that a PEM whose
// newlines became spaces or whose tabs were stripped by a proxy still reads), and the caller
// decides which labels it accepts. Text outside blocks (RFC 7468 explanatory text) is ignored but
// may not contain a stray "-----BEGIN"/"-----END".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace gridgate::x509 {

inline constexpr std::size_t kMaxPemText = 512 * 1024;  // a bundle of 16 large certificates
inline constexpr std::size_t kMaxDer = 16 * 1024;       // one certificate or CRL body

struct PemBlock {
  std::string label;  // "CERTIFICATE", "X509 CRL", "PRIVATE KEY", ...
  Bytes der;
};

struct PemOptions {
  std::size_t max_blocks = 16;
  std::size_t max_text = kMaxPemText;
  std::size_t max_der = kMaxDer;
  // RFC 7468 explanatory text between blocks (CA bundle files carry comments). Forwarded headers
  // turn this off: there, anything but blocks and whitespace is an error.
  bool allow_text_outside = true;
};

// Every block in `text`, in order. kMalformed for a broken block (missing END, mismatched label,
// bad base64, empty body), kLimitExceeded past a bound, kMalformed if there is no block at all.
[[nodiscard]] Result<std::vector<PemBlock>> scanPem(std::string_view text,
                                                    const PemOptions& options = {});

// One PEM block, 64-character lines, final newline.
std::string encodePem(std::string_view label, ByteView der);

}  // namespace gridgate::x509
