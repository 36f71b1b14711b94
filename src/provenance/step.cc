#include "provenance/step.h"

#include "core/base64.h"
#include "core/clock.h"
#include "core/random.h"
#include "provenance/canonical_json.h"

namespace gridgate::provenance {

std::string newStepId() { return randomToken(kStepIdBytes); }

bool isStepId(std::string_view id) {
  if (id.size() != kStepIdLength) return false;
  for (char c : id) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-' && c != '_') return false;
  }
  return true;
}

Status checkStepShape(const OrderedJson& step) {
  if (!step.is_object()) return fail(Errc::kMalformed, "step: not a JSON object");
  if (step.size() < 3) return fail(Errc::kMalformed, "step: missing id, timestamp or type");
  auto it = step.begin();
  if (it.key() != "id" || !it->is_string() || !isStepId(it->get_ref<const std::string&>())) {
    return fail(Errc::kMalformed, "step: first member must be id (20 base64url characters)");
  }
  ++it;
  if (it.key() != "timestamp" || !it->is_string() || !parseUtc(it->get_ref<const std::string&>())) {
    return fail(Errc::kMalformed, "step: second member must be timestamp (YYYY-MM-DDTHH:MM:SSZ)");
  }
  ++it;
  if (it.key() != "type" || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return fail(Errc::kMalformed, "step: third member must be type (non-empty string)");
  }
  for (; it != step.end(); ++it) {
    if (!it.key().empty() && it.key().front() == '_') {
      return fail(Errc::kMalformed, "step: key starting with '_': " + it.key());
    }
  }
  return ok();
}

Result<std::string> encodeStep(const OrderedJson& step) {
  GG_TRY(checkStepShape(step));
  GG_TRY(std::string text, canonicalJson(step));
  if (text.size() > kMaxStepJsonBytes) return fail(Errc::kLimitExceeded, "step: too large");
  return base64urlEncode(asBytes(text), Padding::kRequired);
}

Result<OrderedJson> decodeStep(std::string_view encoded) {
  if (encoded.size() > (kMaxStepJsonBytes + 2) / 3 * 4) {
    return fail(Errc::kLimitExceeded, "step: too large");
  }
  GG_TRY(Bytes raw, base64urlDecode(encoded, Padding::kRequired));
  const std::string_view text = asChars(raw);
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return fail(Errc::kMalformed, "step: JSON is not printable ASCII");
  }
  JsonLimits limits;
  limits.max_bytes = kMaxStepJsonBytes;
  limits.max_depth = kMaxStepJsonDepth;
  auto parsed = parseOrderedJson(text, limits);
  if (!parsed) return fail(parsed.error().code, "step: " + parsed.error().detail);
  GG_TRY(checkStepShape(*parsed));
  GG_TRY(std::string canonical, canonicalJson(*parsed));
  if (canonical != text) {
    return fail(Errc::kMalformed, "step: JSON is not in the canonical encoding");
  }
  return std::move(*parsed);
}

}  // namespace gridgate::provenance
