// The signed step list of a provenance record (PERSEUS.md, Provenance record): an array of encoded
// steps and nested containers (received records' step lists, kept verbatim), ending with the
// signature block [0, "<signer serial>", "<YYYY-MM-DDTHH:MM:SSZ>", "<signature>"].
//
//   GG_TRY(Container c, parseContainer(record_json["steps"]));
//   std::string input = signingInput(trust_framework, c);   // what c.signature signs
//   Json wire = containerToJson(c);
//
// Signing input: the trust framework URL, then each element in order (an encoded step as is; a
// nested container as `%`, its own elements and its signature block as a nested list, `&`), then
// "0", the serial and the timestamp, all joined with `.`. So for
//   [[S1, S2, [0,"111","T1","SIGA"]], S3, [0,"98765","T2","SIGB"]]
// the outer signature covers  TF.%.S1.S2.%.0.111.T1.SIGA.&.&.S3.0.98765.T2
// and the inner one           TF.S1.S2.0.111.T1
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json.h"
#include "core/result.h"

namespace gridgate::provenance {

inline constexpr int kContainerFormatVersion = 0;

struct SignatureBlock {
  std::string serial;     // the signing certificate's serial, canonical decimal
  std::string timestamp;  // signing time, YYYY-MM-DDTHH:MM:SSZ
  std::string signature;  // DER ECDSA P-256 SHA-256, base64url with padding
};

struct Element;

struct Container {
  std::vector<Element> elements;  // at least one
  SignatureBlock signature;
};

struct Element {
  // An encoded step (base64url text, signed as is), or a nested container.
  std::variant<std::string, Container> value;

  bool isStep() const { return std::holds_alternative<std::string>(value); }
  const std::string& step() const { return std::get<std::string>(value); }
  const Container& nested() const { return std::get<Container>(value); }
};

struct ContainerLimits {
  int max_nesting = 8;                 // containers inside containers
  std::size_t max_steps = 512;         // steps in the whole tree
  std::size_t max_blocks = 64;         // signature blocks in the whole tree
  std::size_t max_step_chars = 44000;  // one encoded step (base64 of kMaxStepJsonBytes)
};

// True for a canonical decimal serial: digits only, no leading zero (except "0" itself, which no
// real certificate has but which the reference's str(int(s)) == s check accepts).
bool isCanonicalSerial(std::string_view serial);

// Parses and checks the shape (not the signatures, not the steps' contents): arrays, the signature
// block's version 0, canonical serial, timestamp format, padded base64url signature, limits.
[[nodiscard]] Result<Container> parseContainer(const Json& steps,
                                               const ContainerLimits& limits = {});

Json containerToJson(const Container& container);

// The string the container's own signature covers.
std::string signingInput(std::string_view trust_framework, const Container& container);
// Same, for a container that is being signed now (its block not yet known).
std::string signingInput(std::string_view trust_framework, const std::vector<Element>& elements,
                         std::string_view serial, std::string_view timestamp);

}  // namespace gridgate::provenance
