#include "resource/api.h"

#include <algorithm>

#include "core/json.h"
#include "core/log.h"
#include "resource/api_error.h"
#include "resource/period.h"

namespace gridgate::resource {

namespace {

net::Response jsonBody(std::string body) {
  net::Response r = net::Response::jsonText(200, std::move(body));
  r.noStore();
  return r;
}

}  // namespace

ResourceApi::ResourceApi(ApiSettings settings, std::shared_ptr<const Dataset> dataset,
                         std::shared_ptr<const RecordFactory> records,
                         std::shared_ptr<const FileStore> files, const Clock& clock)
    : settings_(std::move(settings)),
      dataset_(std::move(dataset)),
      records_(std::move(records)),
      files_(std::move(files)),
      clock_(clock) {
  for (const Meter& m : dataset_->meters()) {
    Json measures = Json::array({"import"});
    if (m.has_export) measures.push_back("export");
    datasource_entries_.push_back(dumpJson(Json{{"id", m.id},
                                                {"type", "electricity"},
                                                {"location", {{"ukPostcodeOutcode", m.outcode}}},
                                                {"availableMeasures", measures}}));
    any_owned_ = any_owned_ || !m.account.empty();
  }
  all_public_datasources_ = R"({"data":[)";
  for (std::size_t i = 0; i < datasource_entries_.size(); ++i) {
    if (i > 0) all_public_datasources_ += ',';
    all_public_datasources_ += datasource_entries_[i];
  }
  all_public_datasources_ += "]}";
}

net::Response ResourceApi::datasources(const net::Request&, const Caller& caller) const {
  if (!any_owned_) return jsonBody(all_public_datasources_);
  std::string body = R"({"data":[)";
  bool first = true;
  const auto& meters = dataset_->meters();
  for (std::size_t i = 0; i < meters.size(); ++i) {
    if (!meters[i].visibleTo(caller.permission.account)) continue;
    if (!first) body += ',';
    first = false;
    body += datasource_entries_[i];
  }
  body += "]}";
  return jsonBody(std::move(body));
}

net::Response ResourceApi::readings(const net::Request& request, const Caller& caller) const {
  const std::string* id = request.params.get("id");
  const std::string* measure_name = request.params.get("measure");
  const Meter* meter = id != nullptr ? dataset_->find(*id) : nullptr;
  // Another account's meter is answered exactly like an unknown one.
  if (meter == nullptr || !meter->visibleTo(caller.permission.account)) {
    return apiError(404, "not_found", "no such meter");
  }
  const auto measure = measure_name != nullptr ? parseMeasure(*measure_name) : std::nullopt;
  if (!measure || !meter->hasMeasure(*measure)) {
    return apiError(404, "not_found", "the meter has no such measure");
  }
  auto period = parsePeriod(request.query, settings_.max_period_days);
  if (!period) return parameterError(period.error());

  // Only half hours that have ended have a reading.
  const std::int64_t now = clock_.unixSeconds();
  const std::int64_t ended = now - ((now % kSlotSeconds) + kSlotSeconds) % kSlotSeconds;
  std::vector<Reading> readings;
  meter->source->readings(*measure, period->start(), std::min(period->end(), ended), readings);

  const TransferFacts transfer{
      .to = caller.client_id,
      .service = settings_.base_url + "/datasources/" + meter->id + "/" +
                 std::string(measureName(*measure)),
      .measure = *measure,
      .period = &*period,
      .transaction = request.interaction_id,
  };
  auto record = records_->make(caller.permission, transfer, clock_);
  if (!record) {
    log::error("provenance record for {} not signed: {}", request.interaction_id,
               record.error().detail);
    return apiError(500, "server_error", "the provenance record could not be signed");
  }
  std::string body = R"({"data":)";
  appendReadingsJson(body, readings);
  body += R"(,"location":{"ukPostcodeOutcode":")";
  body += meter->outcode;  // checkOutcode: [A-Z0-9] only, nothing to escape
  body += R"("},"provenance":)";
  body += record->serialize();
  body += '}';
  return jsonBody(std::move(body));
}

net::Response ResourceApi::datasetFile(const net::Request& request, const DatasetFile* file) const {
  if (file == nullptr || files_ == nullptr) return apiError(404, "not_found", "no such dataset");
  return files_->serve(request, *file);
}

net::Response ResourceApi::openApi() const {
  net::Response r = net::Response::jsonText(200, settings_.openapi_json);
  r.noStore();
  return r;
}

}  // namespace gridgate::resource
