// The API's handlers with the Caller the validator would hand them (no sockets): readings, 404s,
// 400s naming the parameter, per-account meters, and the provenance record of each response -
// verified with the provenance Verifier against the signing CA, holding exactly what was asked.
#include "resource/api.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/json.h"
#include "provenance/record.h"
#include "provenance/verifier.h"
#include "resource/csv_import.h"
#include "resource/openapi.h"
#include "support.h"

namespace gridgate::resource {
namespace {

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
constexpr std::string_view kClient = "https://directory.core.trust.ib1.org/a/demo-accounting";
constexpr std::string_view kInteraction = "6f0c5a1e-1b2c-4d3e-8f90-0123456789ab";

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : clock_(SystemClock::instance().unixSeconds()) {
    auto ds = std::make_shared<Dataset>(Dataset::builtIn());
    auto owned = parseMeterCsv("from,import_wh\n2024-06-01T00:00:00Z,5\n",
                               {.id = "owned-1", .outcode = "OX4", .account = "alice"});
    Meter m{.id = "owned-1", .outcode = "OX4", .account = "alice"};
    m.source = std::make_shared<ImportedSource>(std::move(*owned));
    EXPECT_TRUE(ds->add(std::move(m)));
    api_.emplace(
        ApiSettings{.base_url = "https://api.provider.example",
                    .max_period_days = 366,
                    .openapi_json = openApiDocument({.base_url = "https://api.x"})},
        ds, std::make_shared<const RecordFactory>(ProvenanceSettings{}, test::providerSigner()),
        nullptr, clock_);
  }

  Caller caller(std::string account = "bob") const {
    return Caller{.client_id = std::string(kClient),
                  .permission = {.account = std::move(account),
                                 .licence = std::string(kLicence),
                                 .granted_at = *parseUtc("2024-05-01T10:00:00Z"),
                                 .expires_at = *parseUtc("2025-05-01T10:00:00Z")}};
  }

  net::Response readings(const std::string& id, const std::string& measure,
                         const std::string& query, const Caller& who) {
    net::Request req;
    req.params.add("id", id);
    req.params.add("measure", measure);
    req.query = query;
    req.interaction_id = std::string(kInteraction);
    return api_->readings(req, who);
  }

  static Json body(const net::Response& r) {
    auto j = parseJsonObject(r.body);
    EXPECT_TRUE(j) << r.body;
    return j ? *j : Json();
  }

  FakeClock clock_;
  std::optional<ResourceApi> api_;
};

TEST_F(ApiTest, Datasources) {
  net::Response r = api_->datasources({}, caller());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(*r.headers.get("cache-control"), "no-store");
  Json j = body(r);
  ASSERT_TRUE(j["data"].is_array());
  EXPECT_EQ(j["data"].size(), builtInMeters().size());  // not alice's meter
  for (const Json& m : j["data"]) {
    EXPECT_EQ(m["type"], "electricity");
    EXPECT_TRUE(m["location"]["ukPostcodeOutcode"].is_string());
    EXPECT_EQ(m["availableMeasures"][0], "import");
    EXPECT_NE(m["id"], "owned-1");
  }
  EXPECT_EQ(j["data"][1]["availableMeasures"], (Json{"import", "export"}));  // efgh5678: solar
  j = body(api_->datasources({}, caller("alice")));
  EXPECT_EQ(j["data"].size(), builtInMeters().size() + 1);
  EXPECT_EQ(j["data"].back()["id"], "owned-1");
}

TEST_F(ApiTest, OneDayWithVerifiedProvenance) {
  const net::Response r = readings("efgh5678", "export", "from=2024-06-21&to=2024-06-21", caller());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*r.headers.get("cache-control"), "no-store");
  const Json j = body(r);
  ASSERT_EQ(j["data"].size(), 48u);
  EXPECT_EQ(j["data"][0]["from"], "2024-06-21T00:00:00Z");
  EXPECT_EQ(j["data"][47]["to"], "2024-06-22T00:00:00Z");
  EXPECT_EQ(j["location"], (Json{{"ukPostcodeOutcode", "OX4"}}));
  // Same request, same readings.
  EXPECT_EQ(body(readings("efgh5678", "export", "from=2024-06-21&to=2024-06-21", caller()))["data"],
            j["data"]);

  auto record = provenance::Record::parse(r.body);
  ASSERT_TRUE(record) << record.error().detail;
  auto v = test::signingVerifier().verify(*record);
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_TRUE(provenance::requireRole(*v, provenance::kEnergyDataProviderRole));
  EXPECT_EQ(v->signatures[0].identity.application, test::framework().ids.provider_application);
  ASSERT_EQ(v->steps.size(), 3u);
  const OrderedJson& perm = v->steps[0].step;
  const OrderedJson& origin = v->steps[1].step;
  const OrderedJson& transfer = v->steps[2].step;
  for (const auto* s : {&perm, &origin, &transfer}) {
    EXPECT_EQ((*s)["scheme"], "https://registry.core.trust.ib1.org/scheme/perseus");
  }
  EXPECT_EQ(perm["type"], "permission");
  EXPECT_EQ(perm["timestamp"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(perm["account"], "bob");
  EXPECT_EQ(perm["allows"]["licences"], OrderedJson::array({kLicence}));
  EXPECT_EQ(perm["expires"], "2025-05-01T10:00:00Z");

  EXPECT_EQ(origin["type"], "origin");
  EXPECT_EQ(origin["sourceType"],
            "https://registry.core.trust.ib1.org/scheme/perseus/source-type/Meter");
  EXPECT_EQ(origin["external"], true);
  EXPECT_EQ(origin["permissions"], OrderedJson::array({perm["id"]}));
  EXPECT_EQ(origin["perseus:scheme"]["meteringPeriod"]["from"], "2024-06-21T00:00:00Z");
  EXPECT_EQ(origin["perseus:scheme"]["meteringPeriod"]["to"], "2024-06-22T00:00:00Z");
  for (const char* k : {"dataSource", "missingData", "processing"}) {
    EXPECT_TRUE(origin["perseus:assurance"][k].is_string()) << k;
  }
  EXPECT_EQ(v->origins, std::vector<std::string>{origin["id"].get<std::string>()});

  EXPECT_EQ(transfer["type"], "transfer");
  EXPECT_EQ(transfer["of"], origin["id"]);
  EXPECT_EQ(transfer["to"], kClient);
  EXPECT_EQ(transfer["licence"], kLicence);
  EXPECT_EQ(transfer["service"], "https://api.provider.example/datasources/efgh5678/export");
  EXPECT_EQ(transfer["path"], "/readings");
  EXPECT_EQ(transfer["parameters"],
            (OrderedJson{{"measure", "export"}, {"from", "2024-06-21"}, {"to", "2024-06-21"}}));
  EXPECT_EQ(transfer["permissions"], OrderedJson::array({perm["id"]}));
  EXPECT_EQ(transfer["transaction"], kInteraction);
  // Whole-second Z timestamps everywhere.
  for (const auto& s : v->steps) {
    EXPECT_TRUE(parseUtc(s.step["timestamp"].get<std::string>())) << s.step["timestamp"];
  }
  EXPECT_TRUE(parseUtc(v->signatures[0].signed_at));
}

TEST_F(ApiTest, EachResponseSignedAnew) {
  const auto a = body(readings("abcd1234", "import", "from=2024-01-01&to=2024-01-02", caller()));
  const auto b = body(readings("abcd1234", "import", "from=2024-01-01&to=2024-01-02", caller()));
  EXPECT_EQ(a["data"], b["data"]);
  EXPECT_EQ(a["data"].size(), 96u);
  EXPECT_NE(a["provenance"]["steps"], b["provenance"]["steps"]);  // fresh step ids
}

TEST_F(ApiTest, NotFound) {
  for (const auto& [id, measure] : std::vector<std::pair<std::string, std::string>>{
           {"nope", "import"},
           {"abcd1234", "export"},  // no solar
           {"abcd1234", "gas"},
           {"abcd1234", "Import"},
           {"owned-1", "import"}}) {  // alice's meter, asked by bob
    const net::Response r = readings(id, measure, "from=2024-01-01&to=2024-01-01", caller());
    EXPECT_EQ(r.status, 404) << id << "/" << measure;
    EXPECT_EQ(body(r)["error"], "not_found");
    EXPECT_EQ(*r.headers.get("cache-control"), "no-store");
  }
  // 404 before the query is looked at.
  EXPECT_EQ(readings("nope", "import", "", caller()).status, 404);
  EXPECT_EQ(readings("owned-1", "import", "from=2024-06-01&to=2024-06-01", caller("alice")).status,
            200);
}

TEST_F(ApiTest, BadParametersNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "from"},
      {"from=2024-01-01", "to"},
      {"from=2024-02-30&to=2024-03-01", "from"},
      {"from=2024-03-02&to=2024-03-01", "from"},
      {"from=2023-01-01&to=2024-01-02", "to"},  // 367 days (366 is the maximum)
  };
  for (const auto& [query, parameter] : cases) {
    const net::Response r = readings("abcd1234", "import", query, caller());
    EXPECT_EQ(r.status, 400) << query;
    const Json j = body(r);
    EXPECT_EQ(j["error"], "invalid_request");
    EXPECT_EQ(j["parameter"], parameter) << query;
  }
}

TEST_F(ApiTest, FuturePeriodReturnsTheEndedSlotsOnly) {
  const std::int64_t now = clock_.unixSeconds();
  const std::string today = formatDate(now);
  const Json j =
      body(readings("abcd1234", "import",
                    "from=" + today + "&to=" + formatDate(now + 3 * kDaySeconds), caller()));
  const std::int64_t ended = (now / kSlotSeconds) * kSlotSeconds;
  EXPECT_EQ(static_cast<std::int64_t>(j["data"].size()),
            (ended - *parseDate(today)) / kSlotSeconds);
  // The provenance still states the period asked.
  auto record = provenance::Record::parse(dumpJson(j));
  ASSERT_TRUE(record);
  auto v = test::signingVerifier().verify(*record);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->steps[2].step["parameters"]["to"], formatDate(now + 3 * kDaySeconds));
}

TEST_F(ApiTest, OpenApiDocument) {
  const net::Response r = api_->openApi();
  EXPECT_EQ(r.status, 200);
  const Json j = body(r);
  EXPECT_EQ(j["openapi"], "3.1.0");
  EXPECT_TRUE(j["paths"].contains("/datasources/{id}/{measure}"));
  EXPECT_EQ(j["components"]["securitySchemes"]["mtls"]["type"], "mutualTLS");
}

}  // namespace
}  // namespace gridgate::resource
