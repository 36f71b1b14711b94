// The provenance tests' PKI: tests/testdata/provenance/make_pki.sh (openssl CLI), run once per
// version of the script and kept in the build directory; plus a hand signer that makes records
// without RecordBuilder/Signer, so that the verifier can be shown records the builder would refuse
// to make.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "provenance/container.h"
#include "provenance/record.h"
#include "provenance/signer.h"
#include "provenance/verifier.h"

namespace gridgate::provenance::testing {

class TestPki {
 public:
  static const TestPki& instance();

  std::string read(std::string_view file) const;
  // <name>.key with <name>-bundle.pem (leaf, issuer).
  Signer signer(std::string_view name) const;
  Verifier verifier(VerifierOptions options = {}) const;  // trusts root.pem
  // A time inside every leaf's validity.
  std::int64_t validTime() const;

  std::filesystem::path dir;
};

// Signs `elements` as `leaf_name` (key + leaf + issuer chain from the PKI) at `when`, building
// the record JSON by hand: the certificates map holds the leaf under its serial with the issuer
// serials, and each issuer.
Json handSignedRecord(const std::vector<Element>& elements, std::string_view leaf_name,
                      const std::vector<std::string>& issuer_names, std::int64_t when,
                      std::string_view trust_framework = kIb1TrustFramework);

// Three PERSEUS-shaped steps (permission, origin, transfer) encoded with fixed ids.
std::vector<Element> perseusSteps(std::int64_t when);

}  // namespace gridgate::provenance::testing
