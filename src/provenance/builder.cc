#include "provenance/builder.h"

#include "provenance/step.h"

namespace gridgate::provenance {

RecordBuilder::RecordBuilder(std::string trust_framework)
    : trust_framework_(std::move(trust_framework)) {}

Result<std::string> RecordBuilder::addStep(OrderedJson step, const Clock& clock) {
  if (!step.is_object()) return fail(Errc::kInvalidArgument, "step: not a JSON object");
  if (step.contains("id")) {
    return fail(Errc::kInvalidArgument, "step: id is assigned by the library, not the caller");
  }
  const auto type = step.find("type");
  if (type == step.end() || !type->is_string() || type->get_ref<const std::string&>().empty()) {
    return fail(Errc::kInvalidArgument, "step: type missing or not a non-empty string");
  }
  std::string timestamp;
  if (const auto ts = step.find("timestamp"); ts != step.end()) {
    if (!ts->is_string() || !parseUtc(ts->get_ref<const std::string&>())) {
      return fail(Errc::kInvalidArgument, "step: timestamp must be YYYY-MM-DDTHH:MM:SSZ");
    }
    timestamp = ts->get<std::string>();
  } else {
    timestamp = formatUtc(clock.unixSeconds());
  }
  std::string id = newStepId();
  OrderedJson out = OrderedJson::object();
  out["id"] = id;
  out["timestamp"] = timestamp;
  out["type"] = *type;
  for (auto& [key, value] : step.items()) {
    if (key == "type" || key == "timestamp") continue;
    if (!key.empty() && key.front() == '_') {
      return fail(Errc::kInvalidArgument, "step: keys may not start with '_': " + key);
    }
    out[key] = std::move(value);
  }
  auto encoded = encodeStep(out);
  if (!encoded) return fail(Errc::kInvalidArgument, encoded.error().detail);
  // (emplace, not push_back(Element{...}): g++ 12 -O3 warns about the temporary variant)
  elements_.emplace_back().value.emplace<std::string>(std::move(*encoded));
  origins_.push_back(out["type"] == "origin" ? std::vector<std::string>{id}
                                             : std::vector<std::string>{});
  return id;
}

Result<std::string> RecordBuilder::addStep(const Json& step, const Clock& clock) {
  return addStep(OrderedJson(step), clock);
}

Status RecordBuilder::addRecord(const Record& received) {
  if (received.trustFramework() != trust_framework_) {
    return fail(Errc::kInvalidArgument, "provenance: included record has another trust framework");
  }
  // Recomputed, not taken from the received record's (unsigned) `origins`.
  GG_TRY(std::vector<std::string> origins, computeOrigins(received.steps()));
  CertificateMap merged = certificates_;
  for (const auto& [serial, entry] : received.certificates()) {
    const auto [it, inserted] = merged.emplace(serial, entry);
    if (!inserted && it->second != entry) {
      return fail(Errc::kConflict, "provenance: two different certificates for serial " + serial);
    }
  }
  certificates_ = std::move(merged);
  elements_.emplace_back().value.emplace<Container>(received.steps());
  origins_.push_back(std::move(origins));
  return ok();
}

Result<Record> RecordBuilder::sign(const Signer& signer, const Clock& clock) const {
  if (elements_.empty()) return fail(Errc::kInvalidArgument, "provenance: nothing to sign");
  const std::int64_t now = clock.unixSeconds();
  if (now < signer.leaf().notBefore()) {
    return fail(Errc::kNotYetValid, "provenance: signing certificate not yet valid");
  }
  if (now > signer.leaf().notAfter()) {
    return fail(Errc::kExpired, "provenance: signing certificate expired");
  }
  Record r;
  r.trust_framework_ = trust_framework_;
  r.steps_.elements = elements_;
  r.steps_.signature.serial = signer.serial();
  r.steps_.signature.timestamp = formatUtc(now);
  GG_TRY(r.steps_.signature.signature, signer.sign(signingInput(trust_framework_, r.steps_)));
  r.certificates_ = certificates_;
  for (const auto& [serial, entry] : signer.certificateEntries()) {
    const auto [it, inserted] = r.certificates_.emplace(serial, entry);
    if (!inserted && it->second != entry) {
      return fail(Errc::kConflict, "provenance: two different certificates for serial " + serial);
    }
  }
  for (const auto& ids : origins_) r.origins_.insert(r.origins_.end(), ids.begin(), ids.end());
  return r;
}

}  // namespace gridgate::provenance
