// deploy/nginx/gridgate.conf.in, rendered the way deploy/nginx/README.md tells an operator to
// (every @NAME@ replaced: loopback addresses, free ports, the sandbox PKI's files), run by a real
// nginx in front of two authorization servers and two resource servers (four `gridgate serve`
// processes on one real redis-server, their listeners plain HTTP in trusted-proxy mode accepting
// only nginx's address, as docs/deployment.md "nginx in front" says). Everything the clients do
// goes through nginx:
//
//   - whole flows (PAR and token on nginx's mtls server with the demo client's certificate,
//     authorize / login / consent on its public server) and data from the resource servers;
//   - nginx balanced: every instance of each kind served some of those requests (each instance's
//     own request counters, read from its /metrics), and keeps its upstream connections alive
//     (each instance still holds one from nginx); /metrics itself is not served through nginx;
//   - a client certificate from outside the client CA is refused by nginx: no instance sees the
//     request;
//   - a client-certificate header sent to nginx by a client does not reach the servers as the
//     client's certificate: nginx replaces it with the one it verified;
//   - kill -9 of one authorization server: flows still complete through nginx.
//
// Time is real (the processes have their own clocks): every wait is a polling loop with a
// deadline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "child.h"  // tests/sandbox: `gridgate` child processes
#include "cli/sandbox/files.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "harness.h"  // tests/authz: Browser, clientConfig, queryOf, pkcePair
#include "multi_support.h"
#include "net/form.h"
#include "nginx_child.h"  // tests/net
#include "pki/pki.h"
#include "redis_server.h"  // tests/store
#include "store/redis/redis_store.h"

namespace gridgate {
namespace {

using namespace std::chrono_literals;
using authz::test::Browser;
using authz::test::clientConfig;
using authz::test::queryOf;
using sandbox_test::Gridgate;
using Form = std::vector<std::pair<std::string, std::string>>;

using net::test::kNginx;

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "alice's password behind nginx";
constexpr std::string_view kHeader = "X-Amzn-Mtls-Clientcert-Leaf";
// Starting an ASan build of gridgate on a loaded 2-core machine: generous.
constexpr auto kStartTimeout = 60s;

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// Replaces the TOML table starting at `header` (up to the next blank line or the end) by `with`.
std::string replaceTable(const std::string& text, const std::string& header,
                         const std::string& with) {
  const std::size_t at = text.find(header);
  if (at == std::string::npos) return text;
  const std::size_t end = text.find("\n\n", at);
  return text.substr(0, at) + with + (end == std::string::npos ? "" : text.substr(end));
}

// A listener as docs/deployment.md puts it behind nginx: plain HTTP, the forwarded certificate
// read only from nginx's address (127.0.0.1 here), /metrics on for the balancing check.
std::string proxiedListener(const std::string& table) {
  return "[" + table +
         "]\n"
         "port = 0\n"
         "hsts = false\n"
         "metrics = true\n"
         "[" +
         table +
         ".trusted_proxy]\n"
         "proxies = [\"127.0.0.1/32\"]\n"
         "header = \"" +
         std::string(kHeader) +
         "\"\n"
         "format = \"url-encoded-pem\"\n";
}

// Sum of gridgate_http_requests_total on `listener` in a Prometheus text exposition, not counting
// the scrapes of /metrics themselves.
double requestsOn(const std::string& metrics, const std::string& listener) {
  double sum = 0;
  std::size_t pos = 0;
  while (pos < metrics.size()) {
    std::size_t eol = metrics.find('\n', pos);
    if (eol == std::string::npos) eol = metrics.size();
    const std::string line = metrics.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.starts_with("gridgate_http_requests_total{")) continue;
    if (line.find("listener=\"" + listener + "\"") == std::string::npos) continue;
    if (line.find("/metrics") != std::string::npos) continue;
    sum += std::strtod(line.substr(line.rfind(' ') + 1).c_str(), nullptr);
  }
  return sum;
}

// gridgate_http_active_connections{listener="..."} in a Prometheus text exposition.
double gauge(const std::string& metrics, const std::string& listener) {
  const std::string name = "gridgate_http_active_connections{listener=\"" + listener + "\"} ";
  const std::size_t at = metrics.find(name);
  return at == std::string::npos ? -1 : std::strtod(metrics.c_str() + at + name.size(), nullptr);
}

// GET /metrics straight from an instance's plain listener (the test runs on nginx's address).
std::string scrape(std::uint16_t port) {
  net::test::RawClient c(port);
  if (!c.connected() || !c.send(net::test::simpleGet("/metrics"))) return "";
  auto r = c.readResponse();
  return r && r->status == 200 ? r->body : "";
}

// Two authorization servers, two resource servers and nginx in front, on one redis-server.
class Deployment {
 public:
  void start() {
    ASSERT_EQ(::access(kNginx, X_OK), 0) << kNginx;
    const std::vector<std::uint16_t> ports = net::test::freePorts(10);
    // What nginx listens on: the URLs in the configuration name these, never an instance.
    const cli::sandbox::Ports front{ports[0], ports[1], ports[2], ports[3]};
    nginx_public_ = ports[0];
    nginx_mtls_ = ports[1];
    nginx_resource_ = ports[2];
    public_ = {ports[4], ports[5]};
    mtls_ = {ports[6], ports[7]};
    resource_ = {ports[8], ports[9]};
    redirect_uri = front.cliRedirectUri();
    issuer = front.issuer();

    files_ = cli::sandbox::Layout::in(tmp_.path() + "/gg");
    std::string text;
    ASSERT_NO_FATAL_FAILURE(
        multi_test::sandboxConfigOnRedis(files_, front, redis.url(), "", &text));
    for (const char* table :
         {"authz.listeners.public", "authz.listeners.mtls", "resource.listener"}) {
      const std::string header = "[" + std::string(table) + "]\n";
      ASSERT_NE(text.find(header), std::string::npos) << text;
      text = replaceTable(text, header, proxiedListener(table));
    }
    multi_test::SplitConfigs split;
    ASSERT_NO_FATAL_FAILURE(multi_test::writeSplitConfigs(text, files_.dir.string(), &split));
    authz_config_ = split.authz;
    resource_config_ = split.resource;

    const pki::Identities ids = pki::sandboxIdentities();
    client_id = ids.demo_application;
    other_client_id = ids.other_application;
    ca = files_.pki.server.ca.string();

    ASSERT_NO_FATAL_FAILURE(multi_test::addRedisUser(redis.url(), kUser, kPassword));

    for (std::size_t i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i);
      as_[i] = std::make_unique<Gridgate>(
          std::vector<std::string>{
              "serve", "--config", authz_config_, "--state-dir", tmp_.path() + "/state-as" + n,
              "--public-port", std::to_string(public_[i]), "--mtls-port", std::to_string(mtls_[i])},
          tmp_.path() + "/as" + n + ".log");
    }
    ASSERT_NO_FATAL_FAILURE(startNginx());
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_TRUE(as_[i]->waitReady(kStartTimeout,
                                    "gridgate serve: ready public=" + std::to_string(public_[i]) +
                                        " mtls=" + std::to_string(mtls_[i]) + "\n"))
          << logs();
    }
    // After the authorization servers and nginx: a resource server fetches the issuer's JWKS
    // (through nginx: the issuer is nginx's public URL) at start.
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i);
      rs_[i] = std::make_unique<Gridgate>(
          std::vector<std::string>{"serve", "--config", resource_config_, "--state-dir",
                                   tmp_.path() + "/state-rs" + n, "--resource-port",
                                   std::to_string(resource_[i])},
          tmp_.path() + "/rs" + n + ".log");
    }
    for (std::size_t i = 0; i < 2; ++i) {
      ASSERT_TRUE(rs_[i]->waitReady(
          kStartTimeout, "gridgate serve: ready resource=" + std::to_string(resource_[i]) + "\n"))
          << logs();
    }
  }

  void killAuthz(std::size_t i) { as_[i].reset(); }
  // The plain HTTP port of authorization server i's public listener (nginx's upstream).
  std::uint16_t authzPublicPort(std::size_t i) const { return public_[i]; }

  std::string publicUrl(const std::string& path) const {
    return "https://localhost:" + std::to_string(nginx_public_) + path;
  }
  std::string mtlsUrl(const std::string& path) const {
    return "https://localhost:" + std::to_string(nginx_mtls_) + path;
  }
  std::string resourceUrl(const std::string& path) const {
    return "https://localhost:" + std::to_string(nginx_resource_) + path;
  }

  // An mTLS client of nginx presenting `leaf` (one per thread: HttpClient is not shared).
  std::unique_ptr<net::HttpClient> client(const pki::LeafFiles& leaf) const {
    auto cfg = clientConfig(ca, leaf.bundle.string(), leaf.key.string());
    cfg.retry.max_attempts = 1;
    auto c = net::HttpClient::create(cfg);
    return c ? std::move(*c) : nullptr;
  }
  std::unique_ptr<net::HttpClient> demoClient() const { return client(files_.pki.client_demo); }
  const pki::Layout& pki() const { return files_.pki; }

  // Requests each instance served on `listener` so far (its /metrics).
  double authzRequests(std::size_t i, const std::string& listener) const {
    return requestsOn(scrape(public_[i]), listener);
  }
  // Connections open at each instance now (nginx's kept-alive upstream connections).
  double authzConnections(std::size_t i, const std::string& listener) const {
    return gauge(scrape(public_[i]), listener);
  }
  double resourceConnections(std::size_t i) const {
    return gauge(scrape(resource_[i]), "resource") - 1;  // less the scrape's own
  }
  double resourceRequests(std::size_t i) const {
    return requestsOn(scrape(resource_[i]), "resource");
  }

  std::string logs() const {
    std::string out;
    for (std::size_t i = 0; i < 2; ++i) {
      if (as_[i]) out += "--- authz " + std::to_string(i) + ":\n" + as_[i]->log();
      if (rs_[i]) out += "--- resource " + std::to_string(i) + ":\n" + rs_[i]->log();
    }
    return out + "--- nginx:\n" + nginxErrorLog();
  }
  std::string nginxErrorLog() const {
    return net::test::readFileText(tmp_.file("nginx/error.log"));
  }

  std::string tmpFile(const std::string& name) const { return tmp_.file(name); }

  store::test::RedisServer redis;
  std::string issuer;
  std::string redirect_uri;
  std::string client_id;
  std::string other_client_id;
  std::string ca;

 private:
  // deploy/nginx/gridgate.conf.in with every marker replaced (deploy/nginx/README.md), included
  // in an http { } of a minimal nginx.conf of a temp dir.
  void startNginx() {
    const std::string d = tmp_.file("nginx");
    std::filesystem::create_directories(d);
    std::string conf = net::test::readFileText(std::string(GRIDGATE_SOURCE_DIR) +
                                               "/deploy/nginx/gridgate.conf.in");
    ASSERT_FALSE(conf.empty());
    const auto local = [](std::uint16_t p) { return "127.0.0.1:" + std::to_string(p); };
    const std::vector<std::pair<std::string, std::string>> markers = {
        {"@AUTHZ_PUBLIC_1@", local(public_[0])},
        {"@AUTHZ_PUBLIC_2@", local(public_[1])},
        {"@AUTHZ_MTLS_1@", local(mtls_[0])},
        {"@AUTHZ_MTLS_2@", local(mtls_[1])},
        {"@RESOURCE_1@", local(resource_[0])},
        {"@RESOURCE_2@", local(resource_[1])},
        {"@PUBLIC_LISTEN@", local(nginx_public_)},
        {"@MTLS_LISTEN@", local(nginx_mtls_)},
        {"@RESOURCE_LISTEN@", local(nginx_resource_)},
        {"@AUTHZ_HOST@", "localhost"},
        {"@MTLS_HOST@", "localhost"},
        {"@RESOURCE_HOST@", "localhost"},
        {"@SERVER_CHAIN@", files_.pki.server_leaf.bundle.string()},
        {"@SERVER_KEY@", files_.pki.server_leaf.key.string()},
        {"@CLIENT_CA@", files_.pki.client.verify_bundle.string()},
    };
    for (const auto& [marker, value] : markers) {
      ASSERT_NE(conf.find(marker), std::string::npos) << marker << " is not in the template";
      conf = replaceAll(conf, marker, value);
    }
    // Only comments may still mention a marker.
    std::size_t pos = 0;
    while (pos < conf.size()) {
      std::size_t eol = conf.find('\n', pos);
      if (eol == std::string::npos) eol = conf.size();
      const std::string line = conf.substr(pos, eol - pos);
      pos = eol + 1;
      const std::size_t hash = line.find('#');
      const std::size_t at = line.find('@');
      EXPECT_TRUE(at == std::string::npos || (hash != std::string::npos && hash < at))
          << "unrendered marker: " << line;
    }
    net::test::writeFileText(d + "/gridgate.conf", conf);
    nginx_ = net::test::startNginx(d, "  include " + d + "/gridgate.conf;\n");
    for (const std::uint16_t p : {nginx_public_, nginx_mtls_, nginx_resource_}) {
      ASSERT_TRUE(net::test::waitForPort(p, 10s)) << net::test::readFileText(d + "/error.log")
                                                  << net::test::readFileText(d + "/stdout.log");
    }
  }

  net::test::TempDir tmp_;
  cli::sandbox::Layout files_;
  std::string authz_config_;
  std::string resource_config_;
  std::uint16_t nginx_public_ = 0;
  std::uint16_t nginx_mtls_ = 0;
  std::uint16_t nginx_resource_ = 0;
  std::array<std::uint16_t, 2> public_{};
  std::array<std::uint16_t, 2> mtls_{};
  std::array<std::uint16_t, 2> resource_{};
  std::array<std::unique_ptr<Gridgate>, 2> as_{};
  std::array<std::unique_ptr<Gridgate>, 2> rs_{};
  std::unique_ptr<net::test::ChildProcess> nginx_;
};

Result<net::ClientResponse> postForm(net::HttpClient& c, const std::string& url, const Form& f,
                                     const Form& headers = {}) {
  net::ClientRequest req = authz::test::request(net::Method::kPost, url, net::encodeForm(f));
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  for (const auto& [name, value] : headers) req.headers.add(name, value);
  return c.send(std::move(req));
}

std::string describe(const Result<net::ClientResponse>& r) {
  if (!r) return "no answer: " + r.error().detail;
  return std::to_string(r->status) + " " + r->body.substr(0, 300);
}

Form parForm(const Deployment& d, const std::string& client_id, const std::string& challenge) {
  return {{"client_id", client_id},          {"response_type", "code"},
          {"redirect_uri", d.redirect_uri},  {"scope", std::string(kLicence) + " offline_access"},
          {"state", "st-" + randomToken(8)}, {"code_challenge", challenge},
          {"code_challenge_method", "S256"}};
}

// A whole flow through nginx: PAR and token at its mtls server, authorize, login and consent at
// its public server. The access token, or what went wrong.
Result<std::string> completeFlow(const Deployment& d) {
  auto client = d.demoClient();
  if (!client) return fail(Errc::kInternal, "no client");
  auto [verifier, challenge] = authz::test::pkcePair();
  auto r = postForm(*client, d.mtlsUrl("/par"), parForm(d, d.client_id, challenge));
  if (!r || r->status != 201) return fail(Errc::kInvalidArgument, "PAR: " + describe(r));
  auto body = parseJsonObject(r->body);
  const std::string* uri = body ? jsonString(*body, "request_uri") : nullptr;
  if (uri == nullptr) return fail(Errc::kInvalidArgument, "PAR body: " + r->body);

  Browser browser(d.ca);
  r = browser.get(d.publicUrl("/authorize?client_id=" + net::formEncode(d.client_id) +
                              "&request_uri=" + net::formEncode(*uri)));
  if (!r || r->status != 200) return fail(Errc::kInvalidArgument, "authorize: " + describe(r));
  std::string page = r->body;
  r = browser.postForm(d.publicUrl("/login"),
                       {{"csrf", Browser::hiddenField(page, "csrf")},
                        {"client_id", Browser::hiddenField(page, "client_id")},
                        {"request_uri", Browser::hiddenField(page, "request_uri")},
                        {"username", std::string(kUser)},
                        {"password", std::string(kPassword)}});
  if (!r || r->status != 303 || !r->headers.get("location")) {
    return fail(Errc::kInvalidArgument, "login: " + describe(r));
  }
  std::string next(*r->headers.get("location"));
  if (next.starts_with("https://")) next = next.substr(next.find('/', 8));
  r = browser.get(d.publicUrl(next));
  if (!r || r->status != 200) return fail(Errc::kInvalidArgument, "consent page: " + describe(r));
  page = r->body;
  r = browser.postForm(d.publicUrl("/consent"),
                       {{"csrf", Browser::hiddenField(page, "csrf")},
                        {"client_id", Browser::hiddenField(page, "client_id")},
                        {"request_uri", Browser::hiddenField(page, "request_uri")},
                        {"decision", "allow"}});
  if (!r || r->status != 303 || !r->headers.get("location") ||
      !r->headers.get("location")->starts_with(d.redirect_uri)) {
    return fail(Errc::kInvalidArgument, "consent: " + describe(r));
  }
  const std::string code = queryOf(std::string(*r->headers.get("location")))["code"];
  if (code.empty()) return fail(Errc::kInvalidArgument, "no code");

  r = postForm(*client, d.mtlsUrl("/token"),
               {{"grant_type", "authorization_code"},
                {"code", code},
                {"redirect_uri", d.redirect_uri},
                {"code_verifier", verifier},
                {"client_id", d.client_id}});
  if (!r || r->status != 200) return fail(Errc::kInvalidArgument, "token: " + describe(r));
  body = parseJsonObject(r->body);
  const std::string* access = body ? jsonString(*body, "access_token") : nullptr;
  if (access == nullptr) return fail(Errc::kMalformed, "token body: " + r->body);
  return *access;
}

Result<net::ClientResponse> getData(const Deployment& d, const std::string& token) {
  auto client = d.demoClient();
  if (!client) return fail(Errc::kInternal, "no client");
  net::ClientRequest req = authz::test::request(net::Method::kGet, d.resourceUrl("/datasources"));
  req.headers.add("Authorization", "Bearer " + token);
  return client->send(std::move(req));
}

TEST(MultiNginx, RenderedTemplateInFrontOfTwoInstancesOfEach) {
  if (::access(kNginx, X_OK) != 0) GTEST_SKIP() << "nginx not installed";
  Deployment d;
  ASSERT_NO_FATAL_FAILURE(d.start());

  // Whole flows and data, through nginx only.
  std::string token;
  for (int i = 0; i < 2; ++i) {
    auto access = completeFlow(d);
    ASSERT_TRUE(access) << access.error().detail << "\n" << d.logs();
    token = *access;
  }
  for (int i = 0; i < 4; ++i) {
    auto r = getData(d, token);
    ASSERT_TRUE(r && r->status == 200) << describe(r) << "\n" << d.logs();
    EXPECT_TRUE(r->headers.get("x-fapi-interaction-id"));
  }
  // nginx balanced: each instance of each kind served part of those requests on each listener.
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GT(d.authzRequests(i, "public"), 0) << "authorization server " << i;
    EXPECT_GT(d.authzRequests(i, "mtls"), 0) << "authorization server " << i;
    EXPECT_GT(d.resourceRequests(i), 0) << "resource server " << i;
  }
  // /metrics is on at the instances, but nginx does not serve it.
  {
    Browser browser(d.ca);
    auto r = browser.get(d.publicUrl("/metrics"));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body.find("gridgate_"), std::string::npos) << r->body;
    auto client = d.demoClient();
    r = client->send(authz::test::request(net::Method::kGet, d.resourceUrl("/metrics")));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 404);
  }
  // nginx keeps its connections to the instances open between requests (upstream keepalive):
  // each instance still has one from nginx after the requests are over.
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_GE(d.authzConnections(i, "mtls"), 1) << "authorization server " << i;
    EXPECT_GE(d.resourceConnections(i), 1) << "resource server " << i;
  }

  // A client certificate from outside the client CA: nginx refuses it; no instance sees it.
  const std::string rogue_key = d.tmpFile("rogue-key.pem");
  const std::string rogue_cert = d.tmpFile("rogue-cert.pem");
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                         "-subj /CN=rogue -days 1 -keyout " +
                         rogue_key + " -out " + rogue_cert + " 2>/dev/null")
                            .c_str()),
            0);
  {
    const double before = d.authzRequests(0, "mtls") + d.authzRequests(1, "mtls");
    const double rs_before = d.resourceRequests(0) + d.resourceRequests(1);
    auto rogue_cfg = clientConfig(d.ca, rogue_cert, rogue_key);
    rogue_cfg.retry.max_attempts = 1;
    auto rogue = net::HttpClient::create(rogue_cfg);
    ASSERT_TRUE(rogue);
    auto [verifier, challenge] = authz::test::pkcePair();
    auto r = postForm(**rogue, d.mtlsUrl("/par"), parForm(d, d.client_id, challenge));
    if (r) {
      EXPECT_EQ(r->status, 400) << r->body;
      EXPECT_NE(r->body.find("SSL certificate error"), std::string::npos) << r->body;
      EXPECT_FALSE(r->headers.get("x-fapi-interaction-id")) << "reached an instance";
    }
    // No certificate at all (a browser's client): the same.
    Browser browser(d.ca);
    r = browser.postForm(d.mtlsUrl("/par"), parForm(d, d.client_id, challenge));
    if (r) {
      EXPECT_EQ(r->status, 400) << r->body;
      EXPECT_NE(r->body.find("No required SSL certificate"), std::string::npos) << r->body;
    }
    auto data = getData(d, token);  // the demo client's own certificate: control
    ASSERT_TRUE(data && data->status == 200) << describe(data);
    net::ClientRequest req = authz::test::request(net::Method::kGet, d.resourceUrl("/datasources"));
    req.headers.add("Authorization", "Bearer " + token);
    r = (*rogue)->send(std::move(req));
    if (r) {
      EXPECT_EQ(r->status, 400) << r->body;
    }
    EXPECT_EQ(d.authzRequests(0, "mtls") + d.authzRequests(1, "mtls"), before);
    EXPECT_EQ(d.resourceRequests(0) + d.resourceRequests(1), rs_before + 1);
  }

  // A forged certificate header: the demo client presents its own certificate to nginx and sends
  // the other client's certificate in the header, asking as the other client. nginx replaces the
  // header with the certificate it verified, so the servers see the demo client's and refuse.
  {
    const std::string other_leaf = net::test::readFileText(d.pki().client_other.cert.string());
    ASSERT_FALSE(other_leaf.empty());
    const Form forged = {{std::string(kHeader), net::formEncode(other_leaf)}};
    auto client = d.demoClient();
    auto [verifier, challenge] = authz::test::pkcePair();
    auto r = postForm(*client, d.mtlsUrl("/par"), parForm(d, d.other_client_id, challenge), forged);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 401) << r->body;
    // Control: the other client with its own certificate is accepted.
    auto other = d.client(d.pki().client_other);
    r = postForm(*other, d.mtlsUrl("/par"), parForm(d, d.other_client_id, challenge));
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 201) << r->body;
    // And the demo client with the forged header is still the demo client (its own PAR works).
    r = postForm(*client, d.mtlsUrl("/par"), parForm(d, d.client_id, challenge), forged);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 201) << r->body;
    // The resource server too: the other client holding the demo client's token (stolen) and
    // sending the demo client's certificate in the header: nginx forwards the certificate it
    // verified (the other client's), to which the token is not bound.
    const std::string demo_leaf = net::test::readFileText(d.pki().client_demo.cert.string());
    net::ClientRequest req = authz::test::request(net::Method::kGet, d.resourceUrl("/datasources"));
    req.headers.add("Authorization", "Bearer " + token);
    req.headers.add(std::string(kHeader), net::formEncode(demo_leaf));
    auto data = other->send(std::move(req));
    ASSERT_TRUE(data) << data.error().detail;
    EXPECT_EQ(data->status, 401) << data->body;
  }

  // kill -9 of one authorization server: flows still complete through nginx.
  d.killAuthz(0);
  for (int i = 0; i < 3; ++i) {
    auto access = completeFlow(d);
    ASSERT_TRUE(access) << "flow " << i << " after kill -9: " << access.error().detail << "\n"
                        << d.logs();
    auto r = getData(d, *access);
    ASSERT_TRUE(r && r->status == 200) << describe(r);
  }
  // nginx did try the dead instance and passed those requests on to the live one.
  EXPECT_NE(d.nginxErrorLog().find("Connection refused"), std::string::npos) << d.nginxErrorLog();
}

// The login throttle behind nginx counts failures per browser address as nginx forwards it
// (X-Forwarded-For from a trusted proxy, deploy/nginx sets it to $remote_addr), not per nginx:
// requests go straight to one instance's public listener from nginx's address (127.0.0.1, the
// instance's trusted proxy) carrying the header as nginx would.
TEST(MultiNginx, LoginThrottleCountsTheForwardedBrowserAddress) {
  if (::access(kNginx, X_OK) != 0) GTEST_SKIP() << "nginx not installed";
  Deployment d;
  ASSERT_NO_FATAL_FAILURE(d.start());
  auto client = d.demoClient();
  ASSERT_TRUE(client);
  auto [verifier, challenge] = authz::test::pkcePair();
  auto r = postForm(*client, d.mtlsUrl("/par"), parForm(d, d.client_id, challenge));
  ASSERT_TRUE(r && r->status == 201) << describe(r);
  auto par = parseJsonObject(r->body);
  ASSERT_TRUE(par && jsonString(*par, "request_uri"));
  const std::string request_uri = *jsonString(*par, "request_uri");

  const std::uint16_t port = d.authzPublicPort(0);
  net::test::RawClient page_client(port);
  ASSERT_TRUE(
      page_client.send(net::test::simpleGet("/authorize?client_id=" + net::formEncode(d.client_id) +
                                                "&request_uri=" + net::formEncode(request_uri),
                                            "X-Forwarded-For: 198.51.100.1\r\n")));
  auto page = page_client.readResponse();
  ASSERT_TRUE(page && page->status == 200) << (page ? page->body : "no response");
  std::string cookies;
  for (auto [it, end] = page->headers.equal_range("set-cookie"); it != end; ++it) {
    cookies += (cookies.empty() ? "" : "; ") + it->second.substr(0, it->second.find(';'));
  }
  const std::string form_start =
      net::encodeForm({{"csrf", Browser::hiddenField(page->body, "csrf")},
                       {"client_id", Browser::hiddenField(page->body, "client_id")},
                       {"request_uri", Browser::hiddenField(page->body, "request_uri")},
                       {"password", "not the password"}});
  // One failed sign-in (a username of its own each time: the per-username limit stays out of
  // the way) from browser `from`; the status of the answer.
  int attempts = 0;
  const auto failLogin = [&](const std::string& from) {
    const std::string body = form_start + "&username=nobody-" + std::to_string(attempts++);
    net::test::RawClient c(port);
    const bool sent = c.send(
        "POST /login HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\nCookie: " + cookies + "\r\nX-Forwarded-For: " + from +
        "\r\nConnection: close\r\n\r\n" + body);
    auto resp = sent ? c.readResponse(false, 30s) : std::nullopt;
    return resp ? resp->status : -1;
  };
  // 30 failures from one address (authz/ui/throttle.h: ThrottleSettings::max_failures_per_ip) are
  // answered with the login page again; then that address is refused for the window...
  for (int i = 0; i < 30; ++i) ASSERT_EQ(failLogin("198.51.100.1"), 200) << "attempt " << i;
  EXPECT_EQ(failLogin("198.51.100.1"), 429);
  // ...while another browser behind the same proxy still gets to try.
  EXPECT_EQ(failLogin("198.51.100.2"), 200);
  // A forged earlier entry does not help the locked-out browser: only the proxy's last one counts.
  EXPECT_EQ(failLogin("203.0.113.7, 198.51.100.1"), 429);
}

}  // namespace
}  // namespace gridgate
