#include "resource/provenance_record.h"

#include "provenance/builder.h"

namespace gridgate::resource {

RecordFactory::RecordFactory(ProvenanceSettings settings,
                             std::shared_ptr<const provenance::Signer> signer)
    : s_(std::move(settings)), signer_(std::move(signer)) {
  if (s_.data_source.empty()) s_.data_source = s_.scheme + "/assurance/data-source/SmartMeter";
  if (s_.missing_data.empty()) s_.missing_data = s_.scheme + "/assurance/missing-data/Missing";
  if (s_.processing.empty()) s_.processing = s_.scheme + "/assurance/processing/SmartDCCOtherUser";
}

Result<provenance::Record> RecordFactory::make(const PermissionFacts& permission,
                                               const TransferFacts& transfer,
                                               const Clock& clock) const {
  if (transfer.period == nullptr) return fail(Errc::kInternal, "provenance: no period");
  const Period& period = *transfer.period;
  provenance::RecordBuilder b(s_.trust_framework);

  OrderedJson perm;
  perm["type"] = "permission";
  perm["timestamp"] = formatUtc(permission.granted_at);
  perm["scheme"] = s_.scheme;
  perm["account"] = permission.account;
  perm["allows"] = OrderedJson{{"licences", OrderedJson::array({permission.licence})}};
  perm["expires"] = formatUtc(permission.expires_at);
  GG_TRY(const std::string permission_id, b.addStep(std::move(perm), clock));

  OrderedJson origin;
  origin["type"] = "origin";
  origin["scheme"] = s_.scheme;
  origin["sourceType"] = s_.scheme + "/source-type/Meter";
  origin["origin"] = s_.origin;
  origin["originLicence"] = s_.origin_licence;
  origin["external"] = true;
  origin["permissions"] = OrderedJson::array({permission_id});
  OrderedJson metering;
  metering["from"] = formatUtc(period.start());
  metering["to"] = formatUtc(period.end());
  origin["perseus:scheme"] = OrderedJson{{"meteringPeriod", std::move(metering)}};
  OrderedJson assurance;
  assurance["dataSource"] = s_.data_source;
  assurance["missingData"] = s_.missing_data;
  assurance["processing"] = s_.processing;
  origin["perseus:assurance"] = std::move(assurance);
  GG_TRY(const std::string origin_id, b.addStep(std::move(origin), clock));

  OrderedJson t;
  t["type"] = "transfer";
  t["scheme"] = s_.scheme;
  t["of"] = origin_id;
  t["to"] = transfer.to;
  t["standard"] = s_.standard;
  t["licence"] = permission.licence;
  t["service"] = transfer.service;
  t["path"] = "/readings";
  OrderedJson parameters;
  parameters["measure"] = std::string(measureName(transfer.measure));
  parameters["from"] = period.from;
  parameters["to"] = period.to;
  t["parameters"] = std::move(parameters);
  t["permissions"] = OrderedJson::array({permission_id});
  t["transaction"] = transfer.transaction;
  GG_TRY(b.addStep(std::move(t), clock));

  return b.sign(*signer_, clock);
}

}  // namespace gridgate::resource
