#include "x509/forwarded.h"

#include <optional>
#include <string>

#include "core/base64.h"
#include "x509/pem.h"

namespace gridgate::x509 {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding as nginx's $ssl_client_escaped_cert and Envoy produce it: %XX only. '+' is a
// base64 character in the PEM body and stays '+' (form decoding would corrupt the certificate).
Result<std::string> percentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (in.size() - i < 3) return fail(Errc::kMalformed, "truncated %-escape");
    const int hi = hexValue(in[i + 1]);
    const int lo = hexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return fail(Errc::kMalformed, "invalid %-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// PEM holding only CERTIFICATE blocks and whitespace; the first block is the leaf.
Result<Certificate> leafFromPem(std::string_view pem, bool single) {
  GG_TRY(auto blocks,
         scanPem(pem, PemOptions{.max_blocks = single ? std::size_t{1} : std::size_t{8},
                                 .max_text = kMaxForwardedHeader * 3,
                                 .allow_text_outside = false}));
  for (const PemBlock& b : blocks) {
    if (b.label != "CERTIFICATE") {
      return fail(Errc::kMalformed, "forwarded PEM block is " + b.label + ", not CERTIFICATE");
    }
  }
  return Certificate::fromDer(blocks.front().der);
}

Result<Certificate> decodeUrlEncodedPem(std::string_view value, bool single) {
  GG_TRY(std::string pem, percentDecode(value));
  return leafFromPem(pem, single);
}

Result<Certificate> decodeBase64Der(std::string_view value) {
  auto der = base64Decode(value, Padding::kRequired);
  if (!der) return fail(Errc::kMalformed, "forwarded certificate is not base64");
  return Certificate::fromDer(*der);
}

// RFC 9440: Client-Cert is an sf-binary Item (RFC 8941 3.3.5), ":" base64 ":" with no parameters
// defined. Leading and trailing SP are discarded as RFC 8941 4.2 says; padding is optional there.
Result<Certificate> decodeRfc9440(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.size() < 2 || value.front() != ':' || value.back() != ':') {
    return fail(Errc::kMalformed, "Client-Cert is not an sf-binary item");
  }
  const std::string_view inner = value.substr(1, value.size() - 2);
  auto der = base64Decode(inner, Padding::kOptional);
  if (!der) return fail(Errc::kMalformed, "Client-Cert is not base64");
  return Certificate::fromDer(*der);
}

bool isKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Envoy XFCC: elements separated by ',', each a ';'-separated list of key=value pairs; a value is
// a token or a quoted string ("..." with '\' escaping the next character). Only the first
// element is read; its Cert must appear exactly once.
Result<Certificate> decodeEnvoyXfcc(std::string_view value) {
  std::optional<std::string> cert;
  std::size_t i = 0;
  const std::size_t n = value.size();
  while (true) {
    const std::size_t key_start = i;
    while (i < n && isKeyChar(value[i])) ++i;
    const std::string_view key = value.substr(key_start, i - key_start);
    if (key.empty() || i >= n || value[i] != '=') {
      return fail(Errc::kMalformed, "XFCC: expected key=value");
    }
    ++i;
    std::string parsed;
    if (i < n && value[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = value[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i >= n) break;
          parsed.push_back(value[i++]);
        } else {
          parsed.push_back(c);
        }
      }
      if (!closed) return fail(Errc::kMalformed, "XFCC: unterminated quoted value");
    } else {
      while (i < n && value[i] != ';' && value[i] != ',') {
        if (value[i] == '"') return fail(Errc::kMalformed, "XFCC: quote inside a token");
        parsed.push_back(value[i++]);
      }
    }
    if (equalsIgnoreCase(key, "Cert")) {
      if (cert) return fail(Errc::kMalformed, "XFCC: Cert appears twice");
      cert = std::move(parsed);
    }
    if (i >= n || value[i] == ',') break;  // end of the first element
    if (value[i] != ';') return fail(Errc::kMalformed, "XFCC: expected ';' after a value");
    ++i;
  }
  if (!cert) return fail(Errc::kMalformed, "XFCC: first element has no Cert");
  return decodeUrlEncodedPem(*cert, /*single=*/true);
}

}  // namespace

Result<ForwardedFormat> parseForwardedFormat(std::string_view name) {
  if (name == "url-encoded-pem") return ForwardedFormat::kUrlEncodedPem;
  if (name == "pem") return ForwardedFormat::kPem;
  if (name == "base64-der") return ForwardedFormat::kBase64Der;
  if (name == "rfc9440") return ForwardedFormat::kRfc9440;
  if (name == "envoy-xfcc") return ForwardedFormat::kEnvoyXfcc;
  return fail(Errc::kInvalidArgument, "unknown forwarded certificate format: " + std::string(name));
}

std::string_view forwardedFormatName(ForwardedFormat format) {
  switch (format) {
    case ForwardedFormat::kUrlEncodedPem:
      return "url-encoded-pem";
    case ForwardedFormat::kPem:
      return "pem";
    case ForwardedFormat::kBase64Der:
      return "base64-der";
    case ForwardedFormat::kRfc9440:
      return "rfc9440";
    case ForwardedFormat::kEnvoyXfcc:
      return "envoy-xfcc";
  }
  return "unknown";
}

Result<Certificate> decodeForwardedCert(ForwardedFormat format, std::string_view header_value) {
  if (header_value.empty()) return fail(Errc::kMalformed, "empty forwarded certificate");
  if (header_value.size() > kMaxForwardedHeader) {
    return fail(Errc::kLimitExceeded, "forwarded certificate header too large");
  }
  switch (format) {
    case ForwardedFormat::kUrlEncodedPem:
      return decodeUrlEncodedPem(header_value, /*single=*/false);
    case ForwardedFormat::kPem:
      return leafFromPem(header_value, /*single=*/true);
    case ForwardedFormat::kBase64Der:
      return decodeBase64Der(header_value);
    case ForwardedFormat::kRfc9440:
      return decodeRfc9440(header_value);
    case ForwardedFormat::kEnvoyXfcc:
      return decodeEnvoyXfcc(header_value);
  }
  return fail(Errc::kInternal, "unknown forwarded format");
}

}  // namespace gridgate::x509
