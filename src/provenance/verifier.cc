#include "provenance/verifier.h"

#include <algorithm>

#include "core/base64.h"
#include "core/clock.h"
#include "crypto/pkey.h"
#include "provenance/step.h"
#include "x509/certificate.h"

namespace gridgate::provenance {
namespace {

Error context(Error e, std::string_view where) {
  e.detail = std::string(where) + ": " + e.detail;
  return e;
}

Result<x509::Certificate> loadListed(const CertificateMap& certs, const std::string& serial) {
  const auto it = certs.find(serial);
  if (it == certs.end()) {
    return fail(Errc::kUntrustedCertificate,
                "certificate serial " + serial + " is not present in the record");
  }
  const std::string& pem = it->second.front();
  GG_TRY(x509::Certificate cert, x509::Certificate::fromPem(pem));
  if (cert.serialDecimal() != serial) {
    return fail(Errc::kUntrustedCertificate, "certificate listed under serial " + serial +
                                                 " has serial " + cert.serialDecimal());
  }
  if (cert.toPem() != pem) {
    return fail(Errc::kMalformed, "certificate " + serial + " is not in canonical PEM");
  }
  return cert;
}

class Run {
 public:
  Run(const Record& record, const x509::TrustStore& roots, const VerifierOptions& options)
      : record_(record), roots_(roots), options_(options) {}

  Status container(const Container& c, int depth, std::vector<std::size_t>& stack) {
    const std::size_t me = out_.signatures.size();
    GG_TRY(SignerInfo info, signature(c, depth));
    out_.signatures.push_back(std::move(info));
    for (const Element& e : c.elements) {
      if (!e.isStep()) {
        stack.push_back(me);
        GG_TRY(container(e.nested(), depth + 1, stack));
        stack.pop_back();
        continue;
      }
      auto step = decodeStep(e.step());
      if (!step) return fail(context(std::move(step.error()), "step"));
      const std::string& type = step->find("type")->get_ref<const std::string&>();
      if (type == "origin") out_.origins.push_back(step->find("id")->get<std::string>());
      out_.steps.push_back(VerifiedStep{std::move(*step), me, stack});
    }
    return ok();
  }

  VerifiedRecord take() { return std::move(out_); }

 private:
  Result<SignerInfo> signature(const Container& c, int depth) {
    const SignatureBlock& block = c.signature;
    const std::string where = "signature by " + block.serial + " at " + block.timestamp;
    auto r = checkSignature(c, depth);
    if (!r) return fail(context(std::move(r.error()), where));
    return r;
  }

  Result<SignerInfo> checkSignature(const Container& c, int depth) {
    const SignatureBlock& block = c.signature;
    GG_TRY(const std::int64_t signed_at, parseUtc(block.timestamp));
    if (options_.latest_signing_time != 0 && signed_at > options_.latest_signing_time) {
      return fail(Errc::kNotYetValid, "signature is dated in the future");
    }
    const CertificateMap& certs = record_.certificates();
    GG_TRY(x509::Certificate leaf, loadListed(certs, block.serial));
    std::vector<x509::Certificate> path;
    const std::vector<std::string>& entry = certs.find(block.serial)->second;
    for (std::size_t i = 1; i < entry.size(); ++i) {
      GG_TRY(x509::Certificate issuer, loadListed(certs, entry[i]));
      path.push_back(std::move(issuer));
    }
    x509::VerifyOptions vo;
    vo.at_time = signed_at;
    vo.purpose = x509::Purpose::kClientAuth;
    vo.max_depth = options_.max_chain_depth;
    GG_TRY(x509::verifyChain(leaf, path, roots_, vo));
    // verifyChain does not report the path it built; checking the signing certificate, every
    // listed issuer and (at construction) every anchor covers whichever path it was.
    GG_TRY(checkSigningCertificate(leaf));
    for (const x509::Certificate& issuer : path) GG_TRY(checkCaCertificate(issuer));

    GG_TRY(crypto::PKey key, leaf.publicKey());
    GG_TRY(Bytes sig, base64urlDecode(block.signature, Padding::kRequired));
    const std::string input = signingInput(record_.trustFramework(), c);
    GG_TRY(crypto::verify(key, crypto::SigScheme::kEcdsaSha256, asBytes(input), sig));

    SignerInfo info;
    GG_TRY(info.identity, readSignerIdentity(leaf));
    info.serial = block.serial;
    info.signed_at = block.timestamp;
    info.depth = depth;
    return info;
  }

  const Record& record_;
  const x509::TrustStore& roots_;
  const VerifierOptions& options_;
  VerifiedRecord out_;
};

}  // namespace

Result<Verifier> Verifier::create(x509::TrustStore signing_roots, VerifierOptions options) {
  for (const x509::Certificate& anchor : signing_roots.anchors()) {
    auto checked = checkCaCertificate(anchor);
    if (!checked) return fail(context(std::move(checked.error()), "signing root"));
  }
  return Verifier(std::move(signing_roots), std::move(options));
}

Result<Verifier> Verifier::fromPem(std::string_view signing_root_pem, VerifierOptions options) {
  GG_TRY(x509::TrustStore roots, x509::TrustStore::fromPem(signing_root_pem));
  return create(std::move(roots), std::move(options));
}

Result<VerifiedRecord> Verifier::verify(const Record& record) const {
  if (options_.trust_framework && record.trustFramework() != *options_.trust_framework) {
    return fail(Errc::kInvalidClaim,
                "provenance: record is for trust framework " + record.trustFramework());
  }
  Run run(record, roots_, options_);
  std::vector<std::size_t> stack;
  GG_TRY(run.container(record.steps(), 0, stack));
  VerifiedRecord v = run.take();
  if (v.origins != record.origins()) {
    return fail(Errc::kInvalidClaim, "provenance: origins do not match the origin steps");
  }
  v.trust_framework = record.trustFramework();
  return v;
}

OrderedJson VerifiedRecord::toReferenceJson() const {
  auto signer = [this](std::size_t i) {
    const SignerIdentity& id = signatures[i].identity;
    return OrderedJson{{"member", id.member},
                       {"name", id.organisation},
                       {"application", id.application},
                       {"roles", id.roles}};
  };
  OrderedJson out = OrderedJson::array();
  for (const VerifiedStep& s : steps) {
    OrderedJson step = s.step;
    OrderedJson included = OrderedJson::array();
    for (std::size_t i : s.included_by) included.push_back(signer(i));
    step["_signature"] = OrderedJson{{"signed", signer(s.signed_by)}, {"includedBy", included}};
    out.push_back(std::move(step));
  }
  return out;
}

std::vector<std::size_t> signersLackingRole(const VerifiedRecord& v, std::string_view role,
                                            RoleScope scope) {
  std::vector<std::size_t> out;
  const std::size_t n = scope == RoleScope::kOutermostSigner
                            ? std::min<std::size_t>(1, v.signatures.size())
                            : v.signatures.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& roles = v.signatures[i].identity.roles;
    if (std::find(roles.begin(), roles.end(), role) == roles.end()) out.push_back(i);
  }
  return out;
}

Status requireRole(const VerifiedRecord& v, std::string_view role, RoleScope scope) {
  if (v.signatures.empty()) return fail(Errc::kForbidden, "provenance: no signer");
  const auto lacking = signersLackingRole(v, role, scope);
  if (lacking.empty()) return ok();
  const SignerInfo& s = v.signatures[lacking.front()];
  return fail(Errc::kForbidden, "provenance: signer " + s.identity.application + " (serial " +
                                    s.serial + ") lacks role " + std::string(role));
}

}  // namespace gridgate::provenance
