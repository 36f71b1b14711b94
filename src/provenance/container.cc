#include "provenance/container.h"

#include "core/base64.h"
#include "core/clock.h"

namespace gridgate::provenance {
namespace {

struct ParseState {
  const ContainerLimits& limits;
  std::size_t steps = 0;
  std::size_t blocks = 0;
};

Result<SignatureBlock> parseBlock(const Json& j) {
  if (!j.is_array() || j.size() != 4) {
    return fail(Errc::kMalformed, "provenance: signature block is not a 4-element array");
  }
  // Integer 0 only: not 0.0, not false (which Python would also compare equal to 0).
  if (!(j[0].is_number_integer() && j[0].get<std::int64_t>() == kContainerFormatVersion)) {
    return fail(Errc::kUnsupported, "provenance: container format version is not 0");
  }
  if (!j[1].is_string() || !j[2].is_string() || !j[3].is_string()) {
    return fail(Errc::kMalformed, "provenance: signature block members must be strings");
  }
  SignatureBlock b{j[1].get<std::string>(), j[2].get<std::string>(), j[3].get<std::string>()};
  if (!isCanonicalSerial(b.serial)) {
    return fail(Errc::kMalformed, "provenance: serial is not a canonical decimal: " + b.serial);
  }
  if (!parseUtc(b.timestamp)) {
    return fail(Errc::kMalformed, "provenance: signature timestamp is not YYYY-MM-DDTHH:MM:SSZ");
  }
  if (b.signature.empty() || b.signature.size() > 256 ||
      !base64urlDecode(b.signature, Padding::kRequired)) {
    return fail(Errc::kMalformed, "provenance: signature is not padded base64url");
  }
  return b;
}

Result<Container> parseLevel(const Json& j, ParseState& state, int depth) {
  if (depth > state.limits.max_nesting) {
    return fail(Errc::kLimitExceeded, "provenance: containers nested too deeply");
  }
  if (!j.is_array()) return fail(Errc::kMalformed, "provenance: step list is not an array");
  if (j.size() < 2) {
    return fail(Errc::kMalformed, "provenance: step list needs content and a signature block");
  }
  if (++state.blocks > state.limits.max_blocks) {
    return fail(Errc::kLimitExceeded, "provenance: too many signature blocks");
  }
  Container c;
  GG_TRY(c.signature, parseBlock(j.back()));
  c.elements.reserve(j.size() - 1);
  for (std::size_t i = 0; i + 1 < j.size(); ++i) {
    const Json& e = j[i];
    if (e.is_string()) {
      if (++state.steps > state.limits.max_steps) {
        return fail(Errc::kLimitExceeded, "provenance: too many steps");
      }
      const auto& s = e.get_ref<const std::string&>();
      if (s.empty() || s.size() > state.limits.max_step_chars) {
        return fail(Errc::kMalformed, "provenance: empty or oversized step");
      }
      c.elements.push_back(Element{s});
    } else if (e.is_array()) {
      GG_TRY(Container nested, parseLevel(e, state, depth + 1));
      c.elements.push_back(Element{std::move(nested)});
    } else {
      return fail(Errc::kMalformed, "provenance: step list element is neither step nor list");
    }
  }
  return c;
}

// Every piece follows the trust framework URL, so each is preceded by the separator.
void piece(std::string& out, std::string_view p) {
  out += '.';
  out += p;
}

void appendElements(std::string& out, const std::vector<Element>& elements);

void appendNested(std::string& out, const Container& c) {
  piece(out, "%");
  appendElements(out, c.elements);
  // The nested signature block is itself a list, so it is wrapped in % ... & too.
  piece(out, "%");
  piece(out, "0");
  piece(out, c.signature.serial);
  piece(out, c.signature.timestamp);
  piece(out, c.signature.signature);
  piece(out, "&");
  piece(out, "&");
}

void appendElements(std::string& out, const std::vector<Element>& elements) {
  for (const Element& e : elements) {
    if (e.isStep()) {
      piece(out, e.step());
    } else {
      appendNested(out, e.nested());
    }
  }
}

}  // namespace

bool isCanonicalSerial(std::string_view serial) {
  if (serial.empty() || serial.size() > 64) return false;  // 20-octet serials: <= 49 digits
  for (char c : serial) {
    if (c < '0' || c > '9') return false;
  }
  return serial.size() == 1 || serial.front() != '0';
}

Result<Container> parseContainer(const Json& steps, const ContainerLimits& limits) {
  ParseState state{limits};
  return parseLevel(steps, state, 0);
}

Json containerToJson(const Container& container) {
  Json out = Json::array();
  for (const Element& e : container.elements) {
    if (e.isStep()) {
      out.push_back(e.step());
    } else {
      out.push_back(containerToJson(e.nested()));
    }
  }
  out.push_back(Json::array({kContainerFormatVersion, container.signature.serial,
                             container.signature.timestamp, container.signature.signature}));
  return out;
}

std::string signingInput(std::string_view trust_framework, const std::vector<Element>& elements,
                         std::string_view serial, std::string_view timestamp) {
  std::string out(trust_framework);
  appendElements(out, elements);
  piece(out, "0");
  piece(out, serial);
  piece(out, timestamp);
  return out;
}

std::string signingInput(std::string_view trust_framework, const Container& container) {
  return signingInput(trust_framework, container.elements, container.signature.serial,
                      container.signature.timestamp);
}

}  // namespace gridgate::provenance
