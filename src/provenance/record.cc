#include "provenance/record.h"

#include "provenance/step.h"

namespace gridgate::provenance {
namespace {

Status collectOrigins(const Container& c, std::vector<std::string>& out) {
  for (const Element& e : c.elements) {
    if (!e.isStep()) {
      GG_TRY(collectOrigins(e.nested(), out));
      continue;
    }
    GG_TRY(OrderedJson step, decodeStep(e.step()));
    // decodeStep guarantees id and type are strings.
    if (step.find("type")->get_ref<const std::string&>() == "origin") {
      out.push_back(step.find("id")->get<std::string>());
    }
  }
  return ok();
}

Result<CertificateMap> parseCertificates(const Json& j, const RecordLimits& limits) {
  if (!j.is_object()) return fail(Errc::kMalformed, "provenance: certificates is not an object");
  if (j.size() > limits.max_certificates) {
    return fail(Errc::kLimitExceeded, "provenance: too many certificates");
  }
  CertificateMap out;
  for (const auto& [serial, entry] : j.items()) {
    if (!isCanonicalSerial(serial)) {
      return fail(Errc::kMalformed, "provenance: certificate key is not a canonical serial");
    }
    if (!entry.is_array() || entry.empty() || entry.size() > limits.max_path + 1) {
      return fail(Errc::kMalformed, "provenance: certificate entry must be [PEM, serials...]");
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < entry.size(); ++i) {
      if (!entry[i].is_string()) {
        return fail(Errc::kMalformed, "provenance: certificate entry member is not a string");
      }
      const auto& s = entry[i].get_ref<const std::string&>();
      if (i == 0 && (s.empty() || s.size() > limits.max_pem_chars)) {
        return fail(Errc::kMalformed, "provenance: certificate PEM empty or too large");
      }
      if (i > 0 && !isCanonicalSerial(s)) {
        return fail(Errc::kMalformed, "provenance: issuer serial is not a canonical serial");
      }
      values.push_back(s);
    }
    out.emplace(serial, std::move(values));
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> computeOrigins(const Container& steps) {
  std::vector<std::string> out;
  GG_TRY(collectOrigins(steps, out));
  return out;
}

Result<Record> Record::fromJson(const Json& j, const RecordLimits& limits) {
  if (!j.is_object()) return fail(Errc::kMalformed, "provenance: record is not an object");
  for (const auto& [key, value] : j.items()) {
    if (key != "ib1:provenance" && key != "origins" && key != "steps" && key != "certificates") {
      return fail(Errc::kMalformed, "provenance: unknown record member: " + key);
    }
  }
  const std::string* tf = jsonString(j, "ib1:provenance");
  if (tf == nullptr || tf->empty() || tf->size() > limits.max_url_chars) {
    return fail(Errc::kMalformed, "provenance: ib1:provenance missing or not a URL string");
  }
  Record r;
  r.trust_framework_ = *tf;
  const Json* origins = jsonMember(j, "origins");
  if (origins == nullptr || !origins->is_array()) {
    return fail(Errc::kMalformed, "provenance: origins missing or not an array");
  }
  if (origins->size() > limits.container.max_steps) {
    return fail(Errc::kLimitExceeded, "provenance: too many origins");
  }
  for (const Json& o : *origins) {
    if (!o.is_string()) return fail(Errc::kMalformed, "provenance: origin id is not a string");
    r.origins_.push_back(o.get<std::string>());
  }
  const Json* steps = jsonMember(j, "steps");
  if (steps == nullptr) return fail(Errc::kMalformed, "provenance: steps missing");
  GG_TRY(r.steps_, parseContainer(*steps, limits.container));
  if (const Json* certs = jsonMember(j, "certificates"); certs != nullptr) {
    GG_TRY(r.certificates_, parseCertificates(*certs, limits));
  }
  return r;
}

Result<Record> Record::parse(std::string_view text, const RecordLimits& limits) {
  JsonLimits json_limits;
  json_limits.max_bytes = limits.max_bytes;
  json_limits.max_depth = limits.container.max_nesting + 8;
  GG_TRY(Json doc, parseJsonObject(text, json_limits));
  if (doc.contains("ib1:provenance")) return fromJson(doc, limits);
  const Json* embedded = jsonMember(doc, "provenance");
  if (embedded == nullptr) {
    return fail(Errc::kMalformed, "provenance: neither a record nor a response with provenance");
  }
  if (embedded->is_string()) {
    GG_TRY(Json inner, parseJsonObject(embedded->get_ref<const std::string&>(), json_limits));
    return fromJson(inner, limits);
  }
  return fromJson(*embedded, limits);
}

Json Record::toJson() const {
  Json out = Json::object();
  out["ib1:provenance"] = trust_framework_;
  out["origins"] = origins_;
  out["steps"] = containerToJson(steps_);
  if (!certificates_.empty()) {
    Json certs = Json::object();
    for (const auto& [serial, entry] : certificates_) certs[serial] = entry;
    out["certificates"] = std::move(certs);
  }
  return out;
}

std::string Record::serialize() const {
  OrderedJson out = OrderedJson::object();
  out["ib1:provenance"] = trust_framework_;
  out["origins"] = origins_;
  out["steps"] = OrderedJson(containerToJson(steps_));  // arrays only: order is kept
  if (!certificates_.empty()) {
    OrderedJson certs = OrderedJson::object();
    for (const auto& [serial, entry] : certificates_) certs[serial] = entry;
    out["certificates"] = std::move(certs);
  }
  return out.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace gridgate::provenance
