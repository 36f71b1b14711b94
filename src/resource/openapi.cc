#include "resource/openapi.h"

#include "core/json.h"

namespace gridgate::resource {

namespace {

Json errorResponse(std::string description) {
  return Json{
      {"description", std::move(description)},
      {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

Json quantity() {
  return Json{{"type", "object"},
              {"required", {"value", "unitCode"}},
              {"properties",
               {{"value", {{"type", {"integer", "null"}}, {"description", "watt-hours"}}},
                {"unitCode", {{"const", "WHR"}}}}}};
}

}  // namespace

std::string openApiDocument(const OpenApiInfo& info) {
  const Json security = Json::array({Json{{"mtls", Json::array()}, {"token", {info.licence}}}});
  Json common_errors = {
      {"401", errorResponse("No token, or a token that is invalid, expired, revoked, not bound to "
                            "the client certificate, or issued to another client "
                            "(WWW-Authenticate: Bearer)")},
      {"403", errorResponse("The certificate lacks the required role, or the token lacks the "
                            "required scope")},
      {"503", errorResponse("The authorization server cannot be reached (Retry-After)")},
  };

  Json paths;
  Json ds_get = {{"summary", "The meters this provider holds for the account of the token"},
                 {"operationId", "listDatasources"},
                 {"security", security},
                 {"responses",
                  {{"200",
                    {{"description", "The meters"},
                     {"content",
                      {{"application/json",
                        {{"schema", {{"$ref", "#/components/schemas/Datasources"}}}}}}}}}}}};
  for (const auto& [k, v] : common_errors.items()) ds_get["responses"][k] = v;
  paths["/datasources"]["get"] = std::move(ds_get);

  Json date_param = {
      {"in", "query"}, {"required", true}, {"schema", {{"type", "string"}, {"format", "date"}}}};
  Json from = date_param;
  from["name"] = "from";
  from["description"] = "First day (UTC), included: readings from from 00:00:00Z";
  Json to = date_param;
  to["name"] = "to";
  to["description"] = "Last day (UTC), included: readings until to+1 day 00:00:00Z; at most " +
                      std::to_string(info.max_period_days) + " days from `from`";
  Json readings_get = {
      {"summary", "Half-hourly readings of one meter and measure, with a signed provenance record"},
      {"operationId", "getReadings"},
      {"security", security},
      {"parameters",
       {{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}},
        {{"name", "measure"},
         {"in", "path"},
         {"required", true},
         {"schema", {{"type", "string"}, {"enum", {"import", "export"}}}}},
        from,
        to}},
      {"responses",
       {{"200",
         {{"description",
           "Readings of the half hours starting in [from 00:00:00Z, to+1 day 00:00:00Z) that have "
           "ended, and the provenance record (IB1 format) signed by the provider"},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/MeterData"}}}}}}}}},
        {"400", errorResponse("A missing or malformed date, from after to, or a period that is "
                              "too long; `parameter` names the parameter")},
        {"404", errorResponse("Unknown meter, or a measure the meter does not have")}}}};
  for (const auto& [k, v] : common_errors.items()) readings_get["responses"][k] = v;
  paths["/datasources/{id}/{measure}"]["get"] = std::move(readings_get);

  for (const DatasetFile& f : info.datasets) {
    Json file_get = {
        {"summary", "Dataset file " + f.name},
        {"operationId", "getDataset_" + f.name},
        {"security",
         Json::array({Json{{"mtls", Json::array()}, {"token", Json::array({f.scope})}}})},
        {"parameters",
         {{{"name", "Range"},
           {"in", "header"},
           {"required", false},
           {"schema", {{"type", "string"}}},
           {"description", "One byte range (bytes=first-last, bytes=first-, bytes=-suffix)"}}}},
        {"responses",
         {{"200", {{"description", "The file (ETag, Accept-Ranges: bytes)"}}},
          {"206", {{"description", "The requested range (Content-Range)"}}},
          {"304", {{"description", "If-None-Match matched the ETag"}}},
          {"416", errorResponse("The range is outside the file")}}}};
    for (const auto& [k, v] : common_errors.items()) file_get["responses"][k] = v;
    paths["/datasets/" + f.name]["get"] = std::move(file_get);
  }

  Json reading = {
      {"type", "object"},
      {"required", {"type", "from", "to", "energy", "cumulative", "quality"}},
      {"properties",
       {{"type", {{"const", "Electricity"}}},
        {"from", {{"type", "string"}, {"format", "date-time"}}},
        {"to", {{"type", "string"}, {"format", "date-time"}}},
        {"takenAt",
         {{"type", "string"},
          {"format", "date-time"},
          {"description", "When the meter recorded the half hour (its end); absent when missing"}}},
        {"energy", quantity()},
        {"cumulative", quantity()},
        {"quality",
         {{"enum", {"measured", "missing"}},
          {"description",
           "missing: the meter delivered no read for this half hour; energy.value is null and "
           "nothing is estimated"}}}}}};
  Json location = {{"type", "object"},
                   {"properties", {{"ukPostcodeOutcode", {{"type", "string"}}}}}};

  Json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "gridgate smart meter data API"},
        {"version", "1.0.0"},
        {"description",
         "Smart meter readings for carbon accounting providers of the Perseus scheme. Every data "
         "request needs a client certificate carrying the role " +
             info.required_role +
             ", and an access token bound to that certificate, issued to the certificate's "
             "application URL, with the licence as scope. This document itself is public."}}},
      {"servers", {{{"url", info.base_url}}}},
      {"paths", std::move(paths)},
      {"components",
       {{"securitySchemes",
         {{"mtls",
           {{"type", "mutualTLS"},
            {"description", "A client certificate of the trust framework's client CA"}}},
          {"token",
           {{"type", "oauth2"},
            {"description",
             "Certificate-bound access token (RFC 8705) from the authorization server"},
            {"flows",
             {{"authorizationCode",
               {{"authorizationUrl", info.issuer + "/authorize"},
                {"tokenUrl", info.issuer + "/token"},
                {"scopes",
                 {{info.licence, "Read energy consumption data under the licence"}}}}}}}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"required", {"error"}},
            {"properties",
             {{"error", {{"type", "string"}}},
              {"error_description", {{"type", "string"}}},
              {"parameter", {{"type", "string"}}}}}}},
          {"Reading", reading},
          {"Location", location},
          {"Datasources",
           {{"type", "object"},
            {"properties",
             {{"data",
               {{"type", "array"},
                {"items",
                 {{"type", "object"},
                  {"properties",
                   {{"id", {{"type", "string"}}},
                    {"type", {{"const", "electricity"}}},
                    {"location", {{"$ref", "#/components/schemas/Location"}}},
                    {"availableMeasures",
                     {{"type", "array"}, {"items", {{"enum", {"import", "export"}}}}}}}}}}}}}}}},
          {"MeterData",
           {{"type", "object"},
            {"properties",
             {{"data", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/Reading"}}}}},
              {"location", {{"$ref", "#/components/schemas/Location"}}},
              {"provenance",
               {{"type", "object"},
                {"description",
                 "IB1 provenance record: permission, origin and transfer steps signed by the "
                 "provider's signing certificate, certificates embedded"}}}}}}}}}}},
  };
  return dumpJson(doc, 2);
}

}  // namespace gridgate::resource
