// [resource] configuration: defaults, every key read, unsafe values refused.
#include "resource/config.h"

#include <gtest/gtest.h>

namespace gridgate::resource {
namespace {

config::Document doc(const std::string& toml) {
  auto d = config::Document::parse(toml, "test.toml", "/etc/gridgate",
                                   {.env = [](const std::string&) { return std::nullopt; }});
  EXPECT_TRUE(d) << d.error().detail;
  return std::move(*d);
}

const std::string kMinimal = R"(
[resource]
base_url = "https://api.provider.example/"
[resource.signing]
key = "signing-provider-key.pem"
bundle = "signing-provider-bundle.pem"
[resource.token]
issuer = "https://auth.provider.example"
[resource.listener]
cert_chain = "server-bundle.pem"
key = "server-key.pem"
client_ca = "client-verify-bundle.pem"
)";

TEST(ResourceConfig, Defaults) {
  config::Document d = doc(kMinimal);
  auto c = parseResourceConfig(d);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(d.checkAllRead());
  EXPECT_EQ((*c)->base_url, "https://api.provider.example");  // trailing '/' removed
  EXPECT_EQ((*c)->licence, kPerseusLicence);
  EXPECT_EQ((*c)->required_role, kCarbonAccountingProviderRole);
  EXPECT_EQ((*c)->max_period_days, 366);
  EXPECT_TRUE((*c)->openapi_public);
  EXPECT_TRUE((*c)->builtin_meters);
  EXPECT_EQ((*c)->signing_key, "/etc/gridgate/signing-provider-key.pem");
  const auto& as = (*c)->token.issuers.at(0);
  EXPECT_EQ(as.issuer, "https://auth.provider.example");
  EXPECT_EQ(as.audiences, std::vector<std::string>{"https://api.provider.example"});
  EXPECT_EQ(as.mode, validator::TokenMode::kJwt);
  EXPECT_TRUE(as.require_binding);
  EXPECT_EQ((*c)->listener.port, 8010);
  EXPECT_EQ((*c)->listener.client_cert, config::ClientCertPolicy::kRequire);
}

TEST(ResourceConfig, Datasets) {
  const std::string with = R"(
[resource]
base_url = "https://api.provider.example"
datasets_dir = "datasets"
max_period_days = 31
openapi_public = false
[[resource.datasets]]
name = "postcodes.csv"
scope = "https://example.org/licence/postcodes"
[[resource.datasets]]
name = "tariffs.json"
scope = "tariffs"
content_type = "application/json"
[resource.signing]
key = "k.pem"
bundle = "b.pem"
[resource.token]
issuer = "https://auth.provider.example"
mode = "introspection"
client_id = "https://directory.core.trust.ib1.org/a/provider"
cert_chain = "p.pem"
key = "p-key.pem"
[resource.listener.trusted_proxy]
proxies = ["127.0.0.1/32"]
)";
  config::Document d2 = doc(with);
  auto c = parseResourceConfig(d2);
  ASSERT_TRUE(c) << c.error().detail;
  ASSERT_EQ((*c)->datasets.size(), 2u);
  EXPECT_EQ((*c)->datasets[1].content_type, "application/json");
  EXPECT_EQ((*c)->datasets_dir, "/etc/gridgate/datasets");
  EXPECT_EQ((*c)->max_period_days, 31);
  EXPECT_FALSE((*c)->openapi_public);
  EXPECT_EQ((*c)->token.issuers[0].mode, validator::TokenMode::kIntrospection);
  EXPECT_TRUE((*c)->listener.trusted_proxy.has_value());
}

TEST(ResourceConfig, Refused) {
  const auto refused = [](const std::string& toml, const std::string& mentions) {
    config::Document d = doc(toml);
    auto c = parseResourceConfig(d);
    ASSERT_FALSE(c) << toml;
    EXPECT_NE(c.error().detail.find(mentions), std::string::npos) << c.error().detail;
  };
  const std::string sign = "[resource.signing]\nkey = \"k\"\nbundle = \"b\"\n";
  const std::string token = "[resource.token]\nissuer = \"https://as.example\"\n";
  const std::string listener =
      "[resource.listener]\ncert_chain = \"c\"\nkey = \"k\"\nclient_ca = \"a\"\n";
  refused("[resource]\n" + sign + token + listener, "resource.base_url");
  refused("[resource]\nbase_url = \"http://api.example\"\n" + sign + token + listener,
          "resource.base_url");
  refused("[resource]\nbase_url = \"https://api.example?x\"\n" + sign + token + listener,
          "resource.base_url");
  refused("[resource]\nbase_url = \"https://api.example\"\n" + token + listener,
          "resource.signing.key");
  refused("[resource]\nbase_url = \"https://api.example\"\n" + sign + listener,
          "resource.token.issuer");
  refused("[resource]\nbase_url = \"https://api.example\"\nmax_period_days = 0\n" + sign + token +
              listener,
          "max_period_days");
  refused("[resource]\nbase_url = \"https://api.example\"\n" + sign + token + listener +
              "[[resource.datasets]]\nname = \"a.csv\"\nscope = \"s\"\n",
          "datasets_dir");
  refused("[resource]\nbase_url = \"https://api.example\"\ndatasets_dir = \"d\"\n" + sign + token +
              listener + "[[resource.datasets]]\nname = \"../a.csv\"\nscope = \"s\"\n",
          "name");
  refused("[resource]\nbase_url = \"https://api.example\"\n" + sign +
              "[resource.token]\nissuer = \"https://as.example\"\nmode = \"magic\"\n" + listener,
          "mode");
  // http is for loopback only.
  config::Document ok = doc("[resource]\nbase_url = \"http://127.0.0.1:8010\"\n" + sign +
                            "[resource.token]\nissuer = \"http://127.0.0.1:8000\"\n" + listener);
  EXPECT_TRUE(parseResourceConfig(ok));
}

}  // namespace
}  // namespace gridgate::resource
