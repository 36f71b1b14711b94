#include "pki/pki.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "core/clock.h"
#include "pki/authority.h"

namespace gridgate::pki {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kBackdate = 300;  // clock skew between the machines of a dev setup
constexpr int kRootDays = 9132;
constexpr int kIssuerDays = 365;
constexpr int kLeafDays = 365;
constexpr int kMaxLeafDays = 3650;
constexpr std::array<Hierarchy, 3> kAllHierarchies = {Hierarchy::kClient, Hierarchy::kServer,
                                                      Hierarchy::kSigning};

struct KeyedCert {
  x509::Certificate cert;
  crypto::PKey key;
};

struct CaPair {
  CaMaterial root;
  CaMaterial issuer;
};

bool fileExists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

bool signedBy(const x509::Certificate& cert, const x509::Certificate& ca) {
  EVP_PKEY* pub = X509_get0_pubkey(ca.raw());
  const bool ok = pub != nullptr && X509_check_issued(ca.raw(), cert.raw()) == X509_V_OK &&
                  X509_verify(cert.raw(), pub) == 1;
  ERR_clear_error();
  return ok;
}

std::string fileName(const fs::path& p) { return p.filename().string(); }

// Both files, or neither (nullopt). The key must match the certificate.
Result<std::optional<KeyedCert>> loadPair(const fs::path& cert_path, const fs::path& key_path) {
  const bool has_cert = fileExists(cert_path);
  const bool has_key = fileExists(key_path);
  if (!has_cert && !has_key) return std::optional<KeyedCert>{};
  if (has_cert != has_key) {
    return fail(Errc::kConflict, fileName(has_cert ? cert_path : key_path) + " exists without " +
                                     fileName(has_cert ? key_path : cert_path) +
                                     " (restore it, or use --force to start over)");
  }
  GG_TRY(std::string cert_pem, readFile(cert_path));
  GG_TRY(std::string key_pem, readFile(key_path));
  auto cert = x509::Certificate::fromPem(cert_pem);
  if (!cert) return fail(cert.error().code, cert_path.string() + ": " + cert.error().detail);
  auto key = crypto::PKey::fromPem(key_pem);
  if (!key || !key->hasPrivate()) {
    return fail(Errc::kInvalidArgument, key_path.string() + ": not a private key");
  }
  if (!cert->matchesKey(*key)) {
    return fail(Errc::kInvalidArgument,
                fileName(key_path) + " does not match " + fileName(cert_path));
  }
  return std::optional<KeyedCert>(KeyedCert{std::move(*cert), std::move(*key)});
}

Result<CaMaterial> loadCaFiles(const fs::path& cert_path, const fs::path& key_path) {
  GG_TRY(auto pair, loadPair(cert_path, key_path));
  if (!pair) return fail(Errc::kIo, "cannot read " + cert_path.string() + ": no such file");
  if (!pair->cert.isCa()) return fail(Errc::kInvalidArgument, cert_path.string() + " is not a CA");
  return CaMaterial{pair->cert, pair->key};
}

Result<CaPair> loadHierarchy(const Layout& layout, Hierarchy h) {
  const HierarchyFiles& f = layout.hierarchy(h);
  GG_TRY(CaMaterial root, loadCaFiles(f.ca, f.ca_key));
  GG_TRY(CaMaterial issuer, loadCaFiles(f.issuer, f.issuer_key));
  if (!signedBy(issuer.cert, root.cert)) {
    return fail(Errc::kInvalidArgument,
                fileName(f.issuer) + " was not issued by " + fileName(f.ca));
  }
  return CaPair{std::move(root), std::move(issuer)};
}

DistinguishedName caName(const InitOptions& o, Hierarchy h, std::string_view suffix) {
  const std::string tf = o.framework + " Trust Framework";
  return DistinguishedName{o.country, "London", tf,
                           tf + " " + std::string(hierarchyTitle(h)) + " " + std::string(suffix)};
}

Status checkPrintable(std::string_view value, std::string_view what, std::size_t max) {
  if (value.empty() || value.size() > max) {
    return fail(Errc::kInvalidArgument,
                std::string(what) + " must be 1 to " + std::to_string(max) + " characters");
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return fail(Errc::kInvalidArgument, std::string(what) + " holds a control character");
    }
  }
  return ok();
}

Status checkCountry(std::string_view c) {
  if (c.size() != 2 ||
      !std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return fail(Errc::kInvalidArgument, "country must be two capital letters, e.g. GB");
  }
  return ok();
}

Status checkLeafOptions(const LeafOptions& o) {
  if (o.now <= 0) return fail(Errc::kInvalidArgument, "issue time not set");
  if (o.days < 0 || o.days > kMaxLeafDays) {
    return fail(Errc::kInvalidArgument, "--days must be 1 to " + std::to_string(kMaxLeafDays));
  }
  GG_TRY(checkCountry(o.country));
  if (!o.state.empty()) GG_TRY(checkPrintable(o.state, "state", 64));
  if (!o.organization.empty()) GG_TRY(checkPrintable(o.organization, "organization", 64));
  if (o.hierarchy == Hierarchy::kServer) {
    if (o.dns.empty() && o.ips.empty()) {
      return fail(Errc::kInvalidArgument, "a server certificate needs --dns or --ip");
    }
    if (!o.application.empty() || !o.member.empty() || !o.roles.empty()) {
      return fail(Errc::kInvalidArgument,
                  "--application, --member and --role are for client and signing certificates");
    }
    for (const std::string& d : o.dns) GG_TRY(checkDnsName(d));
    return ok();
  }
  if (!o.dns.empty() || !o.ips.empty()) {
    return fail(Errc::kInvalidArgument, "--dns and --ip are for server certificates");
  }
  if (o.application.empty()) return fail(Errc::kInvalidArgument, "--application is required");
  GG_TRY(checkApplicationUrl(o.application));
  if (o.member.empty()) return fail(Errc::kInvalidArgument, "--member is required");
  GG_TRY(checkMemberUrl(o.member));
  if (o.roles.empty()) return fail(Errc::kInvalidArgument, "at least one --role is required");
  for (const std::string& r : o.roles) GG_TRY(checkRoleUrl(r));
  return ok();
}

Result<IssuedLeaf> makeLeaf(const CaPair& ca, const LeafOptions& o) {
  GG_TRY(checkLeafOptions(o));
  CertificateRequest req;
  req.not_before = o.now - kBackdate;
  const int days = o.days == 0 ? kLeafDays : o.days;
  req.not_after = o.now + static_cast<std::int64_t>(days) * kDay;
  if (req.not_after > ca.issuer.cert.notAfter()) {
    if (o.days != 0) {
      return fail(Errc::kInvalidArgument, "the certificate would outlive its issuer (valid until " +
                                              formatUtc(ca.issuer.cert.notAfter()) +
                                              "); use fewer --days");
    }
    req.not_after = ca.issuer.cert.notAfter();
  }
  if (req.not_after <= o.now) return fail(Errc::kExpired, "the issuer has expired");
  req.subject = DistinguishedName{o.country, o.state, o.organization, {}};
  switch (o.hierarchy) {
    case Hierarchy::kServer:
      req.profile = Profile::kServerLeaf;
      req.subject.common_name = o.dns.empty() ? o.ips.front() : o.dns.front();
      req.san_dns = o.dns;
      req.san_ips = o.ips;
      break;
    case Hierarchy::kClient:
    case Hierarchy::kSigning:
      req.profile =
          o.hierarchy == Hierarchy::kClient ? Profile::kClientLeaf : Profile::kSigningLeaf;
      req.subject.common_name = o.application;
      req.san_uris = {o.application};
      req.ib1_roles = o.roles;
      req.ib1_member = o.member;
      break;
  }
  GG_TRY(crypto::PKey key, crypto::PKey::generate(crypto::KeyType::kEcP256));
  GG_TRY(x509::Certificate cert, makeCertificate(req, key, &ca.issuer));
  std::vector<x509::Certificate> bundle = {cert, ca.issuer.cert};
  if (o.hierarchy == Hierarchy::kServer) bundle.push_back(ca.root.cert);
  return IssuedLeaf{o.hierarchy, std::move(cert), std::move(key), std::move(bundle)};
}

// H-revoked.txt: "# comment" lines, then one line per revocation:
//   <issuer|root> <serial, decimal> <revoked at, unix seconds> <x5t#S256>
struct Revocation {
  bool by_root = false;
  std::string serial;
  std::int64_t at = 0;
  std::string thumbprint;
};

constexpr std::string_view kRevokedHeader =
    "# gridgate pki revocation list: <issuer|root> <serial (decimal)> <revoked at (unix seconds)> "
    "<x5t#S256>\n";

Result<std::vector<Revocation>> readRevocations(const fs::path& path) {
  std::vector<Revocation> out;
  if (!fileExists(path)) return out;
  GG_TRY(std::string text, readFile(path));
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto bad = [&] {
      return fail(Errc::kMalformed, path.string() + ":" + std::to_string(line_no) + ": bad line");
    };
    std::array<std::string_view, 4> fields;
    std::size_t start = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::size_t sp = i < 3 ? line.find(' ', start) : line.size();
      if (sp == std::string_view::npos) return bad();
      fields[i] = line.substr(start, sp - start);
      start = sp + 1;
    }
    if (fields[3].find(' ') != std::string_view::npos) return bad();
    Revocation r;
    if (fields[0] == "root") {
      r.by_root = true;
    } else if (fields[0] != "issuer") {
      return bad();
    }
    if (fields[1].empty() || fields[1].size() > 60 ||
        !std::all_of(fields[1].begin(), fields[1].end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return bad();
    }
    r.serial = std::string(fields[1]);
    const auto [p, ec] =
        std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), r.at);
    if (ec != std::errc() || p != fields[2].data() + fields[2].size() || r.at <= 0) return bad();
    if (fields[3].size() != 43) return bad();
    r.thumbprint = std::string(fields[3]);
    out.push_back(std::move(r));
  }
  return out;
}

std::string formatRevocations(const std::vector<Revocation>& list) {
  std::string out(kRevokedHeader);
  for (const Revocation& r : list) {
    out += (r.by_root ? "root " : "issuer ") + r.serial + " " + std::to_string(r.at) + " " +
           r.thumbprint + "\n";
  }
  return out;
}

Result<std::string> hierarchyCrl(const CaPair& ca, const std::vector<Revocation>& list,
                                 std::int64_t now, int days) {
  std::vector<RevokedEntry> by_issuer;
  std::vector<RevokedEntry> by_root;
  for (const Revocation& r : list) {
    (r.by_root ? by_root : by_issuer).push_back(RevokedEntry{r.serial, r.at});
  }
  const std::int64_t next = now + static_cast<std::int64_t>(days) * kDay;
  GG_TRY(std::string issuer_crl, makeCrlPem(ca.issuer, by_issuer, now - kBackdate, next));
  GG_TRY(std::string root_crl, makeCrlPem(ca.root, by_root, now - kBackdate, next));
  return issuer_crl + root_crl;
}

std::string readmeText(const Layout& l, const InitOptions& o, const Identities& ids) {
  const auto name = [](const fs::path& p) { return p.filename().string(); };
  std::string t;
  t += "Dev trust framework made by `gridgate pki init` (" + o.framework +
       " Trust Framework). NOT FOR PRODUCTION: every private key is in this directory.\n\n";
  t +=
      "Three hierarchies (PERSEUS.md, Certificates): client (mTLS clients), server (TLS servers),\n"
      "signing (provenance). Each: root EC P-384, 9132 days; issuer EC P-256, 365 days, pathlen "
      "0.\n\n";
  for (Hierarchy h : kAllHierarchies) {
    const HierarchyFiles& f = l.hierarchy(h);
    const std::string hn(hierarchyName(h));
    t += name(f.ca) + "\n    " + hn + " root CA certificate\n";
    t += name(f.ca_key) + "\n    " + hn + " root CA private key (0600)\n";
    t += name(f.issuer) + "\n    " + hn + " issuing CA certificate\n";
    t += name(f.issuer_key) + "\n    " + hn +
         " issuing CA private key (0600); `gridgate pki issue " + hn + "` uses it\n";
    t += name(f.verify_bundle) + "\n    issuer + root: what verifies a " + hn + " certificate (";
    switch (h) {
      case Hierarchy::kClient:
        t += "mTLS listeners: authorization server, resource server; nginx ssl_client_certificate";
        break;
      case Hierarchy::kServer:
        t += "clients checking the servers: the demo client, curl --cacert";
        break;
      case Hierarchy::kSigning:
        t += "verifiers of provenance records";
        break;
    }
    t += ")\n";
    t += name(f.crl) +
         "\n    CRLs of the issuer and of the root (verifiers with CRL checking; "
         "nginx ssl_crl); rewritten by `gridgate pki revoke` and `gridgate pki crl`\n";
    t += name(f.revoked) + "\n    the revocation list kept by `gridgate pki revoke`\n";
  }
  t += "\nLeaves (EC P-256, 365 days). -cert.pem: the certificate; -key.pem: its key (0600);\n"
       "-bundle.pem: what it presents.\n";
  t += name(l.server_leaf.cert) + ", " + name(l.server_leaf.key) + ", " +
       name(l.server_leaf.bundle) +
       "\n    TLS server certificate for localhost (SAN DNS:localhost, IP:127.0.0.1, EKU "
       "serverAuth);\n    bundle = leaf + issuer + root: the authorization and resource servers' "
       "TLS chain\n";
  t += name(l.client_demo.cert) + ", " + name(l.client_demo.key) + ", " +
       name(l.client_demo.bundle) + "\n    the sandbox's demo client application " +
       ids.demo_application + "\n    (member " + ids.demo_member + ", role " + ids.client_role +
       ");\n    bundle = leaf + issuer: what the demo client presents over mTLS\n";
  t += name(l.client_other.cert) + ", " + name(l.client_other.key) + ", " +
       name(l.client_other.bundle) + "\n    a second member's application " +
       ids.other_application + "\n    (member " + ids.other_member +
       "): proves that tokens issued to one client do not work for another\n";
  t += name(l.signing_provider.cert) + ", " + name(l.signing_provider.key) + ", " +
       name(l.signing_provider.bundle) +
       "\n    the data provider's provenance signing certificate " + ids.provider_application +
       "\n    (member " + ids.provider_member + ", role " + ids.provider_role +
       "); bundle = leaf + issuer\n";
  t += name(l.token_signing_key) +
       "\n    EC P-256 key the authorization server signs tokens with (not a certificate)\n";
  t += name(l.readme) + "\n    this file\n\n";
  t += "Commands: gridgate pki issue client|server|signing --dir DIR ... ; gridgate pki inspect "
       "FILE;\ngridgate pki verify --ca H-ca.pem [--untrusted BUNDLE] FILE; gridgate pki revoke "
       "--dir DIR FILE;\ngridgate pki crl --dir DIR. `gridgate pki init --dir DIR` again only "
       "creates missing files;\n--force starts over.\n";
  return t;
}

struct Pending {
  fs::path path;
  std::string content;
  FileMode mode;
};

class InitPlan {
 public:
  InitPlan(bool force, bool durable) : force_(force), durable_(durable) {}

  // A certificate and key: reused when present (and not forced), else made by `make`.
  // `created` tells whether they were made now.
  template <class Make>
  Result<KeyedCert> obtain(const fs::path& cert, const fs::path& key, Make make, bool& created) {
    if (!force_) {
      GG_TRY(auto existing, loadPair(cert, key));
      if (existing) {
        kept_.push_back(cert);
        kept_.push_back(key);
        created = false;
        return *existing;
      }
    }
    GG_TRY(KeyedCert made, make());
    GG_TRY(std::string key_pem, made.key.privatePem());
    add(key, std::move(key_pem), FileMode::kSecret);
    add(cert, made.cert.toPem(), FileMode::kPublic);
    created = true;
    return made;
  }

  // A file derived from others (bundle, CRL, README): written when missing or forced; kept when
  // present, unless one of its inputs was made now, which would leave it stale: then refused.
  Status derived(const fs::path& path, std::string content, bool inputs_created,
                 FileMode mode = FileMode::kPublic) {
    if (force_ || !fileExists(path)) {
      add(path, std::move(content), mode);
      return ok();
    }
    if (inputs_created) {
      return fail(Errc::kConflict, fileName(path) +
                                       " exists but what it is made of was missing; remove it or "
                                       "use --force to start over");
    }
    kept_.push_back(path);
    return ok();
  }

  void add(const fs::path& path, std::string content, FileMode mode) {
    pending_.push_back(Pending{path, std::move(content), mode});
  }

  Status write(std::vector<fs::path>& created) {
    for (Pending& p : pending_) {
      GG_TRY(writeFileAtomic(p.path, p.content, p.mode, force_ ? Overwrite::kYes : Overwrite::kNo,
                             durable_ ? Sync::kYes : Sync::kNo));
      created.push_back(p.path);
    }
    return ok();
  }

  std::vector<fs::path>& kept() { return kept_; }

 private:
  bool force_;
  bool durable_;
  std::vector<Pending> pending_;
  std::vector<fs::path> kept_;
};

}  // namespace

Identities sandboxIdentities(std::string_view registry, std::string_view directory) {
  return Identities{
      roleUrl(registry, kRoleCarbonAccountingProvider),
      roleUrl(registry, kRoleEnergyDataProvider),
      applicationUrl(directory, "demo-accounting"),
      memberUrl(directory, "demo-carbon-accounting"),
      applicationUrl(directory, "other-accounting"),
      memberUrl(directory, "other-carbon-accounting"),
      applicationUrl(directory, "perseus-demo-energy-provider"),
      memberUrl(directory, "perseus-demo-energy"),
  };
}

Result<InitResult> init(const InitOptions& o) {
  if (o.now <= 0) return fail(Errc::kInvalidArgument, "init time not set");
  if (o.dir.empty()) return fail(Errc::kInvalidArgument, "no directory given");
  GG_TRY(checkPrintable(o.framework, "framework name", 40));
  GG_TRY(checkCountry(o.country));
  GG_TRY(checkHttpsUrl(o.registry, "registry"));
  GG_TRY(checkHttpsUrl(o.directory, "directory"));
  const Identities ids = sandboxIdentities(o.registry, o.directory);
  GG_TRY(checkRoleUrl(ids.client_role));
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec) return fail(Errc::kIo, "cannot create " + o.dir.string() + ": " + ec.message());
  if (!fs::is_directory(o.dir, ec)) {
    return fail(Errc::kIo, o.dir.string() + " is not a directory");
  }

  const Layout layout = Layout::in(o.dir);
  InitPlan plan(o.force, o.durable);
  constexpr int kTotal = 12;
  int step = 0;
  const auto progress = [&](const std::string& what) {
    if (o.progress) o.progress(++step, kTotal, what);
  };

  std::array<std::optional<CaPair>, 3> cas;
  std::array<bool, 3> ca_created{};
  for (std::size_t i = 0; i < kAllHierarchies.size(); ++i) {
    const Hierarchy h = kAllHierarchies[i];
    const HierarchyFiles& f = layout.hierarchy(h);
    const std::string hn(hierarchyName(h));
    progress(hn + " root CA (EC P-384, " + std::to_string(kRootDays) + " days)");
    bool root_created = false;
    GG_TRY(KeyedCert root, plan.obtain(
                               f.ca, f.ca_key,
                               [&]() -> Result<KeyedCert> {
                                 GG_TRY(auto key, crypto::PKey::generate(crypto::KeyType::kEcP384));
                                 CertificateRequest req{
                                     .profile = Profile::kRoot,
                                     .subject = caName(o, h, "CA"),
                                     .not_before = o.now - kBackdate,
                                     .not_after = o.now + std::int64_t{kRootDays} * kDay};
                                 GG_TRY(auto cert, makeCertificate(req, key, nullptr));
                                 return KeyedCert{cert, key};
                               },
                               root_created));
    if (!root.cert.isCa() || !signedBy(root.cert, root.cert)) {
      return fail(Errc::kInvalidArgument, fileName(f.ca) + " is not a self-signed CA");
    }
    const CaMaterial root_ca{root.cert, root.key};
    progress(hn + " issuing CA (EC P-256, " + std::to_string(kIssuerDays) + " days, pathlen 0)");
    bool issuer_created = false;
    GG_TRY(KeyedCert issuer,
           plan.obtain(
               f.issuer, f.issuer_key,
               [&]() -> Result<KeyedCert> {
                 GG_TRY(auto key, crypto::PKey::generate(crypto::KeyType::kEcP256));
                 CertificateRequest req{.profile = Profile::kIssuer,
                                        .subject = caName(o, h, "Issuer"),
                                        .not_before = o.now - kBackdate,
                                        .not_after = o.now + std::int64_t{kIssuerDays} * kDay};
                 GG_TRY(auto cert, makeCertificate(req, key, &root_ca));
                 return KeyedCert{cert, key};
               },
               issuer_created));
    if (!issuer.cert.isCa() || !signedBy(issuer.cert, root.cert)) {
      return fail(Errc::kInvalidArgument, fileName(f.issuer) + " was not issued by " +
                                              fileName(f.ca) + " (use --force to start over)");
    }
    cas[i] = CaPair{root_ca, CaMaterial{issuer.cert, issuer.key}};
    ca_created[i] = root_created || issuer_created;
    const std::vector<x509::Certificate> verify = {issuer.cert, root.cert};
    GG_TRY(plan.derived(f.verify_bundle, x509::toPemBundle(verify), ca_created[i]));
    std::vector<Revocation> revoked;
    if (!o.force) {
      GG_TRY(revoked, readRevocations(f.revoked));
    }
    if (!revoked.empty() && ca_created[i]) {
      return fail(Errc::kConflict,
                  fileName(f.revoked) + " lists revocations of CAs that are missing; use --force");
    }
    GG_TRY(plan.derived(f.revoked, formatRevocations(revoked), false));
    GG_TRY(std::string crl, hierarchyCrl(*cas[i], revoked, o.now, 30));
    GG_TRY(plan.derived(f.crl, std::move(crl), ca_created[i]));
  }

  struct LeafJob {
    const LeafFiles* files;
    std::size_t hierarchy_index;
    LeafOptions options;
    std::string what;
  };
  const std::string fw = o.framework;
  const std::vector<LeafJob> jobs = {
      {&layout.server_leaf, 1,
       LeafOptions{.hierarchy = Hierarchy::kServer,
                   .dns = {"localhost"},
                   .ips = {"127.0.0.1"},
                   .days = 0,
                   .organization = fw + " Trust Framework",
                   .country = o.country,
                   .now = o.now},
       "server leaf for localhost (DNS:localhost, IP:127.0.0.1)"},
      {&layout.client_demo, 0,
       LeafOptions{.hierarchy = Hierarchy::kClient,
                   .application = ids.demo_application,
                   .member = ids.demo_member,
                   .roles = {ids.client_role},
                   .days = 0,
                   .organization = "Demo Carbon Accounting",
                   .country = o.country,
                   .now = o.now},
       "client leaf " + ids.demo_application},
      {&layout.client_other, 0,
       LeafOptions{.hierarchy = Hierarchy::kClient,
                   .application = ids.other_application,
                   .member = ids.other_member,
                   .roles = {ids.client_role},
                   .days = 0,
                   .organization = "Other Carbon Accounting",
                   .country = o.country,
                   .now = o.now},
       "client leaf " + ids.other_application},
      {&layout.signing_provider, 2,
       LeafOptions{.hierarchy = Hierarchy::kSigning,
                   .application = ids.provider_application,
                   .member = ids.provider_member,
                   .roles = {ids.provider_role},
                   .days = 0,
                   .organization = "Perseus Demo Energy Provider",
                   .country = o.country,
                   .now = o.now},
       "signing leaf " + ids.provider_application},
  };
  for (const LeafJob& job : jobs) {
    progress(job.what);
    const CaPair& ca = *cas[job.hierarchy_index];
    bool created = false;
    std::vector<x509::Certificate> bundle_tail = {ca.issuer.cert};
    if (job.options.hierarchy == Hierarchy::kServer) bundle_tail.push_back(ca.root.cert);
    GG_TRY(KeyedCert leaf, plan.obtain(
                               job.files->cert, job.files->key,
                               [&]() -> Result<KeyedCert> {
                                 GG_TRY(IssuedLeaf made, makeLeaf(ca, job.options));
                                 return KeyedCert{made.cert, made.key};
                               },
                               created));
    if (!signedBy(leaf.cert, ca.issuer.cert)) {
      return fail(
          Errc::kInvalidArgument,
          fileName(job.files->cert) + " was not issued by the current issuer (use --force)");
    }
    std::vector<x509::Certificate> bundle = {leaf.cert};
    bundle.insert(bundle.end(), bundle_tail.begin(), bundle_tail.end());
    GG_TRY(plan.derived(job.files->bundle, x509::toPemBundle(bundle), created));
  }

  progress("token signing key (EC P-256)");
  if (!o.force && fileExists(layout.token_signing_key)) {
    GG_TRY(std::string pem, readFile(layout.token_signing_key));
    auto key = crypto::PKey::fromPem(pem);
    if (!key || !key->hasPrivate() || key->type() != crypto::KeyType::kEcP256) {
      return fail(Errc::kInvalidArgument,
                  fileName(layout.token_signing_key) + " is not an EC P-256 private key");
    }
    plan.kept().push_back(layout.token_signing_key);
  } else {
    GG_TRY(auto key, crypto::PKey::generate(crypto::KeyType::kEcP256));
    GG_TRY(std::string pem, key.privatePem());
    plan.add(layout.token_signing_key, std::move(pem), FileMode::kSecret);
  }

  progress("writing files");
  GG_TRY(plan.derived(layout.readme, readmeText(layout, o, ids), false));
  InitResult result{layout, {}, std::move(plan.kept())};
  GG_TRY(plan.write(result.created));
  return result;
}

Result<IssuedLeaf> issueLeaf(const Layout& layout, const LeafOptions& options) {
  GG_TRY(checkLeafOptions(options));
  GG_TRY(CaPair ca, loadHierarchy(layout, options.hierarchy));
  return makeLeaf(ca, options);
}

Status writeLeaf(const IssuedLeaf& leaf, const LeafFiles& files, Overwrite overwrite) {
  if (overwrite == Overwrite::kNo) {
    for (const fs::path* p : {&files.cert, &files.key, &files.bundle}) {
      if (fileExists(*p)) {
        return fail(Errc::kConflict, p->string() + " exists (use --force to replace it)");
      }
    }
  }
  GG_TRY(std::string key_pem, leaf.key.privatePem());
  GG_TRY(writeFileAtomic(files.key, key_pem, FileMode::kSecret, overwrite));
  GG_TRY(writeFileAtomic(files.cert, leaf.cert.toPem(), FileMode::kPublic, overwrite));
  GG_TRY(
      writeFileAtomic(files.bundle, x509::toPemBundle(leaf.bundle), FileMode::kPublic, overwrite));
  return ok();
}

Result<RevokeResult> revoke(const Layout& layout, const x509::Certificate& cert, std::int64_t now,
                            int crl_days) {
  if (now <= 0) return fail(Errc::kInvalidArgument, "revocation time not set");
  if (crl_days < 1 || crl_days > 366) return fail(Errc::kInvalidArgument, "CRL days out of range");
  for (const Hierarchy h : kAllHierarchies) {
    const HierarchyFiles& f = layout.hierarchy(h);
    if (!fileExists(f.ca) || !fileExists(f.issuer)) continue;
    GG_TRY(CaPair ca, loadHierarchy(layout, h));
    if (cert == ca.root.cert) {
      return fail(Errc::kInvalidArgument,
                  "a root cannot be revoked; make a new trust framework with init --force");
    }
    const bool by_issuer = signedBy(cert, ca.issuer.cert);
    const bool by_root = !by_issuer && signedBy(cert, ca.root.cert);
    if (!by_issuer && !by_root) continue;
    GG_TRY(std::vector<Revocation> list, readRevocations(f.revoked));
    const std::string serial = cert.serialDecimal();
    RevokeResult result{h, false, f.crl};
    const auto same = [&](const Revocation& r) {
      return r.by_root == by_root && r.serial == serial;
    };
    if (std::any_of(list.begin(), list.end(), same)) {
      result.already_revoked = true;
    } else {
      list.push_back(Revocation{by_root, serial, now, cert.thumbprint()});
      GG_TRY(
          writeFileAtomic(f.revoked, formatRevocations(list), FileMode::kPublic, Overwrite::kYes));
    }
    GG_TRY(std::string crl, hierarchyCrl(ca, list, now, crl_days));
    GG_TRY(writeFileAtomic(f.crl, crl, FileMode::kPublic, Overwrite::kYes));
    return result;
  }
  return fail(Errc::kNotFound,
              "the certificate was not issued by any CA in " + layout.dir.string());
}

Result<std::vector<fs::path>> writeCrls(const Layout& layout, std::int64_t now, int crl_days) {
  if (now <= 0) return fail(Errc::kInvalidArgument, "CRL time not set");
  if (crl_days < 1 || crl_days > 366) return fail(Errc::kInvalidArgument, "CRL days out of range");
  // Everything is computed before anything is written.
  std::vector<std::pair<fs::path, std::string>> crls;
  for (const Hierarchy h : kAllHierarchies) {
    GG_TRY(CaPair ca, loadHierarchy(layout, h));
    GG_TRY(std::vector<Revocation> list, readRevocations(layout.hierarchy(h).revoked));
    GG_TRY(std::string crl, hierarchyCrl(ca, list, now, crl_days));
    crls.emplace_back(layout.hierarchy(h).crl, std::move(crl));
  }
  std::vector<fs::path> written;
  for (auto& [path, pem] : crls) {
    GG_TRY(writeFileAtomic(path, pem, FileMode::kPublic, Overwrite::kYes));
    written.push_back(path);
  }
  return written;
}

}  // namespace gridgate::pki
