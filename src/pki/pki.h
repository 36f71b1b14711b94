// The dev trust framework: `gridgate pki` as a library, for the CLI, the sandbox and the tests of
// every module that needs certificates.
//
//   // a complete PKI in a temp dir, in a few milliseconds (EC keys only, no fsync)
//   GG_TRY(pki::InitResult r,
//          pki::init({.dir = tmp, .durable = false, .now = clock.unixSeconds()}));
//   const pki::Layout& files = r.layout;                   // paths of every file (layout.h)
//   const pki::Identities ids = pki::sandboxIdentities();  // the URLs written into the leaves
//
//   GG_TRY(pki::IssuedLeaf leaf, pki::issueLeaf(files, {.hierarchy = pki::Hierarchy::kClient,
//       .application = "https://directory.core.trust.ib1.org/a/x", .member = ..., .roles = {...},
//       .now = now}));
//   GG_TRY(pki::writeLeaf(leaf, files.leaf(pki::Hierarchy::kClient, "x"), pki::Overwrite::kNo));
//   GG_TRY(auto revoked, pki::revoke(files, leaf.cert, now));      // and H-crl.pem rewritten
//
// Nothing here overwrites an existing file unless asked (InitOptions::force, Overwrite::kYes);
// every file is written whole or not at all (files.h); keys are 0600.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "crypto/pkey.h"
#include "pki/files.h"
#include "pki/framework.h"
#include "pki/layout.h"
#include "x509/certificate.h"

namespace gridgate::pki {

// The URLs init writes into the sandbox's leaves.
struct Identities {
  std::string client_role;           // carbon-accounting-provider
  std::string provider_role;         // energy-data-provider
  std::string demo_application;      // <directory>/a/demo-accounting
  std::string demo_member;           // <directory>/m/demo-carbon-accounting
  std::string other_application;     // <directory>/a/other-accounting
  std::string other_member;          // <directory>/m/other-carbon-accounting
  std::string provider_application;  // <directory>/a/perseus-demo-energy-provider
  std::string provider_member;       // <directory>/m/perseus-demo-energy
};
Identities sandboxIdentities(std::string_view registry = kDefaultRegistry,
                             std::string_view directory = kDefaultDirectory);

struct InitOptions {
  std::filesystem::path dir{};
  std::string framework = "Core";  // subjects: O="<framework> Trust Framework"
  std::string country = "GB";
  bool force = false;    // recreate everything, replacing existing files
  bool durable = true;   // fsync every file; tests with a temp dir may turn it off (files.h)
  std::int64_t now = 0;  // unix seconds (required): notBefore of everything made
  std::string registry = std::string(kDefaultRegistry);
  std::string directory = std::string(kDefaultDirectory);
  // Called before each step: (1-based step, total, what).
  std::function<void(int, int, std::string_view)> progress{};
};

struct InitResult {
  Layout layout;
  std::vector<std::filesystem::path> created;  // written by this call
  std::vector<std::filesystem::path> kept;     // already there and left alone
};

// Creates DIR (if needed) and every file of the layout that is missing. Existing material is
// loaded and reused (a missing leaf is issued by the existing issuer), after checking that it fits
// together (each key matches its certificate, each certificate was signed by its CA): running init
// twice is harmless. With `force`, everything is made anew and replaced.
[[nodiscard]] Result<InitResult> init(const InitOptions& options);

struct LeafOptions {
  Hierarchy hierarchy = Hierarchy::kClient;
  std::string application{};         // client/signing: https URL, becomes CN and the SAN URI
  std::string member{};              // client/signing: https member URL
  std::vector<std::string> roles{};  // client/signing: role URLs
  std::vector<std::string> dns{};    // server
  std::vector<std::string> ips{};    // server
  // Validity in days; 0: 365, shortened to the issuer's own end if that comes first. An explicit
  // value that outlives the issuer is an error.
  int days = 0;
  std::string organization{};  // optional O of the subject
  std::string country = "GB";
  std::string state = "London";
  std::int64_t now = 0;  // unix seconds (required)
};

struct IssuedLeaf {
  Hierarchy hierarchy;
  x509::Certificate cert;
  crypto::PKey key;
  std::vector<x509::Certificate> bundle;  // what it presents: leaf+issuer (+root for servers)
};

// Issues a leaf from the hierarchy's issuer in `layout` (whose files must exist and match).
[[nodiscard]] Result<IssuedLeaf> issueLeaf(const Layout& layout, const LeafOptions& options);
// Writes cert, key (0600) and bundle. With Overwrite::kNo, fails before writing anything if any
// of the three exists.
[[nodiscard]] Status writeLeaf(const IssuedLeaf& leaf, const LeafFiles& files, Overwrite overwrite);

struct RevokeResult {
  Hierarchy hierarchy;
  bool already_revoked = false;
  std::filesystem::path crl;  // rewritten
};

// Adds `cert` (a leaf or an issuer of one of the hierarchies in `layout`) to H-revoked.txt and
// rewrites H-crl.pem. kNotFound if no CA in `layout` issued it.
[[nodiscard]] Result<RevokeResult> revoke(const Layout& layout, const x509::Certificate& cert,
                                          std::int64_t now, int crl_days = 30);
// Rewrites H-crl.pem (issuer CRL + root CRL, valid `crl_days`) for every hierarchy in `layout`.
[[nodiscard]] Result<std::vector<std::filesystem::path>> writeCrls(const Layout& layout,
                                                                   std::int64_t now,
                                                                   int crl_days = 30);

}  // namespace gridgate::pki
