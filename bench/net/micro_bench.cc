// Per-request hot paths of net/ that do not touch a socket.
#include <benchmark/benchmark.h>

#include "net/form.h"
#include "net/http.h"
#include "net/metrics.h"
#include "net/router.h"

namespace {

using namespace gridgate::net;

Response ok(const Request&) { return Response::text(200, "ok"); }

void BM_RouterMatch(benchmark::State& state) {
  Router r;
  for (const char* p : {"/par", "/authorize", "/token", "/introspect", "/revoke", "/userinfo",
                        "/permissions", "/jwks", "/.well-known/openid-configuration",
                        "/datasources", "/datasources/{id}", "/datasources/{id}/{measure}"}) {
    r.get(p, ok);
  }
  for (auto _ : state) {
    auto m = r.match(Method::kGet, "/datasources/meter-0042/import");
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_RouterMatch);

void BM_ParseTokenForm(benchmark::State& state) {
  const std::string body =
      "grant_type=authorization_code&code=Xk4p9q2LmN7vB1cD3eF5gH6jK8lM0nP&redirect_uri=https%3A%2F"
      "%2Fclient.example%2Fcallback&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
      "&client_id=https%3A%2F%2Fclient.example%2Fapp";
  for (auto _ : state) {
    auto f = parseForm(body);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_ParseTokenForm);

void BM_InteractionId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(resolveInteractionId(std::nullopt));
}
BENCHMARK(BM_InteractionId);

void BM_SecurityHeaders(benchmark::State& state) {
  for (auto _ : state) {
    Response r = Response::jsonText(200, R"({"a":1})");
    applySecurityHeaders(r, SecurityHeaders{}, true);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SecurityHeaders);

void BM_MetricsRecord(benchmark::State& state) {
  MetricsRegistry m;
  Counter& c = m.counter("x_total", "x", {{"route", "/json"}, {"status", "200"}});
  Histogram& h = m.histogram("x_seconds", "x", MetricsRegistry::latencyBuckets());
  for (auto _ : state) {
    c.inc();
    h.observe(0.000123);
  }
}
BENCHMARK(BM_MetricsRecord);

}  // namespace

BENCHMARK_MAIN();
