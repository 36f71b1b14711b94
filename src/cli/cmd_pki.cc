// `gridgate pki`: the dev trust framework (init, issue, inspect, verify, revoke, crl).
// Every failure is one line on stderr and a non-zero exit; nothing is half-written (pki/files.h).
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/clock.h"
#include "core/json.h"
#include "pki/pki.h"
#include "x509/certificate.h"
#include "x509/trust_store.h"

namespace gridgate::cli {
namespace {

namespace fs = std::filesystem;

int report(std::string_view command, const Error& error) {
  std::fprintf(stderr, "gridgate pki %.*s: error: %s\n", static_cast<int>(command.size()),
               command.data(), error.detail.c_str());
  return 1;
}

std::int64_t nowSeconds() { return SystemClock::instance().unixSeconds(); }

// A certificate file: PEM (one or more CERTIFICATE blocks) or a single DER certificate.
Result<std::vector<x509::Certificate>> readCertificates(const fs::path& path) {
  GG_TRY(std::string content, pki::readFile(path));
  if (content.find("-----BEGIN") == std::string::npos) {
    auto der = x509::Certificate::fromDer(asBytes(content));
    if (!der) return fail(der.error().code, path.string() + ": " + der.error().detail);
    return std::vector<x509::Certificate>{*der};
  }
  auto certs = x509::parsePemBundle(content);
  if (!certs) return fail(certs.error().code, path.string() + ": " + certs.error().detail);
  return *certs;
}

std::string keyDescription(const x509::Certificate& cert) {
  auto key = cert.publicKey();
  if (!key) return "unsupported";
  switch (key->type()) {
    case crypto::KeyType::kEcP256:
      return "EC P-256";
    case crypto::KeyType::kEcP384:
      return "EC P-384";
    case crypto::KeyType::kRsa:
      return "RSA " + std::to_string(key->bits());
    case crypto::KeyType::kEd25519:
      return "Ed25519";
  }
  return "unknown";
}

Json describe(const x509::Certificate& c) {
  Json j = Json::object();
  j["subject"] = c.subjectDn();
  j["issuer"] = c.issuerDn();
  j["serial"] = c.serialDecimal();
  j["not_before"] = formatUtc(c.notBefore());
  j["not_after"] = formatUtc(c.notAfter());
  j["key"] = keyDescription(c);
  j["ca"] = c.isCa();
  j["san"] = {{"uri", c.sanUris()}, {"dns", c.sanDns()}, {"ip", c.sanIps()}};
  j["extended_key_usage"] = c.extendedKeyUsages();
  if (auto roles = c.ib1Roles()) {
    j["ib1_roles"] = *roles;
  } else {
    j["ib1_roles_error"] = roles.error().detail;
  }
  if (auto member = c.ib1Member()) {
    j["ib1_member"] = member->has_value() ? Json(**member) : Json(nullptr);
  } else {
    j["ib1_member_error"] = member.error().detail;
  }
  j["x5t#S256"] = c.thumbprint();
  return j;
}

void printText(const Json& j) {
  const auto line = [](std::string_view label, const std::string& value) {
    std::printf("  %-13.*s %s\n", static_cast<int>(label.size()), label.data(), value.c_str());
  };
  const auto list = [&](std::string_view label, const Json& values) {
    for (const auto& v : values) line(label, v.get<std::string>());
  };
  line("subject", j["subject"].get<std::string>());
  line("issuer", j["issuer"].get<std::string>());
  line("serial", j["serial"].get<std::string>());
  line("valid", j["not_before"].get<std::string>() + " to " + j["not_after"].get<std::string>());
  line("key", j["key"].get<std::string>());
  line("CA", j["ca"].get<bool>() ? "yes" : "no");
  list("SAN URI", j["san"]["uri"]);
  list("SAN DNS", j["san"]["dns"]);
  list("SAN IP", j["san"]["ip"]);
  list("EKU", j["extended_key_usage"]);
  if (j.contains("ib1_roles")) {
    list("IB1 role", j["ib1_roles"]);
  } else {
    line("IB1 roles", "MALFORMED: " + j["ib1_roles_error"].get<std::string>());
  }
  if (j.contains("ib1_member")) {
    if (!j["ib1_member"].is_null()) line("IB1 member", j["ib1_member"].get<std::string>());
  } else {
    line("IB1 member", "MALFORMED: " + j["ib1_member_error"].get<std::string>());
  }
  line("x5t#S256", j["x5t#S256"].get<std::string>());
}

// The leaf of a bundle in any order: the certificate that issued none of the others.
std::size_t leafIndex(const std::vector<x509::Certificate>& certs) {
  for (std::size_t i = 0; i < certs.size(); ++i) {
    bool issued_another = false;
    for (std::size_t k = 0; k < certs.size(); ++k) {
      if (k != i && !(certs[k] == certs[i]) &&
          X509_check_issued(certs[i].raw(), certs[k].raw()) == X509_V_OK) {
        issued_another = true;
      }
    }
    if (!issued_another) return i;
  }
  return 0;
}

Result<pki::Hierarchy> parseHierarchy(std::string_view s) {
  if (s == "client") return pki::Hierarchy::kClient;
  if (s == "server") return pki::Hierarchy::kServer;
  if (s == "signing") return pki::Hierarchy::kSigning;
  return fail(Errc::kInvalidArgument, "certificate type must be client, server or signing");
}

// File name part for `issue`: lowercase letters, digits, '-' and '.', not starting with '.'.
Status checkName(std::string_view name) {
  const bool ok_chars = !name.empty() && name.size() <= 64 && name.front() != '.' &&
                        name.find("..") == std::string_view::npos;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      return fail(Errc::kInvalidArgument, "--name may hold only a-z, 0-9, '-' and '.'");
    }
  }
  if (!ok_chars) return fail(Errc::kInvalidArgument, "bad --name");
  return ok();
}

std::string defaultName(const pki::LeafOptions& o) {
  if (o.hierarchy == pki::Hierarchy::kServer) {
    return !o.dns.empty() ? o.dns.front() : (!o.ips.empty() ? o.ips.front() : std::string());
  }
  const std::string& url = o.application;
  const std::size_t slash = url.find_last_of('/');
  std::string name = slash == std::string::npos ? url : url.substr(slash + 1);
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return name;
}

struct InitArgs {
  std::string dir;
  std::string framework = "Core";
  std::string country = "GB";
  bool force = false;
};

struct IssueArgs {
  std::string type;
  std::string dir;
  std::string application;
  std::string member;
  std::vector<std::string> roles;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  int days = 0;
  std::string name;
  std::string organization;
  bool force = false;
};

struct InspectArgs {
  std::string file;
  bool json = false;
};

struct VerifyArgs {
  std::string ca;
  std::string untrusted;
  std::string crl;
  std::string purpose = "any";
  std::string at;
  std::string file;
};

struct RevokeArgs {
  std::string dir;
  std::string file;
};

struct CrlArgs {
  std::string dir;
  int days = 30;
};

int runInit(const InitArgs& a) {
  pki::InitOptions o;
  o.dir = a.dir;
  o.framework = a.framework;
  o.country = a.country;
  o.force = a.force;
  o.now = nowSeconds();
  o.progress = [](int step, int total, std::string_view what) {
    std::printf("[%2d/%d] %.*s\n", step, total, static_cast<int>(what.size()), what.data());
    std::fflush(stdout);
  };
  auto r = pki::init(o);
  if (!r) return report("init", r.error());
  std::printf("%zu files created, %zu kept in %s (see %s)\n", r->created.size(), r->kept.size(),
              a.dir.c_str(), r->layout.readme.string().c_str());
  return 0;
}

int runIssue(const IssueArgs& a) {
  auto hierarchy = parseHierarchy(a.type);
  if (!hierarchy) return report("issue", hierarchy.error());
  pki::LeafOptions o;
  o.hierarchy = *hierarchy;
  o.application = a.application;
  o.member = a.member;
  o.roles = a.roles;
  o.dns = a.dns;
  o.ips = a.ips;
  o.days = a.days;
  o.organization = a.organization;
  o.now = nowSeconds();
  if (!a.name.empty()) {
    if (auto st = checkName(a.name); !st) return report("issue", st.error());
  }
  const pki::Layout layout = pki::Layout::in(a.dir);
  auto leaf = pki::issueLeaf(layout, o);
  if (!leaf) return report("issue", leaf.error());
  const std::string name = a.name.empty() ? defaultName(o) : a.name;
  if (auto st = checkName(name); !st) return report("issue", st.error());
  const pki::LeafFiles files = layout.leaf(*hierarchy, name);
  if (auto st = pki::writeLeaf(*leaf, files, a.force ? pki::Overwrite::kYes : pki::Overwrite::kNo);
      !st) {
    return report("issue", st.error());
  }
  std::printf("issued %s\n  certificate %s\n  key         %s\n  bundle      %s\n  x5t#S256    %s\n",
              leaf->cert.subjectDn().c_str(), files.cert.string().c_str(),
              files.key.string().c_str(), files.bundle.string().c_str(),
              leaf->cert.thumbprint().c_str());
  return 0;
}

int runInspect(const InspectArgs& a) {
  auto certs = readCertificates(a.file);
  if (!certs) return report("inspect", certs.error());
  if (a.json) {
    Json out = Json::object();
    out["file"] = a.file;
    out["certificates"] = Json::array();
    for (const auto& c : *certs) out["certificates"].push_back(describe(c));
    std::printf("%s\n", dumpJson(out, 2).c_str());
    return 0;
  }
  for (std::size_t i = 0; i < certs->size(); ++i) {
    std::printf("%s: certificate %zu of %zu\n", a.file.c_str(), i + 1, certs->size());
    printText(describe((*certs)[i]));
  }
  return 0;
}

int runVerify(const VerifyArgs& a) {
  auto anchors = pki::readFile(a.ca);
  if (!anchors) return report("verify", anchors.error());
  std::string crls;
  if (!a.crl.empty()) {
    auto c = pki::readFile(a.crl);
    if (!c) return report("verify", c.error());
    crls = std::move(*c);
  }
  auto trust = x509::TrustStore::fromPem(*anchors, crls);
  if (!trust)
    return report("verify", Error{trust.error().code, a.ca + ": " + trust.error().detail});
  auto certs = readCertificates(a.file);
  if (!certs) return report("verify", certs.error());
  std::vector<x509::Certificate> untrusted;
  if (!a.untrusted.empty()) {
    auto extra = readCertificates(a.untrusted);
    if (!extra) return report("verify", extra.error());
    untrusted = std::move(*extra);
  }
  const std::size_t leaf_at = leafIndex(*certs);
  for (std::size_t i = 0; i < certs->size(); ++i) {
    if (i != leaf_at) untrusted.push_back((*certs)[i]);
  }
  const x509::Certificate& leaf = (*certs)[leaf_at];
  x509::VerifyOptions options;
  options.at_time = nowSeconds();
  if (!a.at.empty()) {
    auto at = parseUtc(a.at);
    if (!at)
      return report("verify",
                    Error{Errc::kInvalidArgument, "--at must be like 2026-01-31T12:00:00Z"});
    options.at_time = *at;
  }
  options.check_crl = !a.crl.empty();
  options.allow_ca_leaf = true;
  if (a.purpose == "client") {
    options.purpose = x509::Purpose::kClientAuth;
  } else if (a.purpose == "server") {
    options.purpose = x509::Purpose::kServerAuth;
  } else if (a.purpose != "any") {
    return report("verify",
                  Error{Errc::kInvalidArgument, "--purpose must be any, client or server"});
  }
  auto st = x509::verifyChain(leaf, untrusted, *trust, options);
  if (!st) {
    std::printf("NOT TRUSTED (%s): %s\n  %s\n", std::string(errcName(st.error().code)).c_str(),
                leaf.subjectDn().c_str(), st.error().detail.c_str());
    return 1;
  }
  std::printf("OK: %s\n  chains to a root in %s at %s%s%s\n", leaf.subjectDn().c_str(),
              a.ca.c_str(), formatUtc(options.at_time).c_str(),
              options.check_crl ? ", not revoked" : "", leaf.isCa() ? " (a CA certificate)" : "");
  return 0;
}

int runRevoke(const RevokeArgs& a) {
  auto certs = readCertificates(a.file);
  if (!certs) return report("revoke", certs.error());
  const x509::Certificate& cert = (*certs)[leafIndex(*certs)];
  auto r = pki::revoke(pki::Layout::in(a.dir), cert, nowSeconds());
  if (!r) return report("revoke", r.error());
  std::printf("%s %s (serial %s)\n  CRL written: %s\n",
              r->already_revoked ? "already revoked:" : "revoked:", cert.subjectDn().c_str(),
              cert.serialDecimal().c_str(), r->crl.string().c_str());
  return 0;
}

int runCrl(const CrlArgs& a) {
  auto written = pki::writeCrls(pki::Layout::in(a.dir), nowSeconds(), a.days);
  if (!written) return report("crl", written.error());
  for (const auto& p : *written) std::printf("CRL written: %s\n", p.string().c_str());
  return 0;
}

const Registration kPki("pki", [](CLI::App& app) {
  auto* pki =
      app.add_subcommand("pki", "dev trust framework: CAs, leaves with IB1 extensions, CRLs");
  pki->require_subcommand(1);

  auto init_args = std::make_shared<InitArgs>();
  auto* init = pki->add_subcommand("init", "create the three CA hierarchies, leaves and bundles");
  init->add_option("--dir", init_args->dir, "output directory")->required();
  init->add_option("--framework", init_args->framework, "trust framework name (subjects)");
  init->add_option("--country", init_args->country, "country code of the subjects");
  init->add_flag("--force", init_args->force, "replace existing files");
  init->callback([init_args] { setExitCode(runInit(*init_args)); });

  auto issue_args = std::make_shared<IssueArgs>();
  auto* issue = pki->add_subcommand("issue", "issue a client, server or signing certificate");
  issue->add_option("type", issue_args->type, "client | server | signing")->required();
  issue->add_option("--dir", issue_args->dir, "PKI directory (from pki init)")->required();
  issue->add_option("--application", issue_args->application, "application URL (CN, SAN URI)");
  issue->add_option("--member", issue_args->member, "member URL (IB1 extension)");
  issue->add_option("--role", issue_args->roles, "role URL (repeatable)");
  issue->add_option("--dns", issue_args->dns, "server DNS name (repeatable)");
  issue->add_option("--ip", issue_args->ips, "server IP address (repeatable)");
  issue->add_option("--days", issue_args->days,
                    "validity in days (default: 365, or until the issuer expires)");
  issue->add_option("--name", issue_args->name, "file name part: <type>-<name>-cert.pem ...");
  issue->add_option("--org", issue_args->organization, "organization (O) of the subject");
  issue->add_flag("--force", issue_args->force, "replace existing files");
  issue->callback([issue_args] { setExitCode(runIssue(*issue_args)); });

  auto inspect_args = std::make_shared<InspectArgs>();
  auto* inspect = pki->add_subcommand("inspect", "show a certificate or bundle");
  inspect->add_option("file", inspect_args->file, "certificate file (PEM or DER)")->required();
  inspect->add_flag("--json", inspect_args->json, "JSON output");
  inspect->callback([inspect_args] { setExitCode(runInspect(*inspect_args)); });

  auto verify_args = std::make_shared<VerifyArgs>();
  auto* verify = pki->add_subcommand("verify", "verify a certificate chain");
  verify->add_option("--ca", verify_args->ca, "trusted root(s), PEM")->required();
  verify->add_option("--untrusted", verify_args->untrusted, "intermediates, PEM");
  verify->add_option("--crl", verify_args->crl, "CRLs (PEM) to check every certificate against");
  verify->add_option("--purpose", verify_args->purpose, "any | client | server");
  verify->add_option("--at", verify_args->at, "verification time, e.g. 2026-01-31T12:00:00Z");
  verify->add_option("file", verify_args->file, "certificate or bundle (any order)")->required();
  verify->callback([verify_args] { setExitCode(runVerify(*verify_args)); });

  auto revoke_args = std::make_shared<RevokeArgs>();
  auto* revoke = pki->add_subcommand("revoke", "revoke a certificate and rewrite its CRL");
  revoke->add_option("--dir", revoke_args->dir, "PKI directory")->required();
  revoke->add_option("file", revoke_args->file, "certificate to revoke")->required();
  revoke->callback([revoke_args] { setExitCode(runRevoke(*revoke_args)); });

  auto crl_args = std::make_shared<CrlArgs>();
  auto* crl = pki->add_subcommand("crl", "rewrite the CRLs of every hierarchy");
  crl->add_option("--dir", crl_args->dir, "PKI directory")->required();
  crl->add_option("--days", crl_args->days, "CRL validity in days (default 30)");
  crl->callback([crl_args] { setExitCode(runCrl(*crl_args)); });
});

}  // namespace
}  // namespace gridgate::cli
