// Load test of the authorization server as a separate process (`gridgate serve`), measured the way
// TARGETS.md measures its references: server CPU microseconds per request (utime + stime of the
// server process from /proc, over the measured window only), 16 keep-alive mTLS connections,
// median of 3 runs, and nginx (1 worker, static JSON over mTLS) measured in the same sitting.
//
//   build/authz-release/bench/authz/authz_load --gridgate build/authz-release/src/cli/gridgate
//   authz_load --seconds 10 --connections 16 --runs 3 --only introspect,token,flow,nginx
//   authz_load --synchronous normal   # the server's [store] synchronous (default full)
//   authz_load --blocking-threads 16  # the server's [server] blocking_threads (default 4)
//   authz_load --store redis --only introspect,token                  # Redis beside SQLite
//   authz_load --store redis --instances 2 --only introspect,token    # two servers, one Redis
//
// With --store redis the load starts its own redis-server (AOF on, --appendfsync everysec by
// default, or always) and prints its CPU per request beside the servers'. With --instances N the
// servers share the store and one issuer (as behind a load balancer); connection t talks to
// instance t % N, and the CPU figure is the N processes together. The flow scenario and the set-up
// use the first instance.
//
// Scenarios:
//   introspect  POST /introspect of one access token (mTLS client auth), repeated.
//   token       POST /token grant_type=authorization_code (ES256 access token + refresh token);
//               the codes are made beforehand (PAR + consent through the protocol side on the
//               same store, outside the measured window) and each is redeemed once.
//   flow        PAR -> GET /authorize (login page) -> POST /login -> GET /authorize (consent) ->
//               POST /consent -> POST /token: 6 requests, the built-in pages. The user's Argon2id
//               parameters are minimal and the CPU of one verification is measured and subtracted
//               ("password hashing excluded").
//   nginx       GET of a static JSON file from nginx 1.22, 1 worker, mTLS, keep-alive.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "authz/authorization_server.h"
#include "authz/config.h"
#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "config/document.h"
#include "core/json.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "net/client.h"
#include "net/form.h"
#include "pki/pki.h"
#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"
#include "x509/certificate.h"

namespace fs = std::filesystem;
using namespace gridgate;
namespace ui = gridgate::authz::ui;  // the built-in login pages (Argon2id users)

namespace {

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
constexpr std::string_view kRedirect = "https://client.example/callback";

struct Options {
  std::string gridgate = std::string(GRIDGATE_BINARY_DIR) + "/src/cli/gridgate";
  int seconds = 10;
  int connections = 16;
  int runs = 3;
  std::string synchronous = "full";      // [store] synchronous of the server under test (SQLite)
  std::string store = "sqlite";          // sqlite | redis (a redis-server started here, AOF on)
  std::string appendfsync = "everysec";  // the redis-server's AOF fsync policy
  int instances = 1;                     // authorization servers sharing the store (redis)
  int blocking_threads = 4;              // [server] blocking_threads of the server under test
  std::vector<std::string> only = {"nginx", "introspect", "token", "flow"};
};

[[noreturn]] void die(const std::string& what) {
  std::cerr << "authz_load: " << what << "\n";
  std::exit(1);
}
template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().detail);
  return std::move(*r);
}

std::string readFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void writeFile(const std::string& p, const std::string& text) { std::ofstream(p) << text; }

std::uint16_t freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool waitForPort(std::uint16_t port) {
  for (int i = 0; i < 200; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// utime + stime of a process and its threads, in microseconds.
double processCpuMicros(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// One `gridgate serve` process: its ports and configuration file.
struct Instance {
  std::uint16_t public_port = 0, mtls_port = 0;
  std::string config_file;
  pid_t pid = -1;
};

struct Env {
  fs::path dir;
  pki::Layout layout;
  std::string client_id;
  std::uint16_t public_port = 0, mtls_port = 0;
  std::string config_file;
  std::string store_path;
  std::string redis_url;  // when the store is Redis
  std::vector<Instance> instances;
};

std::string configText(const Env& e, const Options& o, std::size_t instance) {
  const Instance& in = e.instances[instance];
  const std::string state = (e.dir / ("state-" + std::to_string(instance))).string();
  fs::create_directories(state);
  std::ostringstream t;
  t << "[server]\nstate_dir = \"" << state << "\"\nlog_level = \"warn\"\nio_threads = 1\n"
    << "blocking_threads = " << o.blocking_threads << "\n";
  if (o.store == "redis") {
    t << "[store]\ntype = \"redis\"\nurl = \"" << e.redis_url << "\"\n";
  } else {
    t << "[store]\npath = \"" << e.store_path << "\"\nsynchronous = \"" << o.synchronous << "\"\n";
  }
  // Every instance is the same authorization server (as behind a load balancer): one issuer.
  t << "[authz]\nissuer = \"https://localhost:" << e.instances[0].public_port << "\"\n"
    << "mtls_base_url = \"https://localhost:" << e.instances[0].mtls_port << "\"\n"
    << "resource_audiences = [\"https://api.example\"]\n"
    << "client_ca = \"" << e.layout.client.verify_bundle.string() << "\"\n"
    << "[authz.listeners.public]\nport = " << in.public_port << "\ncert_chain = \""
    << e.layout.server_leaf.bundle.string() << "\"\nkey = \"" << e.layout.server_leaf.key.string()
    << "\"\n[authz.listeners.mtls]\nport = " << in.mtls_port << "\ncert_chain = \""
    << e.layout.server_leaf.bundle.string() << "\"\nkey = \"" << e.layout.server_leaf.key.string()
    << "\"\nclient_ca = \"" << e.layout.client.verify_bundle.string() << "\"\n"
    << "[[authz.clients]]\nclient_id = \"" << e.client_id << "\"\ndisplay_name = \"Bench\"\n"
    << "scopes = [\"" << kLicence << "\", \"offline_access\"]\nredirect_uris = [\"" << kRedirect
    << "\"]\n";
  return t.str();
}

net::ClientRequest request(net::Method method, std::string url, std::string body = {}) {
  net::ClientRequest r;
  r.method = method;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

std::unique_ptr<net::HttpClient> httpClient(const std::string& ca, const std::string& chain = {},
                                            const std::string& key = {}) {
  net::ClientConfig cc;
  cc.tls.ca_file = ca;
  cc.tls.cert_chain_file = chain;
  cc.tls.key_file = key;
  cc.max_idle_per_origin = 2;
  cc.retry.max_attempts = 1;
  return must(net::HttpClient::create(std::move(cc)), "client");
}

std::unique_ptr<net::HttpClient> mtlsClient(const Env& e) {
  return httpClient(e.layout.server.ca.string(), e.layout.client_demo.bundle.string(),
                    e.layout.client_demo.key.string());
}

Result<net::ClientResponse> postForm(net::HttpClient& c, const std::string& url,
                                     const std::vector<std::pair<std::string, std::string>>& f,
                                     const std::string& cookie = {}) {
  net::ClientRequest req = request(net::Method::kPost, url, net::encodeForm(f));
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  if (!cookie.empty()) req.headers.add("Cookie", cookie);
  return c.send(std::move(req));
}

std::string hidden(const std::string& html, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t s = at + marker.size();
  std::string v = html.substr(s, html.find('"', s) - s);
  for (std::size_t p = v.find("&amp;"); p != std::string::npos; p = v.find("&amp;", p + 1)) {
    v.replace(p, 5, "&");
  }
  return v;
}

void addCookies(const net::ClientResponse& r, std::map<std::string, std::string>& jar) {
  for (std::string_view set : r.headers.getAll("set-cookie")) {
    const std::size_t eq = set.find('=');
    const std::size_t semi = set.find(';');
    if (eq == std::string_view::npos) continue;
    jar[std::string(set.substr(0, eq))] = std::string(set.substr(eq + 1, semi - eq - 1));
  }
}
std::string cookieHeader(const std::map<std::string, std::string>& jar) {
  std::string out;
  for (const auto& [k, v] : jar) out += (out.empty() ? "" : "; ") + k + "=" + v;
  return out;
}

struct ParOut {
  std::string request_uri, verifier;
};

ParOut pushOnce(net::HttpClient& c, const Env& e) {
  ParOut o;
  o.verifier = randomToken(48);
  auto r = postForm(c, "https://localhost:" + std::to_string(e.mtls_port) + "/par",
                    {{"client_id", e.client_id},
                     {"response_type", "code"},
                     {"redirect_uri", std::string(kRedirect)},
                     {"scope", std::string(kLicence) + " offline_access"},
                     {"state", "s"},
                     {"code_challenge", crypto::sha256B64url(asBytes(o.verifier))},
                     {"code_challenge_method", "S256"}});
  if (!r || r->status != 201) die("PAR failed");
  o.request_uri = (*parseJson(r->body))["request_uri"];
  return o;
}

std::string codeOf(const std::string& location) {
  const std::size_t at = location.find("code=");
  const std::size_t end = location.find('&', at);
  return location.substr(at + 5, end - at - 5);
}

// One whole flow through the built-in pages; returns the number of HTTP requests it made (6).
int oneFlow(net::HttpClient& mtls, net::HttpClient& browser, const Env& e) {
  const std::string pub = "https://localhost:" + std::to_string(e.public_port);
  ParOut par = pushOnce(mtls, e);
  const std::string authorize = pub + "/authorize?client_id=" + net::formEncode(e.client_id) +
                                "&request_uri=" + net::formEncode(par.request_uri);
  std::map<std::string, std::string> jar;
  auto login_page = browser.send(request(net::Method::kGet, authorize));
  if (!login_page || login_page->status != 200) die("login page");
  addCookies(*login_page, jar);
  auto login = postForm(browser, pub + "/login",
                        {{"csrf", hidden(login_page->body, "csrf")},
                         {"client_id", e.client_id},
                         {"request_uri", par.request_uri},
                         {"username", "bench"},
                         {"password", "bench password"}},
                        cookieHeader(jar));
  if (!login || login->status != 303) die("login");
  addCookies(*login, jar);
  net::ClientRequest consent_get = request(net::Method::kGet, authorize);
  consent_get.headers.add("Cookie", cookieHeader(jar));
  auto consent_page = browser.send(std::move(consent_get));
  if (!consent_page || consent_page->status != 200) die("consent page");
  auto consent = postForm(browser, pub + "/consent",
                          {{"csrf", hidden(consent_page->body, "csrf")},
                           {"client_id", e.client_id},
                           {"request_uri", par.request_uri},
                           {"decision", "allow"}},
                          cookieHeader(jar));
  if (!consent || consent->status != 303) die("consent");
  auto token = postForm(mtls, "https://localhost:" + std::to_string(e.mtls_port) + "/token",
                        {{"grant_type", "authorization_code"},
                         {"code", codeOf(std::string(*consent->headers.get("location")))},
                         {"redirect_uri", std::string(kRedirect)},
                         {"code_verifier", par.verifier},
                         {"client_id", e.client_id}});
  if (!token || token->status != 200) die("token");
  return 6;
}

struct RunResult {
  double requests = 0;
  double seconds = 0;
  double cpu_us = 0;        // the measured processes together
  double store_cpu_us = 0;  // the redis-server, when there is one (not in cpu_us)
  double perRequest() const { return requests > 0 ? cpu_us / requests : 0; }
  double rate() const { return seconds > 0 ? requests / seconds : 0; }
};

// Runs `work` (returns units done, or 0 when out of work) on `n` threads for `seconds`.
double cpuOf(const std::vector<pid_t>& pids) {
  double sum = 0;
  for (pid_t p : pids) sum += processCpuMicros(p);
  return sum;
}

// The redis-server of a `--store redis` run (its CPU is reported beside the servers'), or -1.
pid_t g_store_pid = -1;

RunResult measure(const std::vector<pid_t>& servers, int n, int seconds,
                  const std::function<double(int thread)>& work) {
  std::atomic<bool> stop_flag{false};
  std::atomic<bool> go{false};
  std::vector<double> done(static_cast<std::size_t>(n), 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      while (!stop_flag) {
        const double d = work(i);
        if (d <= 0) break;
        done[static_cast<std::size_t>(i)] += d;
      }
    });
  }
  const double cpu0 = cpuOf(servers);
  const double store0 = g_store_pid > 0 ? processCpuMicros(g_store_pid) : 0;
  const auto t0 = std::chrono::steady_clock::now();
  go = true;
  const auto deadline = t0 + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop_flag = true;
  for (auto& t : threads) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  RunResult r;
  r.cpu_us = cpuOf(servers) - cpu0;
  if (g_store_pid > 0) r.store_cpu_us = processCpuMicros(g_store_pid) - store0;
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  for (double d : done) r.requests += d;
  return r;
}

RunResult median(std::vector<RunResult> runs) {
  std::sort(runs.begin(), runs.end(),
            [](const RunResult& a, const RunResult& b) { return a.perRequest() < b.perRequest(); });
  return runs[runs.size() / 2];
}

void report(const std::string& name, const std::string& unit, const std::vector<RunResult>& runs) {
  const RunResult m = median(runs);
  std::printf("%-12s %10.0f %s/s   server CPU %8.1f us/%s   (runs:", name.c_str(), m.rate(),
              unit.c_str(), m.perRequest(), unit.c_str());
  for (const RunResult& r : runs) std::printf(" %.1f", r.perRequest());
  std::printf(")");
  if (g_store_pid > 0 && m.requests > 0) {
    std::printf("   + redis-server %.1f us/%s", m.store_cpu_us / m.requests, unit.c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--gridgate")
      o.gridgate = next();
    else if (a == "--seconds")
      o.seconds = std::stoi(next());
    else if (a == "--connections")
      o.connections = std::stoi(next());
    else if (a == "--runs")
      o.runs = std::stoi(next());
    else if (a == "--synchronous")
      o.synchronous = next();
    else if (a == "--store")
      o.store = next();
    else if (a == "--appendfsync")
      o.appendfsync = next();
    else if (a == "--instances")
      o.instances = std::stoi(next());
    else if (a == "--blocking-threads")
      o.blocking_threads = std::stoi(next());
    else if (a == "--only") {
      o.only.clear();
      std::stringstream ss(next());
      for (std::string item; std::getline(ss, item, ',');) o.only.push_back(item);
    } else
      die("unknown argument " + a);
  }
  const auto wanted = [&](const std::string& s) {
    return std::find(o.only.begin(), o.only.end(), s) != o.only.end();
  };
  if (o.store != "sqlite" && o.store != "redis") die("--store must be sqlite or redis");
  if (o.instances < 1 || o.instances > 8) die("--instances must be 1..8");
  if (o.instances > 1 && o.store != "redis") die("--instances > 1 needs --store redis");
  log::configure("warn");

  Env e;
  char tmpl[] = "/tmp/gridgate-authz-load-XXXXXX";
  e.dir = ::mkdtemp(tmpl);
  const std::int64_t now = std::time(nullptr);
  e.layout = must(pki::init({.dir = e.dir / "pki", .now = now}), "pki").layout;
  e.client_id = pki::sandboxIdentities().demo_application;
  for (int i = 0; i < o.instances; ++i) {
    Instance in;
    in.public_port = freePort();
    in.mtls_port = freePort();
    in.config_file = (e.dir / ("gridgate-" + std::to_string(i) + ".toml")).string();
    e.instances.push_back(in);
  }
  // The flow scenario and the set-up (PAR for the codes) use the first instance.
  e.public_port = e.instances[0].public_port;
  e.mtls_port = e.instances[0].mtls_port;
  e.config_file = e.instances[0].config_file;
  e.store_path = (e.dir / "gridgate.db").string();
  if (o.store == "redis") {
    // A redis-server of our own: AOF on (the durability docs/deployment.md asks for), no RDB.
    const std::uint16_t port = freePort();
    const fs::path rd = e.dir / "redis";
    fs::create_directories(rd);
    g_store_pid = spawn({"/usr/bin/redis-server", "--port", std::to_string(port), "--bind",
                         "127.0.0.1", "--dir", rd.string(), "--save", "", "--appendonly", "yes",
                         "--appendfsync", o.appendfsync, "--daemonize", "no"},
                        (rd / "redis.log").string());
    if (!waitForPort(port)) die("redis-server did not start");
    e.redis_url = "redis://127.0.0.1:" + std::to_string(port);
  }
  for (std::size_t i = 0; i < e.instances.size(); ++i) {
    writeFile(e.instances[i].config_file, configText(e, o, i));
  }
  const auto openStore = [&]() -> std::shared_ptr<store::Store> {
    if (o.store == "redis") {
      store::RedisOptions ro;
      ro.url = e.redis_url;
      return must(store::openRedis(ro), "redis store");
    }
    return must(store::openSqlite({.path = e.store_path}), "store");
  };
  const ui::PasswordParams cheap{.time_cost = 1, .memory_kib = 64, .parallelism = 1};
  {
    auto db = openStore();
    must(ui::createUser(db->users(),
                        {.username = "bench", .password = "bench password", .display_name = ""},
                        cheap, SystemClock::instance()),
         "user");
  }
  std::printf(
      "gridgate authz load: %d connections, %d s x %d runs, server pid CPU from /proc; store %s "
      "(%s), %d instance(s)\n",
      o.connections, o.seconds, o.runs, o.store.c_str(),
      o.store == "redis" ? ("AOF appendfsync " + o.appendfsync).c_str()
                         : ("synchronous " + o.synchronous).c_str(),
      o.instances);

  // --- nginx reference (same sitting) ---
  if (wanted("nginx")) {
    const std::uint16_t port = freePort();
    const fs::path nd = e.dir / "nginx";
    fs::create_directories(nd / "html");
    writeFile((nd / "html" / "x.json").string(), R"({"active":true,"scope":"x"})");
    std::ostringstream conf;
    // As root, nginx's worker runs as "nobody" and cannot read the mkdtemp directory (0700): it
    // would answer 403. Run it as root then (the directive is only valid as root).
    if (::geteuid() == 0) conf << "user root root;\n";
    conf << "worker_processes 1;\npid " << (nd / "nginx.pid").string() << ";\nerror_log "
         << (nd / "error.log").string() << ";\nevents {}\nhttp {\n"
         << "access_log off;\nkeepalive_requests 1000000;\nclient_body_temp_path " << nd.string()
         << ";\nserver {\nlisten 127.0.0.1:" << port << " ssl;\n"
         << "ssl_certificate " << e.layout.server_leaf.bundle.string() << ";\n"
         << "ssl_certificate_key " << e.layout.server_leaf.key.string() << ";\n"
         << "ssl_client_certificate " << e.layout.client.verify_bundle.string() << ";\n"
         << "ssl_verify_client on;\nssl_protocols TLSv1.2 TLSv1.3;\nroot " << (nd / "html").string()
         << ";\n}\n}\n";
    writeFile((nd / "nginx.conf").string(), conf.str());
    const pid_t master = spawn({"/usr/sbin/nginx", "-p", nd.string(), "-c",
                                (nd / "nginx.conf").string(), "-g", "daemon off;"},
                               (nd / "out.log").string());
    if (!waitForPort(port)) die("nginx did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // The worker is the master's only child.
    pid_t worker = 0;
    for (const auto& p : fs::directory_iterator("/proc")) {
      const std::string name = p.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream st(p.path() / "stat");
      std::string s((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
      std::istringstream rest(s.substr(s.rfind(')') + 2));
      std::string state, ppid;
      rest >> state >> ppid;
      if (std::atoi(ppid.c_str()) == master) worker = std::atoi(name.c_str());
    }
    if (worker == 0) die("no nginx worker");
    std::vector<std::unique_ptr<net::HttpClient>> clients;
    for (int i = 0; i < o.connections; ++i) clients.push_back(mtlsClient(e));
    const std::string url = "https://localhost:" + std::to_string(port) + "/x.json";
    std::vector<RunResult> runs;
    for (int r = 0; r < o.runs; ++r) {
      runs.push_back(measure({worker}, o.connections, o.seconds, [&](int t) {
        auto res = clients[static_cast<std::size_t>(t)]->send(request(net::Method::kGet, url));
        if (!res || res->status != 200) die("nginx request failed");
        return 1.0;
      }));
    }
    report("nginx", "req", runs);
    stop(master);
  }

  // One after the other: the first start generates the signing key into the shared store.
  std::vector<pid_t> servers;
  for (std::size_t i = 0; i < e.instances.size(); ++i) {
    Instance& in = e.instances[i];
    in.pid = spawn({o.gridgate, "serve", "--config", in.config_file},
                   (e.dir / ("serve-" + std::to_string(i) + ".log")).string());
    if (!waitForPort(in.public_port) || !waitForPort(in.mtls_port)) {
      die("gridgate serve did not start");
    }
    servers.push_back(in.pid);
  }
  // Connection t talks to instance t % instances (as a balancer spreading clients would).
  const auto mtlsUrlOf = [&](int t, const std::string& path) {
    const Instance& in = e.instances[static_cast<std::size_t>(t) % e.instances.size()];
    return "https://localhost:" + std::to_string(in.mtls_port) + path;
  };
  std::vector<std::unique_ptr<net::HttpClient>> mtls, browsers;
  for (int i = 0; i < o.connections; ++i) {
    mtls.push_back(mtlsClient(e));
    browsers.push_back(httpClient(e.layout.server.ca.string()));
  }

  if (wanted("introspect")) {
    // One access token (PAR over HTTP, consent through the flow on the same store, the token
    // over HTTP), introspected over and over by its client.
    auto db = openStore();
    auto doc = must(config::Document::parse(readFile(e.config_file), "load.toml", e.dir,
                                            config::DocumentOptions{.env = {}}),
                    "config");
    auto cfg = must(authz::parseAuthzConfig(doc), "authz config");
    auto as = must(authz::AuthorizationServer::create({.config = cfg, .store = db}), "as");
    ParOut p = pushOnce(*mtls[0], e);
    auto pending = must(as->flow().lookup(e.client_id, p.request_uri), "lookup");
    const std::string location =
        must(as->flow().approve(pending, {.subject = "bench-user",
                                          .auth_time = now,
                                          .scope = std::string(kLicence) + " offline_access"}),
             "approve");
    auto token = postForm(*mtls[0], "https://localhost:" + std::to_string(e.mtls_port) + "/token",
                          {{"grant_type", "authorization_code"},
                           {"code", codeOf(location)},
                           {"redirect_uri", std::string(kRedirect)},
                           {"code_verifier", p.verifier},
                           {"client_id", e.client_id}});
    if (!token || token->status != 200) die("token for introspection");
    const std::string access = (*parseJson(token->body))["access_token"];
    std::vector<RunResult> runs;
    for (int r = 0; r < o.runs; ++r) {
      runs.push_back(measure(servers, o.connections, o.seconds, [&](int t) {
        auto res = postForm(*mtls[static_cast<std::size_t>(t)], mtlsUrlOf(t, "/introspect"),
                            {{"token", access}, {"client_id", e.client_id}});
        if (!res || res->status != 200 || res->body.find("\"active\":true") == std::string::npos) {
          die("introspection failed");
        }
        return 1.0;
      }));
    }
    report("introspect", "req", runs);
  }

  if (wanted("token")) {
    auto db = openStore();
    auto doc = must(config::Document::parse(readFile(e.config_file), "load.toml", e.dir,
                                            config::DocumentOptions{.env = {}}),
                    "config");
    auto cfg = must(authz::parseAuthzConfig(doc), "authz config");
    auto as = must(authz::AuthorizationServer::create({.config = cfg, .store = db}), "as");
    std::vector<RunResult> runs;
    for (int r = 0; r < o.runs; ++r) {
      // Codes made beforehand on the same store (PAR over HTTP, consent through the flow):
      // outside the measured window; codes live 60 s, so a run uses what it made just before.
      struct Code {
        std::string code, verifier;
      };
      std::vector<std::vector<Code>> per_thread(static_cast<std::size_t>(o.connections));
      std::atomic<std::size_t> made{0};
      const auto setup_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(25);
      std::vector<std::thread> makers;
      for (int t = 0; t < o.connections; ++t) {
        makers.emplace_back([&, t] {
          while (std::chrono::steady_clock::now() < setup_deadline) {
            ParOut p = pushOnce(*mtls[static_cast<std::size_t>(t)], e);
            auto pending = as->flow().lookup(e.client_id, p.request_uri);
            if (!pending) die("lookup");
            auto location =
                as->flow().approve(*pending, {.subject = "bench-user",
                                              .auth_time = std::time(nullptr),
                                              .scope = std::string(kLicence) + " offline_access"});
            if (!location) die("approve: " + location.error().detail);
            per_thread[static_cast<std::size_t>(t)].push_back({codeOf(*location), p.verifier});
            ++made;
          }
        });
      }
      for (auto& m : makers) m.join();
      std::vector<std::size_t> next(static_cast<std::size_t>(o.connections), 0);
      runs.push_back(measure(servers, o.connections, std::min(o.seconds, 30), [&](int t) {
        auto& mine = per_thread[static_cast<std::size_t>(t)];
        std::size_t& i = next[static_cast<std::size_t>(t)];
        if (i >= mine.size()) return 0.0;
        const Code& c = mine[i++];
        auto res = postForm(*mtls[static_cast<std::size_t>(t)], mtlsUrlOf(t, "/token"),
                            {{"grant_type", "authorization_code"},
                             {"code", c.code},
                             {"redirect_uri", std::string(kRedirect)},
                             {"code_verifier", c.verifier},
                             {"client_id", e.client_id}});
        if (!res || res->status != 200) die("token request failed");
        return 1.0;
      }));
      std::printf("  token run %d: %zu codes made, %.0f redeemed\n", r + 1, made.load(),
                  runs.back().requests);
    }
    report("token", "req", runs);
  }

  if (wanted("flow")) {
    // The CPU of one Argon2id verification with the bench user's parameters, to subtract.
    const std::string hash = must(ui::hashPassword("bench password", cheap), "hash");
    rusage u0{}, u1{};
    ::getrusage(RUSAGE_SELF, &u0);
    constexpr int kVerifications = 200;
    for (int i = 0; i < kVerifications; ++i) (void)ui::verifyPassword(hash, "bench password");
    ::getrusage(RUSAGE_SELF, &u1);
    const auto us = [](const rusage& r) {
      return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 +
             static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
    };
    const double verify_us = (us(u1) - us(u0)) / kVerifications;
    std::vector<RunResult> runs;
    for (int r = 0; r < o.runs; ++r) {
      runs.push_back(measure(servers, o.connections, o.seconds, [&](int t) {
        oneFlow(*mtls[static_cast<std::size_t>(t)], *browsers[static_cast<std::size_t>(t)], e);
        return 1.0;
      }));
    }
    report("flow (raw)", "flow", runs);
    RunResult m = median(runs);
    std::printf(
        "%-12s argon2id verify %.1f us (t=1, m=64 KiB) subtracted: %.1f us/flow, "
        "%.1f us/HTTP request\n",
        "flow", verify_us, m.perRequest() - verify_us, (m.perRequest() - verify_us) / 6);
  }
  for (pid_t p : servers) stop(p);
  if (g_store_pid > 0) stop(g_store_pid);
  std::error_code ec;
  fs::remove_all(e.dir, ec);
  return 0;
}
