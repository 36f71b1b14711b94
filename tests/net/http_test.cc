#include "net/http.h"

#include <gtest/gtest.h>

#include "core/random.h"
#include "net/cidr.h"
#include "net/metrics.h"

namespace gridgate::net {
namespace {

TEST(NetHeaders, CaseInsensitiveAndRepeated) {
  Headers h;
  h.add("Content-Type", "application/json");
  h.add("X-Thing", "1");
  h.add("x-thing", "2");
  EXPECT_EQ(*h.get("content-type"), "application/json");
  EXPECT_EQ(h.count("X-THING"), 2U);
  EXPECT_EQ(h.getAll("x-thing"), (std::vector<std::string_view>{"1", "2"}));
  h.set("X-Thing", "3");
  EXPECT_EQ(h.count("x-thing"), 1U);
  EXPECT_EQ(*h.get("x-thing"), "3");
  h.setDefault("x-thing", "4");
  EXPECT_EQ(*h.get("x-thing"), "3");
  h.remove("X-THING");
  EXPECT_FALSE(h.contains("x-thing"));
  EXPECT_FALSE(h.get("absent"));
}

TEST(NetRequest, MediaType) {
  Request r;
  r.headers.add("Content-Type", " Application/X-WWW-Form-Urlencoded ; charset=UTF-8");
  EXPECT_EQ(r.mediaType(), "application/x-www-form-urlencoded");
  EXPECT_TRUE(r.isForm());
  EXPECT_FALSE(r.isJson());
}

TEST(NetMethods, ExactTokens) {
  EXPECT_EQ(parseMethod("GET"), Method::kGet);
  EXPECT_EQ(parseMethod("get"), Method::kOther) << "methods are case-sensitive";
  EXPECT_EQ(parseMethod("TRACE"), Method::kOther);
  EXPECT_EQ(methodName(Method::kDelete), "DELETE");
}

TEST(NetInteractionId, EchoesValidUuidElseNewV4) {
  const std::string mine = "c8a2f6e4-1b7d-4e1a-9f3e-2d6c5b4a3f21";
  EXPECT_EQ(resolveInteractionId(mine), mine);
  for (std::optional<std::string_view> bad :
       {std::optional<std::string_view>{}, std::optional<std::string_view>{""},
        std::optional<std::string_view>{"not-a-uuid"},
        std::optional<std::string_view>{"c8a2f6e4-1b7d-4e1a-9f3e-2d6c5b4a3f2"},
        std::optional<std::string_view>{"c8a2f6e4-1b7d-4e1a-9f3e-2d6c5b4a3f21\r\nX: y"}}) {
    const std::string id = resolveInteractionId(bad);
    EXPECT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '4') << "version 4";
    EXPECT_NE(id, mine);
  }
  EXPECT_NE(resolveInteractionId(std::nullopt), resolveInteractionId(std::nullopt));
}

TEST(NetResponse, Shapes) {
  auto j = Response::json(201, Json{{"a", 1}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.body, R"({"a":1})");
  EXPECT_EQ(*j.headers.get("content-type"), "application/json");
  auto r = Response::redirect303("https://client.example/cb?code=x");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*r.headers.get("location"), "https://client.example/cb?code=x");
  auto h = Response::html(200, "<p>x</p>").noStore();
  EXPECT_EQ(*h.headers.get("cache-control"), "no-store");
  EXPECT_EQ(*h.headers.get("pragma"), "no-cache");
  EXPECT_EQ(reasonPhrase(431), "Request Header Fields Too Large");
}

TEST(NetSecurityHeaders, AddedUnlessSet) {
  Response r = Response::text(200, "x");
  r.headers.set("Cache-Control", "public, max-age=60");
  applySecurityHeaders(r, SecurityHeaders{}, true);
  EXPECT_EQ(*r.headers.get("cache-control"), "public, max-age=60");
  EXPECT_EQ(*r.headers.get("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(*r.headers.get("content-security-policy"), "frame-ancestors 'none'");
  EXPECT_EQ(*r.headers.get("x-frame-options"), "DENY");
  EXPECT_EQ(*r.headers.get("x-content-type-options"), "nosniff");
  Response plain = Response::text(200, "x");
  applySecurityHeaders(plain, SecurityHeaders{}, false);
  EXPECT_FALSE(plain.headers.contains("strict-transport-security")) << "no HSTS over plain HTTP";
  EXPECT_EQ(*plain.headers.get("cache-control"), "no-store");
}

TEST(NetCidr, ParseAndMatch) {
  auto v4 = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains("10.1.2.3"));
  EXPECT_TRUE(v4->contains("::ffff:10.1.2.3")) << "IPv4-mapped";
  EXPECT_FALSE(v4->contains("11.0.0.1"));
  EXPECT_FALSE(v4->contains("garbage"));
  auto host = Cidr::parse("127.0.0.2");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains("127.0.0.2"));
  EXPECT_FALSE(host->contains("127.0.0.1"));
  auto v6 = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains("2001:db8:1::5"));
  EXPECT_FALSE(v6->contains("2001:db9::1"));
  EXPECT_FALSE(v6->contains("10.0.0.1"));
  auto odd = Cidr::parse("192.168.1.128/25");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("192.168.1.200"));
  EXPECT_FALSE(odd->contains("192.168.1.127"));
  EXPECT_EQ(odd->toString(), "192.168.1.128/25");
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "300.0.0.0",
                          "fe80::1%eth0", "", "::1/129", "10.0.0.0/-1"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains("8.8.8.8"));
}

TEST(NetMetrics, PrometheusText) {
  MetricsRegistry m;
  m.counter("gridgate_test_total", "A test counter", {{"reason", "a\"b\\c\nd"}}).inc(3);
  Counter& same = m.counter("gridgate_test_total", "A test counter", {{"reason", "a\"b\\c\nd"}});
  same.inc();
  m.gauge("gridgate_conns", "Open").set(5);
  m.gaugeCallback("gridgate_queue", "Queue length", {}, [] { return 7.0; });
  Histogram& h = m.histogram("gridgate_lat_seconds", "Latency", {0.1, 1}, {{"route", "/x"}});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const std::string text = m.renderPrometheus();
  EXPECT_NE(text.find("# TYPE gridgate_test_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("gridgate_test_total{reason=\"a\\\"b\\\\c\\nd\"} 4\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("gridgate_conns 5\n"), std::string::npos);
  EXPECT_NE(text.find("gridgate_queue 7\n"), std::string::npos);
  EXPECT_NE(text.find("gridgate_lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gridgate_lat_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("gridgate_lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("gridgate_lat_seconds_count{route=\"/x\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("gridgate_lat_seconds_sum{route=\"/x\"} 5.55\n"), std::string::npos);
}

TEST(NetMetrics, MisuseThrows) {
  MetricsRegistry m;
  m.counter("a_total", "x");
  EXPECT_THROW(m.gauge("a_total", "x"), std::invalid_argument);
  EXPECT_THROW(m.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(m.counter("ok_total", "x", {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(m.counter("ok_total", "x", {{"9bad", "1"}}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace gridgate::net
