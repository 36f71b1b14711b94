// gridgate provenance decode|verify: read IB1 provenance records (PERSEUS.md, Provenance record).
//
//   gridgate provenance decode record.json            # steps, readable; NOT verified
//   gridgate provenance decode - --json < response.json
//   gridgate provenance verify response.json --root signing-ca.pem --require-role ROLE_URL
//
// Input is a bare record or an API response whose `provenance` member holds one. verify exits 0
// only if every signature (nested records too), every certificate chain at its signing time,
// every step's encoding and `origins` check out, and the required role (if any) is held; else it
// prints the first reason to stderr and exits 1.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "core/json.h"
#include "provenance/record.h"
#include "provenance/step.h"
#include "provenance/verifier.h"

namespace gridgate::cli {
namespace {

using provenance::Container;
using provenance::Record;
using provenance::VerifiedRecord;

struct ProvenanceOptions {
  std::string input;
  bool json = false;
  std::string root;
  std::string require_role;
  bool every_signer = false;
  std::string trust_framework;
};

constexpr std::size_t kMaxInput = 4 * 1024 * 1024;

Result<std::string> readInput(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::kIo, "cannot open " + path);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (text.size() > kMaxInput) return fail(Errc::kLimitExceeded, path + " is too large");
  return text;
}

std::string show(const OrderedJson& v) {
  return v.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

void printStep(const OrderedJson& step, const std::string& indent) {
  std::cout << indent << step["type"].get<std::string>() << "  " << step["id"].get<std::string>()
            << "  " << step["timestamp"].get<std::string>() << "\n";
  std::size_t i = 0;
  for (const auto& [key, value] : step.items()) {
    if (i++ < 3) continue;  // id, timestamp, type shown above
    std::cout << indent << "    " << key << ": "
              << (value.is_string() ? value.get<std::string>() : show(value)) << "\n";
  }
}

// decode: no signature or certificate is checked; the tree shape is shown as it is.
Status decodeTree(const Container& c, int depth, OrderedJson& json_steps, bool print) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  if (print) {
    std::cout << indent << "signature block: serial " << c.signature.serial << ", signed at "
              << c.signature.timestamp << " (not verified)\n";
  }
  for (const provenance::Element& e : c.elements) {
    if (!e.isStep()) {
      GG_TRY(decodeTree(e.nested(), depth + 1, json_steps, print));
      continue;
    }
    GG_TRY(OrderedJson step, provenance::decodeStep(e.step()));
    if (print) printStep(step, indent + "  ");
    step["_container"] = OrderedJson{
        {"serial", c.signature.serial}, {"timestamp", c.signature.timestamp}, {"depth", depth}};
    json_steps.push_back(std::move(step));
  }
  return ok();
}

int runDecode(const ProvenanceOptions& o) {
  auto text = readInput(o.input);
  if (!text) {
    std::cerr << "provenance decode: " << text.error().detail << "\n";
    return 1;
  }
  auto record = Record::parse(*text);
  if (!record) {
    std::cerr << "provenance decode: " << record.error().detail << "\n";
    return 1;
  }
  OrderedJson steps = OrderedJson::array();
  if (!o.json) {
    std::cout << "NOT VERIFIED (use `gridgate provenance verify` to check signatures)\n"
              << "trust framework: " << record->trustFramework() << "\n";
  }
  auto decoded = decodeTree(record->steps(), 0, steps, !o.json);
  if (!decoded) {
    std::cerr << "provenance decode: " << decoded.error().detail << "\n";
    return 1;
  }
  if (o.json) {
    OrderedJson out = {{"verified", false},
                       {"ib1:provenance", record->trustFramework()},
                       {"origins", record->origins()},
                       {"steps", steps}};
    std::cout << out.dump(2, ' ', false, OrderedJson::error_handler_t::replace) << "\n";
  }
  return 0;
}

OrderedJson signerJson(const provenance::SignerInfo& s) {
  return {{"member", s.identity.member},
          {"organisation", s.identity.organisation},
          {"application", s.identity.application},
          {"roles", s.identity.roles},
          {"serial", s.serial},
          {"signedAt", s.signed_at},
          {"depth", s.depth}};
}

void printVerified(const VerifiedRecord& v) {
  std::cout << "VERIFIED\ntrust framework: " << v.trust_framework << "\n";
  for (std::size_t i = 0; i < v.signatures.size(); ++i) {
    const provenance::SignerInfo& s = v.signatures[i];
    const std::string indent(static_cast<std::size_t>(s.depth) * 2, ' ');
    std::cout << indent << "signature " << i << (s.depth == 0 ? " (outermost)" : " (nested)")
              << ": serial " << s.serial << ", signed at " << s.signed_at << "\n"
              << indent << "  member:       " << s.identity.member << "\n"
              << indent << "  organisation: " << s.identity.organisation << "\n"
              << indent << "  application:  " << s.identity.application << "\n";
    for (const std::string& role : s.identity.roles) {
      std::cout << indent << "  role:         " << role << "\n";
    }
  }
  std::cout << "steps:\n";
  for (const provenance::VerifiedStep& step : v.steps) {
    printStep(step.step, "  ");
    std::cout << "      signed by: signature " << step.signed_by << "\n";
  }
  std::cout << "origins: " << show(OrderedJson(v.origins)) << "\n";
}

int runVerify(const ProvenanceOptions& o) {
  auto fault = [](const std::string& why) {
    std::cerr << "provenance verify: FAILED: " << why << "\n";
    return 1;
  };
  auto root_pem = readInput(o.root);
  if (!root_pem) return fault(root_pem.error().detail);
  provenance::VerifierOptions vo;
  if (!o.trust_framework.empty()) vo.trust_framework = o.trust_framework;
  // A signature dated more than five minutes ahead of this machine's clock was not made yet.
  vo.latest_signing_time = SystemClock::instance().unixSeconds() + 300;
  auto verifier = provenance::Verifier::fromPem(*root_pem, vo);
  if (!verifier) return fault("signing root: " + verifier.error().detail);
  auto text = readInput(o.input);
  if (!text) return fault(text.error().detail);
  auto record = Record::parse(*text);
  if (!record) return fault(record.error().detail);
  auto v = verifier->verify(*record);
  if (!v) return fault(v.error().detail);
  const auto scope = o.every_signer ? provenance::RoleScope::kEverySigner
                                    : provenance::RoleScope::kOutermostSigner;
  Status role = ok();
  if (!o.require_role.empty()) role = provenance::requireRole(*v, o.require_role, scope);
  if (o.json) {
    OrderedJson sigs = OrderedJson::array();
    for (const auto& s : v->signatures) sigs.push_back(signerJson(s));
    OrderedJson out = {{"verified", static_cast<bool>(role)},
                       {"ib1:provenance", v->trust_framework},
                       {"origins", v->origins},
                       {"signatures", sigs},
                       {"steps", v->toReferenceJson()}};
    if (!role) out["error"] = role.error().detail;
    std::cout << out.dump(2, ' ', false, OrderedJson::error_handler_t::replace) << "\n";
  } else if (role) {
    printVerified(*v);
  }
  if (!role) return fault(role.error().detail);
  return 0;
}

const Registration kProvenance("provenance", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("provenance", "decode and verify IB1 provenance records");
  cmd->require_subcommand(1);

  auto decode_opts = std::make_shared<ProvenanceOptions>();
  auto* decode = cmd->add_subcommand(
      "decode", "print a record's steps without verifying them (record or API response)");
  decode->add_option("input", decode_opts->input, "record file, or - for stdin")->required();
  decode->add_flag("--json", decode_opts->json, "JSON output");
  decode->callback([decode_opts] { setExitCode(runDecode(*decode_opts)); });

  auto verify_opts = std::make_shared<ProvenanceOptions>();
  auto* verify = cmd->add_subcommand(
      "verify", "verify signatures, certificate chains at signing time, roles and origins");
  verify->add_option("input", verify_opts->input, "record file, or - for stdin")->required();
  verify->add_option("--root", verify_opts->root, "signing CA root certificate (PEM)")->required();
  verify->add_option("--require-role", verify_opts->require_role,
                     "role URL the signer must hold (e.g. .../role/energy-data-provider)");
  verify->add_flag("--every-signer", verify_opts->every_signer,
                   "apply --require-role to every signer, nested records included");
  verify->add_option("--trust-framework", verify_opts->trust_framework,
                     "require this trust framework URL");
  verify->add_flag("--json", verify_opts->json, "JSON output");
  verify->callback([verify_opts] { setExitCode(runVerify(*verify_opts)); });
});

}  // namespace
}  // namespace gridgate::cli
