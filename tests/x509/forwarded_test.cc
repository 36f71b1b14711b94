#include "x509/forwarded.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "x509/cert_factory.h"

namespace gridgate::x509 {
namespace {

using testing::issue;
using testing::Issued;

// A certificate whose PEM body holds at least one '+' (so that form-decoding would corrupt it)
// and one '/'.
const Issued& leaf() {
  static const Issued l = [] {
    for (int i = 0; i < 100; ++i) {
      Issued c = issue({.san = "URI:https://directory.core.trust.ib1.org/a/app"}, nullptr);
      const std::string pem = c.cert.toPem();
      if (pem.find('+') != std::string::npos && pem.find('/') != std::string::npos) return c;
    }
    std::abort();
  }();
  return l;
}

// Percent-encodes like AWS ALB (X-Amzn-Mtls-Clientcert): '+', '=', '/' left as they are; or like
// nginx's $ssl_client_escaped_cert, which escapes them too.
std::string urlEncode(std::string_view in, bool keep_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_plus && (c == '+' || c == '=' || c == '/'))) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

void expectLeaf(const Result<Certificate>& r) {
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->der(), leaf().cert.der());
}

Errc errorOf(ForwardedFormat f, std::string_view v) {
  auto r = decodeForwardedCert(f, v);
  EXPECT_FALSE(r) << forwardedFormatName(f) << ": " << v.substr(0, 80);
  return r ? Errc::kInternal : r.error().code;
}

TEST(Forwarded, FormatNames) {
  for (auto f :
       {ForwardedFormat::kUrlEncodedPem, ForwardedFormat::kPem, ForwardedFormat::kBase64Der,
        ForwardedFormat::kRfc9440, ForwardedFormat::kEnvoyXfcc}) {
    auto back = parseForwardedFormat(forwardedFormatName(f));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, f);
  }
  EXPECT_FALSE(parseForwardedFormat("PEM"));
  EXPECT_FALSE(parseForwardedFormat(""));
}

TEST(Forwarded, UrlEncodedPemBothStyles) {
  const std::string pem = leaf().cert.toPem();
  expectLeaf(decodeForwardedCert(ForwardedFormat::kUrlEncodedPem, urlEncode(pem, true)));
  expectLeaf(decodeForwardedCert(ForwardedFormat::kUrlEncodedPem, urlEncode(pem, false)));
  // Lowercase hex digits are fine.
  std::string lower = urlEncode(pem, false);
  for (std::size_t p = lower.find("%0A"); p != std::string::npos; p = lower.find("%0A", p)) {
    lower[p + 2] = 'a';
  }
  expectLeaf(decodeForwardedCert(ForwardedFormat::kUrlEncodedPem, lower));
}

TEST(Forwarded, UrlEncodedPlusIsNotASpace) {
  // If '+' were decoded as a space (form decoding), the base64 would change and the DER would
  // not parse or would be another certificate; a '+' given as ' ' is therefore refused.
  std::string enc = urlEncode(leaf().cert.toPem(), true);
  ASSERT_NE(enc.find('+'), std::string::npos);
  std::string spaced = enc;
  for (char& c : spaced) {
    if (c == '+') c = ' ';
  }
  EXPECT_FALSE(decodeForwardedCert(ForwardedFormat::kUrlEncodedPem, spaced));
}

TEST(Forwarded, UrlEncodedChainGivesTheLeaf) {
  const Issued root = issue({.cn = "R", .ca = true}, nullptr);
  const std::string chain = leaf().cert.toPem() + root.cert.toPem();
  expectLeaf(decodeForwardedCert(ForwardedFormat::kUrlEncodedPem, urlEncode(chain, true)));
}

TEST(Forwarded, UrlEncodedRejects) {
  const std::string enc = urlEncode(leaf().cert.toPem(), true);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, enc + "%"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, enc + "%4"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, "%ZZ" + enc), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, "junk" + enc), Errc::kMalformed);
  auto key = leaf().key.privatePem();
  ASSERT_TRUE(key);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, urlEncode(*key, true)), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, urlEncode(leaf().cert.toPem() + *key, true)),
            Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, ""), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kUrlEncodedPem, std::string(kMaxForwardedHeader + 1, 'A')),
            Errc::kLimitExceeded);
}

TEST(Forwarded, PemWithTabsStrippedOrSpacesForNewlines) {
  const std::string pem = leaf().cert.toPem();
  expectLeaf(decodeForwardedCert(ForwardedFormat::kPem, pem));
  std::string spaces = pem;
  for (char& c : spaces) {
    if (c == '\n') c = ' ';
  }
  expectLeaf(decodeForwardedCert(ForwardedFormat::kPem, spaces));
  std::string tabs = pem;
  for (std::size_t p = tabs.find('\n'); p != std::string::npos; p = tabs.find('\n', p + 2)) {
    tabs.insert(p + 1, "\t");
  }
  expectLeaf(decodeForwardedCert(ForwardedFormat::kPem, tabs));
  // The body as one line, no whitespace anywhere.
  const std::string one_line =
      "-----BEGIN CERTIFICATE-----" + base64Encode(leaf().cert.der()) + "-----END CERTIFICATE-----";
  expectLeaf(decodeForwardedCert(ForwardedFormat::kPem, one_line));
}

TEST(Forwarded, PemRejects) {
  const std::string pem = leaf().cert.toPem();
  EXPECT_EQ(errorOf(ForwardedFormat::kPem, pem + pem), Errc::kLimitExceeded);
  EXPECT_EQ(errorOf(ForwardedFormat::kPem, "x" + pem), Errc::kMalformed);
  std::string corrupt = pem;
  corrupt[40] = '*';
  EXPECT_EQ(errorOf(ForwardedFormat::kPem, corrupt), Errc::kMalformed);
  std::string no_end = pem.substr(0, pem.find("-----END"));
  EXPECT_EQ(errorOf(ForwardedFormat::kPem, no_end), Errc::kMalformed);
}

TEST(Forwarded, Base64Der) {
  const std::string b64 = base64Encode(leaf().cert.der());
  expectLeaf(decodeForwardedCert(ForwardedFormat::kBase64Der, b64));
  EXPECT_EQ(errorOf(ForwardedFormat::kBase64Der, b64 + "\n"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kBase64Der, b64.substr(0, b64.size() - 1)), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kBase64Der, base64urlEncode(leaf().cert.der())),
            Errc::kMalformed);
  Bytes trailing = leaf().cert.der();
  trailing.push_back(0);
  EXPECT_EQ(errorOf(ForwardedFormat::kBase64Der, base64Encode(trailing)), Errc::kMalformed);
}

TEST(Forwarded, Rfc9440) {
  const std::string b64 = base64Encode(leaf().cert.der());
  expectLeaf(decodeForwardedCert(ForwardedFormat::kRfc9440, ":" + b64 + ":"));
  expectLeaf(decodeForwardedCert(ForwardedFormat::kRfc9440, "  :" + b64 + ":  "));
  std::string unpadded = b64;
  while (unpadded.back() == '=') unpadded.pop_back();
  expectLeaf(decodeForwardedCert(ForwardedFormat::kRfc9440, ":" + unpadded + ":"));
  EXPECT_EQ(errorOf(ForwardedFormat::kRfc9440, b64), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kRfc9440, ":" + b64), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kRfc9440, ":" + b64 + ":;a=1"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kRfc9440, ":" + b64 + ":, :" + b64 + ":"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kRfc9440, "::"), Errc::kMalformed);
}

TEST(Forwarded, EnvoyXfcc) {
  const std::string cert = urlEncode(leaf().cert.toPem(), false);
  const std::string hash = "Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688";
  const std::string subject = "Subject=\"CN=a\\\"b,O=c;d\"";
  expectLeaf(decodeForwardedCert(ForwardedFormat::kEnvoyXfcc,
                                 "By=spiffe://lyft.com/frontend;" + hash + ";Cert=\"" + cert +
                                     "\";" + subject + ";URI=https://x.example/a;DNS=a;DNS=b"));
  // Unquoted Cert, and a second element whose Cert is another certificate: the first wins.
  const Issued other = issue({}, nullptr);
  expectLeaf(decodeForwardedCert(
      ForwardedFormat::kEnvoyXfcc,
      hash + ";Cert=" + cert + ",By=x;Cert=\"" + urlEncode(other.cert.toPem(), false) + "\""));
  // A Cert key in the second element is not the first element's.
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, hash + ",Cert=\"" + cert + "\""),
            Errc::kMalformed);
}

TEST(Forwarded, EnvoyXfccRejects) {
  const std::string cert = urlEncode(leaf().cert.toPem(), false);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Hash=abc"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Cert=\"" + cert), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Cert=\"" + cert + "\";Cert=\"" + cert + "\""),
            Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Cert=\"" + cert + "\"x"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "=x;Cert=\"" + cert + "\""), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Cert"), Errc::kMalformed);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc, "Cert=\"%ZZ\""), Errc::kMalformed);
  // A chain in Cert is not what Envoy puts there.
  const Issued root = issue({.cn = "R", .ca = true}, nullptr);
  EXPECT_EQ(errorOf(ForwardedFormat::kEnvoyXfcc,
                    "Cert=\"" + urlEncode(leaf().cert.toPem() + root.cert.toPem(), false) + "\""),
            Errc::kLimitExceeded);
}

}  // namespace
}  // namespace gridgate::x509
