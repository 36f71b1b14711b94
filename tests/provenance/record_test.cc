#include "provenance/record.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/clock.h"
#include "provenance/builder.h"
#include "provenance/cert_checks.h"
#include "provenance/step.h"
#include "provenance/verifier.h"
#include "test_pki.h"

namespace gridgate::provenance {
namespace {

using testing::handSignedRecord;
using testing::perseusSteps;
using testing::TestPki;

constexpr std::string_view kScheme = "https://registry.core.trust.ib1.org/scheme/perseus";
constexpr std::string_view kCapRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";

class RecordTest : public ::testing::Test {
 protected:
  const TestPki& pki = TestPki::instance();
  FakeClock clock{pki.validTime()};

  // The data provider's record: permission, origin, transfer, signed by `signer_name`.
  Record providerRecord(std::string_view signer_name = "edp") {
    RecordBuilder b;
    auto permission = b.addStep(OrderedJson{{"type", "permission"},
                                            {"scheme", kScheme},
                                            {"timestamp", "2024-12-05T10:00:00Z"},
                                            {"account", "user-\xc3\xa9"},
                                            {"allows", {{"licences", {"https://l/1"}}}},
                                            {"expires", "2025-12-05T10:00:00Z"}},
                                clock);
    EXPECT_TRUE(permission);
    auto origin = b.addStep(OrderedJson{{"type", "origin"},
                                        {"scheme", kScheme},
                                        {"external", true},
                                        {"permissions", {*permission}},
                                        {"perseus:assurance", {{"missingData", 0.25}}}},
                            clock);
    EXPECT_TRUE(origin);
    auto transfer =
        b.addStep(OrderedJson{{"type", "transfer"}, {"scheme", kScheme}, {"of", *origin}}, clock);
    EXPECT_TRUE(transfer);
    auto r = b.sign(pki.signer(signer_name), clock);
    EXPECT_TRUE(r) << r.error().detail;
    return *r;
  }

  Result<VerifiedRecord> verifyText(const std::string& text) {
    GG_TRY(Record r, Record::parse(text));
    return pki.verifier().verify(r);
  }
};

TEST_F(RecordTest, BuildSignVerifyRoundTrip) {
  Record r = providerRecord();
  EXPECT_EQ(r.trustFramework(), kIb1TrustFramework);
  ASSERT_EQ(r.origins().size(), 1u);
  EXPECT_EQ(r.steps().elements.size(), 3u);
  EXPECT_EQ(r.steps().signature.serial, "123456");
  EXPECT_EQ(r.steps().signature.timestamp, formatUtc(pki.validTime()));
  // leaf [PEM, issuer serial] and issuer [PEM]
  ASSERT_EQ(r.certificates().size(), 2u);
  EXPECT_EQ(r.certificates().at("123456").size(), 2u);
  EXPECT_EQ(r.certificates().at("123456")[1], "2001");
  EXPECT_EQ(r.certificates().at("2001").size(), 1u);

  for (const std::string& text : {r.serialize(), r.toJson().dump()}) {
    auto v = verifyText(text);
    ASSERT_TRUE(v) << v.error().detail;
    ASSERT_EQ(v->steps.size(), 3u);
    EXPECT_EQ(v->steps[0].step["type"], "permission");
    EXPECT_EQ(v->steps[0].step["timestamp"], "2024-12-05T10:00:00Z");  // caller's
    EXPECT_EQ(v->steps[1].step["timestamp"], formatUtc(pki.validTime()));
    EXPECT_EQ(v->steps[1].step["perseus:assurance"]["missingData"], 0.25);
    EXPECT_EQ(v->steps[2].step["of"], r.origins()[0]);
    EXPECT_EQ(v->origins, r.origins());
    ASSERT_EQ(v->signatures.size(), 1u);
    const SignerInfo& s = v->signatures[0];
    EXPECT_EQ(s.identity.member, "https://directory.core.trust.ib1.org/m/edp");
    EXPECT_EQ(s.identity.organisation, "Example Energy Ltd");
    EXPECT_EQ(s.identity.application, "https://directory.core.trust.ib1.org/a/edp");
    EXPECT_EQ(s.identity.roles, std::vector<std::string>{std::string(kEnergyDataProviderRole)});
    EXPECT_EQ(s.serial, "123456");
    EXPECT_TRUE(requireRole(*v, kEnergyDataProviderRole));
  }
  // The serialisation follows the reference's member order and parses back to the same record.
  const std::string text = r.serialize();
  EXPECT_EQ(text.rfind(R"({"ib1:provenance":"https://registry.core.trust.ib1.org/trust-framework",)"
                       R"("origins":[")",
                       0),
            0u);
  auto back = Record::parse(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->serialize(), text);
}

TEST_F(RecordTest, StepMembersAreIdTimestampTypeThenCallersOrder) {
  RecordBuilder b;
  auto id =
      b.addStep(OrderedJson{{"zeta", 1}, {"type", "origin"}, {"alpha", 2}, {"mid", 3}}, clock);
  ASSERT_TRUE(id);
  EXPECT_TRUE(isStepId(*id));
  auto r = b.sign(pki.signer("edp"), clock);
  ASSERT_TRUE(r);
  auto raw = base64urlDecode(r->steps().elements[0].step(), Padding::kRequired);
  ASSERT_TRUE(raw);
  EXPECT_EQ(toString(*raw), R"({"id":")" + *id + R"(","timestamp":")" + formatUtc(pki.validTime()) +
                                R"(","type":"origin","zeta":1,"alpha":2,"mid":3})");
}

TEST_F(RecordTest, JsonOverloadKeepsNlohmannsAlphabeticalOrder) {
  RecordBuilder b;
  ASSERT_TRUE(b.addStep(Json{{"type", "origin"}, {"zeta", 1}, {"alpha", 2}}, clock));
  auto r = b.sign(pki.signer("edp"), clock);
  ASSERT_TRUE(r);
  auto raw = base64urlDecode(r->steps().elements[0].step(), Padding::kRequired);
  ASSERT_TRUE(raw);
  EXPECT_NE(toString(*raw).find(R"("type":"origin","alpha":2,"zeta":1})"), std::string::npos);
}

TEST_F(RecordTest, IncludingRecordsWithConflictingCertificatesFails) {
  Record a = providerRecord("edp");
  Json j = a.toJson();
  j["certificates"]["2001"][0] = pki.read("other-issuer.pem");  // same serial, other certificate
  auto b = Record::fromJson(j);
  ASSERT_TRUE(b);
  RecordBuilder d;
  ASSERT_TRUE(d.addRecord(a));
  auto s = d.addRecord(*b);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::kConflict);
  EXPECT_EQ(d.size(), 1u);  // the refused record left nothing behind
}

TEST_F(RecordTest, BuilderRefusesReservedKeysAndBadSteps) {
  RecordBuilder b;
  EXPECT_FALSE(b.addStep(OrderedJson{{"type", "origin"}, {"id", "x"}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson{{"type", "origin"}, {"_signature", 1}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson{{"scheme", "x"}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson{{"type", 5}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson{{"type", "origin"}, {"timestamp", "2024-12-05"}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson{{"type", "origin"}, {"bad", "\xff"}}, clock));
  EXPECT_FALSE(b.addStep(OrderedJson::array(), clock));
  EXPECT_EQ(b.size(), 0u);
  EXPECT_FALSE(b.sign(pki.signer("edp"), clock));  // nothing to sign
}

TEST_F(RecordTest, BuilderRefusesToSignOutsideCertificateValidity) {
  RecordBuilder b;
  ASSERT_TRUE(b.addStep(OrderedJson{{"type", "origin"}}, clock));
  const Signer signer = pki.signer("edp");
  FakeClock before(signer.leaf().notBefore() - 1);
  FakeClock after(signer.leaf().notAfter() + 1);
  auto r1 = b.sign(signer, before);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, Errc::kNotYetValid);
  auto r2 = b.sign(signer, after);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Errc::kExpired);
}

TEST_F(RecordTest, EveryAlteredByteFailsVerification) {
  const std::string text = providerRecord().serialize();
  ASSERT_TRUE(verifyText(text));
  const Verifier verifier = pki.verifier();
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string m = text;
    m[i] = static_cast<char>(m[i] ^ 0x01);
    auto r = Record::parse(m);
    if (r && verifier.verify(*r)) {
      ++accepted;
      ADD_FAILURE() << "accepted with byte " << i << " altered: " << text.substr(i, 20);
    }
  }
  EXPECT_EQ(accepted, 0u);
}

TEST_F(RecordTest, AlteredStepFails) {
  Record r = providerRecord();
  Json j = r.toJson();
  auto step = decodeStep(j["steps"][1].get<std::string>());
  ASSERT_TRUE(step);
  (*step)["external"] = false;
  j["steps"][1] = *encodeStep(*step);
  auto parsed = Record::fromJson(j);
  ASSERT_TRUE(parsed);
  auto v = pki.verifier().verify(*parsed);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kBadSignature);

  // Reordered, dropped and duplicated steps fail too.
  Json swapped = r.toJson();
  std::swap(swapped["steps"][0], swapped["steps"][2]);
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(swapped)));
  Json dropped = r.toJson();
  dropped["steps"].erase(0);
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(dropped)));
}

TEST_F(RecordTest, AlteredTimestampsFail) {
  Json j = providerRecord().toJson();
  Json moved = j;
  moved["steps"][3][2] = formatUtc(pki.validTime() + 1);  // signing time
  auto v = pki.verifier().verify(*Record::fromJson(moved));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kBadSignature);

  auto step = decodeStep(j["steps"][0].get<std::string>());
  (*step)["timestamp"] = "2024-12-05T10:00:01Z";  // a step's own timestamp
  j["steps"][0] = *encodeStep(*step);
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(j)));
}

TEST_F(RecordTest, AlteredCertificatesFail) {
  Record r = providerRecord();
  // Another valid certificate (same issuer) under the signer's serial: serial mismatch.
  Json j = r.toJson();
  j["certificates"]["123456"][0] = pki.read("cap.pem");
  auto v1 = pki.verifier().verify(*Record::fromJson(j));
  ASSERT_FALSE(v1);
  EXPECT_EQ(v1.error().code, Errc::kUntrustedCertificate);
  // The issuer removed from the map, or its path entry pointing elsewhere.
  Json no_issuer = r.toJson();
  no_issuer["certificates"].erase("2001");
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(no_issuer)));
  Json no_path = r.toJson();
  no_path["certificates"]["123456"] = Json::array({no_path["certificates"]["123456"][0]});
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(no_path)));
  // PEM that is the same certificate but not in canonical form (CRLF line ends).
  Json crlf = r.toJson();
  std::string pem = crlf["certificates"]["123456"][0];
  std::string with_cr;
  for (char c : pem) {
    if (c == '\n') with_cr += '\r';
    with_cr += c;
  }
  crlf["certificates"]["123456"][0] = with_cr;
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(crlf)));
  // No certificates at all.
  Json none = r.toJson();
  none.erase("certificates");
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(none)));
}

TEST_F(RecordTest, OriginsMustMatchTheOriginSteps) {
  Json j = providerRecord().toJson();
  Json wrong = j;
  wrong["origins"] = Json::array();
  auto v = pki.verifier().verify(*Record::fromJson(wrong));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kInvalidClaim);
  wrong["origins"] = Json::array({j["origins"][0], j["origins"][0]});
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(wrong)));
}

TEST_F(RecordTest, SignedOutsideCertificateValidityFails) {
  const Signer signer = pki.signer("edp");
  for (std::int64_t when : {signer.leaf().notBefore() - 60, signer.leaf().notAfter() + 60}) {
    Json j = handSignedRecord(perseusSteps(when), "edp", {"issuer"}, when);
    auto r = Record::fromJson(j);
    ASSERT_TRUE(r) << r.error().detail;
    auto v = pki.verifier().verify(*r);
    ASSERT_FALSE(v);
    EXPECT_TRUE(v.error().code == Errc::kExpired || v.error().code == Errc::kNotYetValid)
        << v.error().detail;
  }
  // The same hand-made record inside the validity verifies: the failure above is the time.
  Json good = handSignedRecord(perseusSteps(pki.validTime()), "edp", {"issuer"}, pki.validTime());
  auto v = pki.verifier().verify(*Record::fromJson(good));
  EXPECT_TRUE(v) << v.error().detail;
}

TEST_F(RecordTest, ValidityIsJudgedAtSigningTimeNotNow) {
  // Verification has no "now": a record signed while the certificate was valid stays valid.
  Record r = providerRecord();
  VerifierOptions opts;
  opts.latest_signing_time = pki.validTime() + 10 * 365 * 86400;
  EXPECT_TRUE(pki.verifier(opts).verify(r));
  opts.latest_signing_time = pki.validTime() - 1;  // "now" before the signature: future-dated
  auto v = pki.verifier(opts).verify(r);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kNotYetValid);
}

TEST_F(RecordTest, SignerWithoutEnergyDataProviderRoleIsFlagged) {
  Record r = providerRecord("cap");
  auto v = pki.verifier().verify(r);
  ASSERT_TRUE(v) << v.error().detail;  // a valid signature by a member without the role
  EXPECT_EQ(signersLackingRole(*v, kEnergyDataProviderRole), std::vector<std::size_t>{0});
  auto s = requireRole(*v, kEnergyDataProviderRole);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::kForbidden);
  EXPECT_TRUE(requireRole(*v, kCapRole));
}

TEST_F(RecordTest, TrustFrameworkIsSignedAndCanBeRequired) {
  Json j = providerRecord().toJson();
  j["ib1:provenance"] = std::string(kIb1SandboxTrustFramework);
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(j)));  // signature covers it

  RecordBuilder b{std::string(kIb1SandboxTrustFramework)};
  ASSERT_TRUE(b.addStep(OrderedJson{{"type", "origin"}}, clock));
  auto sandbox = b.sign(pki.signer("edp"), clock);
  ASSERT_TRUE(sandbox);
  EXPECT_TRUE(pki.verifier().verify(*sandbox));
  VerifierOptions opts;
  opts.trust_framework = std::string(kIb1TrustFramework);
  auto v = pki.verifier(opts).verify(*sandbox);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kInvalidClaim);
}

TEST_F(RecordTest, DownstreamPartyExtendsARecord) {
  Record received = providerRecord("edp");
  ASSERT_TRUE(pki.verifier().verify(received));
  clock.advance(std::chrono::seconds(30));
  RecordBuilder d(received.trustFramework());
  ASSERT_TRUE(d.addRecord(received));
  auto process = d.addStep(OrderedJson{{"type", "process"}, {"inputs", received.origins()}}, clock);
  ASSERT_TRUE(process);
  auto extended = d.sign(pki.signer("cap"), clock);
  ASSERT_TRUE(extended) << extended.error().detail;

  // The received steps are kept verbatim as a nested list, signature block included.
  ASSERT_EQ(extended->steps().elements.size(), 2u);
  ASSERT_FALSE(extended->steps().elements[0].isStep());
  EXPECT_EQ(containerToJson(extended->steps().elements[0].nested()),
            containerToJson(received.steps()));
  EXPECT_EQ(extended->origins(), received.origins());
  EXPECT_EQ(extended->certificates().size(), 3u);  // 123456, 98765, 2001

  auto v = pki.verifier().verify(*Record::parse(extended->serialize()));
  ASSERT_TRUE(v) << v.error().detail;
  ASSERT_EQ(v->signatures.size(), 2u);
  EXPECT_EQ(v->signatures[0].serial, "98765");
  EXPECT_EQ(v->signatures[0].depth, 0);
  EXPECT_EQ(v->signatures[1].serial, "123456");
  EXPECT_EQ(v->signatures[1].depth, 1);
  ASSERT_EQ(v->steps.size(), 4u);
  EXPECT_EQ(v->steps[0].signed_by, 1u);
  EXPECT_EQ(v->steps[0].included_by, std::vector<std::size_t>{0});
  EXPECT_EQ(v->steps[3].step["type"], "process");
  EXPECT_EQ(v->steps[3].signed_by, 0u);
  EXPECT_TRUE(v->steps[3].included_by.empty());
  // The outer signer has the CAP role; the inner one the EDP role.
  EXPECT_TRUE(requireRole(*v, kCapRole));
  EXPECT_EQ(signersLackingRole(*v, kEnergyDataProviderRole, RoleScope::kEverySigner),
            std::vector<std::size_t>{0});
  auto ref = v->toReferenceJson();
  EXPECT_EQ(ref[0]["_signature"]["signed"]["name"], "Example Energy Ltd");
  EXPECT_EQ(ref[0]["_signature"]["includedBy"][0]["name"], "Carbon Counters Ltd");

  // Tampering with the nested signature breaks both signatures.
  Json j = extended->toJson();
  std::string sig = j["steps"][0][3][3];
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  j["steps"][0][3][3] = sig;
  EXPECT_FALSE(pki.verifier().verify(*Record::fromJson(j)));

  // A record of another trust framework cannot be included.
  RecordBuilder other{std::string(kIb1SandboxTrustFramework)};
  EXPECT_FALSE(other.addRecord(received));
}

struct BadCertCase {
  const char* leaf;
  std::vector<std::string> issuers;
};

TEST_F(RecordTest, CertificateRulesAreEnforced) {
  const BadCertCase cases[] = {
      {"leaf-under-bc-noncrit", {"issuer-bc-noncrit"}},  // CA basicConstraints not critical
      {"leaf-under-no-kcs", {"issuer-no-kcs"}},          // CA without keyCertSign
      {"leaf-critical-ext", {"issuer"}},                 // unknown critical extension
      {"leaf-eku-server", {"issuer"}},                   // EKU without clientAuth
      {"leaf-no-roles", {"issuer"}},                     // no IB1 roles
      {"leaf-two-uris", {"issuer"}},                     // two SAN URIs
      {"leaf-p384", {"issuer"}},                         // not P-256
      {"leaf-other", {"other-issuer"}},                  // untrusted root
      {"edp", {}},                                       // issuer missing from the record
      {"issuer", {}},                                    // a CA as the signing certificate
  };
  const std::int64_t t = pki.validTime();
  for (const BadCertCase& c : cases) {
    Json j = handSignedRecord(perseusSteps(t), c.leaf, c.issuers, t);
    auto r = Record::fromJson(j);
    ASSERT_TRUE(r) << c.leaf;
    auto v = pki.verifier().verify(*r);
    EXPECT_FALSE(v) << c.leaf << " verified";
    // And Signer::create refuses them up front where it can tell.
    if (std::string_view(c.leaf) != "edp" && std::string_view(c.leaf) != "leaf-other" &&
        std::string_view(c.leaf) != "issuer") {
      EXPECT_FALSE(Signer::fromPem(pki.read(std::string(c.leaf) + ".key"),
                                   pki.read(std::string(c.leaf) + "-bundle.pem")))
          << c.leaf;
    }
  }
  // Control: the good leaf, same path shape.
  EXPECT_TRUE(pki.verifier().verify(
      *Record::fromJson(handSignedRecord(perseusSteps(t), "edp", {"issuer"}, t))));
}

// This module's own rules, without OpenSSL's chain verification in front of them.
TEST_F(RecordTest, CertChecksOnTheirOwn) {
  auto cert = [&](const char* name) { return *x509::Certificate::fromPem(pki.read(name)); };
  EXPECT_TRUE(checkCaCertificate(cert("root.pem")));
  EXPECT_TRUE(checkCaCertificate(cert("issuer.pem")));
  EXPECT_FALSE(checkCaCertificate(cert("issuer-bc-noncrit.pem")));
  EXPECT_FALSE(checkCaCertificate(cert("issuer-no-kcs.pem")));
  EXPECT_FALSE(checkCaCertificate(cert("edp.pem")));
  EXPECT_TRUE(checkSigningCertificate(cert("edp.pem")));
  EXPECT_FALSE(checkSigningCertificate(cert("issuer.pem")));
  EXPECT_FALSE(checkSigningCertificate(cert("leaf-critical-ext.pem")));
  EXPECT_FALSE(checkNoUnknownCriticalExtensions(cert("leaf-critical-ext.pem")));
  EXPECT_FALSE(checkSigningCertificate(cert("leaf-eku-server.pem")));
  EXPECT_FALSE(checkSigningCertificate(cert("leaf-p384.pem")));
  EXPECT_TRUE(readSignerIdentity(cert("edp.pem")));
  EXPECT_FALSE(readSignerIdentity(cert("leaf-no-roles.pem")));
  EXPECT_FALSE(readSignerIdentity(cert("leaf-two-uris.pem")));
  EXPECT_FALSE(readSignerIdentity(cert("root.pem")));  // no member, no SAN URI
}

TEST_F(RecordTest, SignerChecksKeyAndChain) {
  EXPECT_FALSE(Signer::fromPem(pki.read("cap.key"), pki.read("edp-bundle.pem")));  // wrong key
  EXPECT_FALSE(
      Signer::fromPem(pki.read("edp.key"), pki.read("edp.pem") + pki.read("other-issuer.pem")));
  EXPECT_TRUE(Signer::fromPem(pki.read("edp.key"), pki.read("edp.pem")));  // chain optional
  EXPECT_FALSE(Verifier::fromPem(pki.read("edp.pem")));                    // not a CA
}

TEST_F(RecordTest, ParsesApiResponses) {
  Record r = providerRecord();
  Json response = {{"data", Json::array()}, {"provenance", r.toJson()}};
  auto a = Record::parse(response.dump());
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_TRUE(pki.verifier().verify(*a));
  Json as_string = {{"data", Json::array()}, {"provenance", r.serialize()}};
  auto b = Record::parse(as_string.dump());
  ASSERT_TRUE(b);
  EXPECT_TRUE(pki.verifier().verify(*b));
  EXPECT_FALSE(Record::parse(R"({"data":[]})"));
  EXPECT_FALSE(Record::parse("[]"));
  Json extra = r.toJson();
  extra["signature"] = "x";
  EXPECT_FALSE(Record::fromJson(extra));
}

}  // namespace
}  // namespace gridgate::provenance
