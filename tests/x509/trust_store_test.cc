#include "x509/trust_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "x509/cert_factory.h"

namespace gridgate::x509 {
namespace {

using testing::CertSpec;
using testing::issue;
using testing::Issued;
using testing::kDay;
using testing::kT0;
using testing::makeCrl;

struct Hierarchy {
  Issued root;
  Issued issuer;
};

Hierarchy makeHierarchy(const std::string& name) {
  Issued root = issue({.cn = name + " CA",
                       .not_before = kT0 - 10 * kDay,
                       .not_after = kT0 + 9132 * kDay,
                       .ca = true},
                      nullptr, crypto::KeyType::kEcP384);
  Issued issuer = issue({.cn = name + " Issuer",
                         .not_before = kT0 - 10 * kDay,
                         .not_after = kT0 + 365 * kDay,
                         .ca = true,
                         .pathlen = 0},
                        &root);
  return {root, issuer};
}

const Hierarchy& clientCa() {
  static const Hierarchy h = makeHierarchy("Client");
  return h;
}
const Hierarchy& otherCa() {
  static const Hierarchy h = makeHierarchy("Other");
  return h;
}

TrustStore verifyBundle(const Hierarchy& h, const std::string& crls = {}) {
  auto store = TrustStore::fromPem(h.issuer.cert.toPem() + h.root.cert.toPem(), crls);
  EXPECT_TRUE(store) << store.error().detail;
  return *store;
}

Issued clientLeaf(CertSpec spec = {}) {
  if (spec.san.empty()) spec.san = "URI:https://directory.core.trust.ib1.org/a/app";
  return issue(spec, &clientCa().issuer);
}

Status verifyAt(const Issued& leaf, std::span<const Certificate> untrusted, const TrustStore& trust,
                std::int64_t at, bool crl = false, Purpose purpose = Purpose::kClientAuth) {
  return verifyChain(leaf.cert, untrusted, trust,
                     VerifyOptions{.at_time = at, .check_crl = crl, .purpose = purpose});
}

TEST(VerifyChain, AcceptsLeafIssuedByTheIssuer) {
  const Issued leaf = clientLeaf();
  const TrustStore trust = verifyBundle(clientCa());
  EXPECT_EQ(trust.anchors().size(), 2u);
  auto st = verifyAt(leaf, {}, trust, kT0);
  EXPECT_TRUE(st) << st.error().detail;
}

TEST(VerifyChain, IntermediateMayComeFromThePeer) {
  const Issued leaf = clientLeaf();
  auto trust = TrustStore::fromPem(clientCa().root.cert.toPem());
  ASSERT_TRUE(trust);
  const std::vector<Certificate> presented = {clientCa().issuer.cert};
  auto st = verifyAt(leaf, presented, *trust, kT0);
  EXPECT_TRUE(st) << st.error().detail;
  // Without the intermediate there is no path.
  EXPECT_EQ(verifyAt(leaf, {}, *trust, kT0).error().code, Errc::kUntrustedCertificate);
}

TEST(VerifyChain, PartialChainIsNotEnough) {
  // Only the issuer is in the store: the chain does not reach a self-signed root.
  const Issued leaf = clientLeaf();
  auto trust = TrustStore::fromPem(clientCa().issuer.cert.toPem());
  ASSERT_TRUE(trust);
  EXPECT_EQ(verifyAt(leaf, {}, *trust, kT0).error().code, Errc::kUntrustedCertificate);
}

TEST(VerifyChain, ExpiredAndNotYetValid) {
  const Issued leaf = clientLeaf({.not_before = kT0, .not_after = kT0 + 30 * kDay});
  const TrustStore trust = verifyBundle(clientCa());
  EXPECT_TRUE(verifyAt(leaf, {}, trust, kT0 + 30 * kDay - 1));
  EXPECT_EQ(verifyAt(leaf, {}, trust, kT0 + 30 * kDay + 1).error().code, Errc::kExpired);
  EXPECT_EQ(verifyAt(leaf, {}, trust, kT0 - 1).error().code, Errc::kNotYetValid);
  // The issuer's validity counts too.
  EXPECT_EQ(verifyAt(clientLeaf({.not_after = kT0 + 1000 * kDay}), {}, trust, kT0 + 400 * kDay)
                .error()
                .code,
            Errc::kExpired);
}

TEST(VerifyChain, WrongCaIsUntrusted) {
  const Issued stranger = issue({.san = "URI:https://x.example/a"}, &otherCa().issuer);
  const std::vector<Certificate> presented = {otherCa().issuer.cert};
  auto st = verifyAt(stranger, presented, verifyBundle(clientCa()), kT0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kUntrustedCertificate);
}

TEST(VerifyChain, SelfSignedLeafIsUntrusted) {
  const Issued self = issue({.san = "URI:https://x.example/a"}, nullptr);
  EXPECT_EQ(verifyAt(self, {}, verifyBundle(clientCa()), kT0).error().code,
            Errc::kUntrustedCertificate);
}

TEST(VerifyChain, CaAsLeafIsRefusedUnlessAllowed) {
  const TrustStore trust = verifyBundle(clientCa());
  EXPECT_EQ(verifyAt(clientCa().issuer, {}, trust, kT0).error().code, Errc::kUntrustedCertificate);
  EXPECT_TRUE(verifyChain(clientCa().issuer.cert, {}, trust,
                          VerifyOptions{.at_time = kT0, .allow_ca_leaf = true}));
}

TEST(VerifyChain, PathLenZeroForbidsAnotherCaBelowTheIssuer) {
  const Issued sub = issue({.cn = "Sub", .ca = true}, &clientCa().issuer);
  const Issued leaf = issue({.san = "URI:https://x.example/a"}, &sub);
  const std::vector<Certificate> presented = {sub.cert};
  EXPECT_EQ(verifyAt(leaf, presented, verifyBundle(clientCa()), kT0).error().code,
            Errc::kUntrustedCertificate);
}

TEST(VerifyChain, Purpose) {
  const TrustStore trust = verifyBundle(clientCa());
  const Issued server = clientLeaf({.eku = "serverAuth"});
  EXPECT_EQ(verifyAt(server, {}, trust, kT0, false, Purpose::kClientAuth).error().code,
            Errc::kUntrustedCertificate);
  EXPECT_TRUE(verifyAt(server, {}, trust, kT0, false, Purpose::kServerAuth));
  const Issued no_eku = clientLeaf();  // PERSEUS.md client leaves have no EKU
  EXPECT_TRUE(verifyAt(no_eku, {}, trust, kT0, false, Purpose::kClientAuth));
  EXPECT_TRUE(verifyAt(no_eku, {}, trust, kT0, false, Purpose::kAny));
}

TEST(VerifyChain, RevokedByCrl) {
  const Issued good = clientLeaf();
  const Issued bad = clientLeaf();
  const std::string crls = makeCrl(clientCa().issuer, {bad.cert}, kT0 - kDay, kT0 + 7 * kDay) +
                           makeCrl(clientCa().root, {}, kT0 - kDay, kT0 + 7 * kDay);
  const TrustStore trust = verifyBundle(clientCa(), crls);
  EXPECT_EQ(trust.crlCount(), 2u);
  auto st = verifyAt(good, {}, trust, kT0, true);
  EXPECT_TRUE(st) << st.error().detail;
  EXPECT_EQ(verifyAt(bad, {}, trust, kT0, true).error().code, Errc::kRevoked);
  // Without CRL checking the revoked certificate passes: the option matters.
  EXPECT_TRUE(verifyAt(bad, {}, trust, kT0, false));
}

TEST(VerifyChain, CrlCheckFailsClosed) {
  const Issued good = clientLeaf();
  // No CRL at all.
  EXPECT_EQ(verifyAt(good, {}, verifyBundle(clientCa()), kT0, true).error().code,
            Errc::kUntrustedCertificate);
  // CRL for the issuer only: CRL_CHECK_ALL also wants the root's.
  const std::string issuer_only = makeCrl(clientCa().issuer, {}, kT0 - kDay, kT0 + 7 * kDay);
  EXPECT_EQ(verifyAt(good, {}, verifyBundle(clientCa(), issuer_only), kT0, true).error().code,
            Errc::kUntrustedCertificate);
  // Stale CRLs (past nextUpdate).
  const std::string stale = makeCrl(clientCa().issuer, {}, kT0 - 10 * kDay, kT0 - kDay) +
                            makeCrl(clientCa().root, {}, kT0 - 10 * kDay, kT0 - kDay);
  EXPECT_EQ(verifyAt(good, {}, verifyBundle(clientCa(), stale), kT0, true).error().code,
            Errc::kUntrustedCertificate);
  // A CRL signed by the wrong CA does not count.
  const std::string forged = makeCrl(otherCa().issuer, {}, kT0 - kDay, kT0 + 7 * kDay);
  EXPECT_FALSE(verifyAt(good, {}, verifyBundle(clientCa(), forged), kT0, true));
}

TEST(VerifyChain, BoundsAndTime) {
  const Issued leaf = clientLeaf();
  const TrustStore trust = verifyBundle(clientCa());
  EXPECT_EQ(verifyChain(leaf.cert, {}, trust, VerifyOptions{}).error().code,
            Errc::kInvalidArgument);
  const std::vector<Certificate> many(9, clientCa().issuer.cert);
  EXPECT_EQ(verifyAt(leaf, many, trust, kT0).error().code, Errc::kLimitExceeded);
}

TEST(TrustStore, BuildRules) {
  EXPECT_EQ(TrustStore::fromPem("").error().code, Errc::kMalformed);
  const Issued leaf = clientLeaf();
  EXPECT_EQ(TrustStore::fromPem(leaf.cert.toPem()).error().code, Errc::kInvalidArgument);
  TrustStore::Builder b;
  EXPECT_EQ(std::move(b).build().error().code, Errc::kInvalidArgument);
  TrustStore::Builder c;
  EXPECT_EQ(c.addCrlPem(leaf.cert.toPem()).error().code, Errc::kMalformed);
  EXPECT_EQ(c.addCrlPem("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n").error().code,
            Errc::kMalformed);
}

TEST(TrustStore, SharedAcrossThreads) {
  const TrustStore trust = verifyBundle(clientCa());
  const Issued leaf = clientLeaf();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (!verifyAt(leaf, {}, trust, kT0)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace gridgate::x509
