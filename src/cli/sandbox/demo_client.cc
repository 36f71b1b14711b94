#include "cli/sandbox/demo_client.h"

#include <utility>
#include <vector>

#include "authz/ui/cookies.h"
#include "authz/ui/pages.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "net/form.h"

namespace gridgate::cli::sandbox {

namespace {

// The outcome JSON that resultPage() renders: {"heading", "error", "can_revoke", "steps": [{"id",
// "title", "explain", "status" (ok|failed|skipped), "status_text", "detail", "blocks": [{"label",
// "text"}], "chart": <readings response body>}]}.
Json step(std::string id, std::string title, std::string explain) {
  return Json{{"id", std::move(id)},
              {"title", std::move(title)},
              {"explain", std::move(explain)},
              {"status", "ok"},
              {"blocks", Json::array()}};
}

void block(Json& s, std::string label, std::string text) {
  s["blocks"].push_back(Json{{"label", std::move(label)}, {"text", std::move(text)}});
}

std::string pretty(const Json& j) { return dumpJson(j, 2); }

// A form body as "name = value" lines, with the named fields abbreviated.
std::string formLines(std::string_view body, const std::vector<std::string>& secret_fields) {
  auto form = net::parseForm(body);
  if (!form) return std::string(body);
  std::string out;
  for (const auto& [k, v] : form->pairs()) {
    bool secret = false;
    for (const std::string& f : secret_fields) secret = secret || f == k;
    out += k + " = " + (secret ? abbreviate(v) : v) + "\n";
  }
  return out;
}

// The response body as pretty JSON when it is JSON, else as sent.
std::string bodyText(std::string_view body) {
  auto j = parseJson(body);
  return j ? pretty(*j) : std::string(body);
}

Json abbreviatedTokens(Json j) {
  for (const char* k : {"access_token", "refresh_token", "id_token"}) {
    if (const std::string* v = jsonString(j, k)) j[k] = abbreviate(*v);
  }
  return j;
}

const client::Exchange* lastExchange(const client::Trace& t) {
  return t.empty() ? nullptr : &t.back();
}

std::string exchangeTitle(const client::Exchange& x) {
  return x.method + " " + x.url + (x.status != 0 ? " \u2192 " + std::to_string(x.status) : "");
}

}  // namespace

DemoClient::DemoClient(DemoClientOptions options)
    : options_(std::move(options)),
      csrf_(authz::ui::CsrfKey::generate()),
      router_(std::make_shared<net::Router>()),
      pool_(std::make_shared<net::BlockingPool>(options_.threads, 256)) {}

DemoClient::~DemoClient() { pool_->stop(); }

Result<std::unique_ptr<DemoClient>> DemoClient::create(DemoClientOptions options) {
  std::unique_ptr<DemoClient> d(new DemoClient(std::move(options)));
  GG_TRY(d->client_, client::FapiClient::create(d->options_.client));
  if (d->options_.view.client_id.empty()) d->options_.view.client_id = d->client_->clientId();
  d->registerRoutes();
  return d;
}

std::optional<std::string> DemoClient::sessionId(const net::Request& req) {
  auto sid = authz::ui::cookieValue(req.headers, kCookie);
  if (!sid || sid->size() != 43) return std::nullopt;
  return sid;
}

std::string DemoClient::sessionKey(const std::string& sid) const {
  return crypto::sha256B64url(asBytes(sid));
}

net::AsyncHandler DemoClient::offloaded(std::function<net::Response(const net::Request&)> handler) {
  return [this, handler = std::move(handler)](const net::Request& req, net::Respond done) {
    // The Request stays valid until `done` is called (router.h).
    const bool queued = pool_->post([&req, done, handler] { done(handler(req)); });
    if (!queued) {
      done(errorPage(options_.view, 503, "The demo client is busy",
                     "Too many flows are running at once. Try again in a moment."));
    }
  };
}

void DemoClient::registerRoutes() {
  router_->get("/", offloaded([this](const net::Request& r) { return start(r); }));
  router_->post("/start", offloaded([this](const net::Request& r) { return begin(r); }));
  router_->get("/callback", offloaded([this](const net::Request& r) { return callback(r); }));
  router_->get("/result", offloaded([this](const net::Request& r) { return result(r); }));
  router_->post("/revoke", offloaded([this](const net::Request& r) { return revoke(r); }));
}

net::Response DemoClient::start(const net::Request& req) {
  // The session cookie belongs to the host the browser used; the authorization server sends the
  // browser back to the redirect URI's host. Start there (https://127.0.0.1:8020/ -> localhost).
  const std::string origin = authz::ui::originOf(options_.client.redirect_uri);
  const auto host = req.headers.get("host");
  if (!origin.empty() && host && "https://" + std::string(*host) != origin) {
    return net::Response::redirect303(origin + "/");
  }
  std::optional<std::string> sid = sessionId(req);
  const bool fresh = !sid;
  if (fresh) sid = randomToken(32);
  bool last_result = false;
  if (!fresh) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(sessionKey(*sid));
    last_result = it != sessions_.end() && it->second.outcome.has_value();
  }
  net::Response r = startPage(options_.view, csrf_.token("start", *sid), last_result);
  if (fresh) {
    r.headers.add("Set-Cookie", authz::ui::setCookie(kCookie, *sid, options_.session_lifetime));
  }
  return r;
}

net::Response DemoClient::begin(const net::Request& req) {
  const std::optional<std::string> sid = sessionId(req);
  auto form = net::parseForm(req.body);
  const std::string* csrf = form ? form->get("csrf") : nullptr;
  if (!sid || csrf == nullptr || !csrf_.check(*csrf, "start", *sid)) {
    return errorPage(options_.view, 403, "Start again from the first page",
                     "This button belongs to a page that has expired or was not opened in this "
                     "browser. Open the start page and press the button there.");
  }
  client::Trace trace;
  auto par = client_->pushAuthorizationRequest({}, &trace);
  if (!par) {
    log::warn("sandbox demo: PAR failed: {}", par.error().detail);
    return errorPage(options_.view, 502, "The data provider did not accept the request",
                     "The pushed authorization request failed: " + par.error().detail);
  }
  Json par_trace = Json::object();
  if (const client::Exchange* x = lastExchange(trace)) {
    par_trace = Json{{"title", exchangeTitle(*x)},
                     {"request", formLines(x->request_body, {})},
                     {"response", bodyText(x->response_body)}};
  }
  const std::int64_t now = client_->clock().unixSeconds();
  {
    std::lock_guard lock(mu_);
    // Expired sessions go first; beyond the bound, the oldest.
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (now - it->second.created_at > options_.session_lifetime.count()) {
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    while (sessions_.size() >= options_.max_sessions && !sessions_.empty()) {
      auto oldest = sessions_.begin();
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        if (it->second.created_at < oldest->second.created_at) oldest = it;
      }
      sessions_.erase(oldest);
    }
    Session& s = sessions_[sessionKey(*sid)];
    s = Session{};
    s.created_at = now;
    s.request = *par;
    s.par_trace = std::move(par_trace);
  }
  return net::Response::redirect303(par->authorization_url);
}

net::Response DemoClient::callback(const net::Request& req) {
  const std::optional<std::string> sid = sessionId(req);
  std::optional<client::AuthorizationRequest> request;
  Session work;
  if (sid) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(sessionKey(*sid));
    if (it != sessions_.end() && it->second.request) {
      // Single use: a second callback with this session finds nothing to complete.
      request = std::move(it->second.request);
      it->second.request.reset();
      work.created_at = it->second.created_at;
      work.par_trace = it->second.par_trace;
    }
  }
  if (!request) {
    return errorPage(options_.view, 400, "This sign-in did not start here",
                     "There is no connection in progress in this browser (it may have finished "
                     "already, or started in another browser). Start again from the first page.");
  }
  const std::string callback_url = request->redirect_uri + "?" + req.query;
  auto response = client_->checkCallback(callback_url, *request);
  if (!response) {
    return errorPage(options_.view, 400, "The answer from the data provider was refused",
                     response.error().detail);
  }
  completeFlow(work, *request, *response);
  {
    std::lock_guard lock(mu_);
    sessions_[sessionKey(*sid)] = std::move(work);
  }
  return net::Response::redirect303("/result");
}

void DemoClient::completeFlow(Session& s, const client::AuthorizationRequest& request,
                              const client::AuthorizationResponse& response) {
  const std::string& provider = options_.view.provider;
  Json steps = Json::array();
  Json outcome = {{"heading", "Your energy data, step by step"}, {"can_revoke", false}};
  const auto failed = [&](Json st, const Error& e) {
    st["status"] = "failed";
    st["detail"] = e.detail;
    outcome["error"] = "The flow stopped at \u201c" + st.value("title", "") + "\u201d.";
    steps.push_back(std::move(st));
    outcome["steps"] = steps;
    s.outcome = std::move(outcome);
  };

  Json par = step("par", "Pushed authorization request with PKCE",
                  "This client made a fresh PKCE code verifier, sent its S256 challenge with the "
                  "request to " +
                      provider +
                      "'s PAR endpoint over mutual TLS (the client certificate is its "
                      "credential: tls_client_auth), and got a request URI back.");
  block(par, "Code verifier (secret: kept by this client for the token request)",
        request.pkce.verifier);
  block(par, "Code challenge (sent): BASE64URL(SHA-256(verifier))", request.pkce.challenge);
  if (const std::string* title = jsonString(s.par_trace, "title")) {
    block(par, "Request: " + *title, s.par_trace.value("request", ""));
  }
  block(par, "PAR response", pretty(request.par_response));
  steps.push_back(std::move(par));

  Json authorize = step("authorize", "Sign-in and consent at " + provider,
                        "Your browser went to the authorization endpoint with only the client_id "
                        "and the request URI; everything else was pushed. You signed in and "
                        "agreed there.");
  block(authorize, "Authorization URL", request.authorization_url);
  steps.push_back(std::move(authorize));

  Json cb = step("callback", "Back at the redirect URI",
                 "The answer came to this client's registered redirect URI. The state matches "
                 "the one this browser's session sent, and iss names the issuer (RFC 9207), so "
                 "the code is from the server this client asked.");
  if (!response.ok()) {
    cb["status"] = "failed";
    cb["detail"] = "You did not allow access (" + response.error + "). Nothing was shared.";
    block(cb, "Callback",
          "error = " + response.error + "\nstate = " + response.state + "\niss = " + response.iss);
    steps.push_back(std::move(cb));
    outcome["heading"] = "No access was given";
    outcome["steps"] = steps;
    s.outcome = std::move(outcome);
    return;
  }
  block(cb, "Callback parameters",
        "code = " + abbreviate(response.code) + "\nstate = " + response.state +
            " (matches)\niss = " + response.iss + " (the issuer)");
  steps.push_back(std::move(cb));

  client::Trace trace;
  Json token = step("token", "Token response",
                    "The code and the code verifier went to the token endpoint over mutual TLS. "
                    "The access token is bound to this client's certificate.");
  auto tokens = client_->exchangeCode(response.code, request, &trace);
  if (const client::Exchange* x = lastExchange(trace)) {
    block(token, "Request: " + exchangeTitle(*x), formLines(x->request_body, {"code"}));
  }
  if (!tokens) return failed(std::move(token), tokens.error());
  block(token, "Token response (tokens abbreviated)", pretty(abbreviatedTokens(tokens->json)));
  steps.push_back(std::move(token));
  s.access_token = tokens->access_token;
  s.refresh_token = tokens->refresh_token;
  outcome["can_revoke"] = !s.refresh_token.empty();

  Json at = step("access_token", "The access token, decoded",
                 "A JWT signed by " + provider +
                     " (typ at+jwt). cnf.x5t#S256 is the SHA-256 thumbprint of this client's "
                     "certificate: the token is useless without the certificate's key.");
  block(at, "Access token", abbreviate(tokens->access_token));
  auto decoded = client::decodeJwtUnverified(tokens->access_token);
  if (!decoded) return failed(std::move(at), decoded.error());
  block(at, "Header", pretty(decoded->header));
  block(at, "Claims", pretty(decoded->claims));
  steps.push_back(std::move(at));

  if (!tokens->id_token.empty()) {
    Json id = step("id_token", "The ID token, verified",
                   "Signature checked against the issuer's JWKS; iss, aud, expiry and the nonce "
                   "of this session checked.");
    auto verified = client_->verifyIdToken(tokens->id_token, request.nonce);
    if (!verified) return failed(std::move(id), verified.error());
    block(id, "Claims", pretty(verified->claims));
    steps.push_back(std::move(id));
  }

  if (!s.refresh_token.empty()) {
    Json perm = step("permission", "The permission record",
                     "What " + provider +
                         " recorded about your consent (the Perseus permissions endpoint, asked "
                         "with the refresh token over mutual TLS).");
    auto record = client_->permissions(s.refresh_token);
    if (!record) return failed(std::move(perm), record.error());
    block(perm, "Permission", pretty(*record));
    steps.push_back(std::move(perm));
  }

  Json data = step("data", "Your meter data",
                   "The resource server checked the certificate, the token and its binding, "
                   "then answered with the readings of your first meter for the last seven "
                   "days.");
  auto sources = client_->getResource("/datasources", tokens->access_token);
  if (!sources) return failed(std::move(data), sources.error());
  const Json* list = sources->json ? jsonMember(*sources->json, "data") : nullptr;
  if (list == nullptr || !list->is_array() || list->empty()) {
    return failed(std::move(data), Error{Errc::kNotFound, "the resource server lists no meter"});
  }
  const std::string* meter = jsonString(list->front(), "id");
  const Json* measures = jsonMember(list->front(), "availableMeasures");
  if (meter == nullptr || measures == nullptr || !measures->is_array() || measures->empty() ||
      !measures->front().is_string()) {
    return failed(std::move(data), Error{Errc::kMalformed, "the first meter has no measure"});
  }
  const std::int64_t now = client_->clock().unixSeconds();
  client::ProvenanceExpectations expect;
  expect.measure = measures->front().get<std::string>();
  expect.from = formatDate(now - 7 * 86400);
  expect.to = formatDate(now - 86400);
  s.readings_path = "/datasources/" + net::formEncode(*meter) + "/" +
                    net::formEncode(expect.measure) + "?from=" + expect.from + "&to=" + expect.to;
  auto readings = client_->getResource(s.readings_path, tokens->access_token);
  if (!readings) return failed(std::move(data), readings.error());
  if (!readings->json) {
    return failed(std::move(data), Error{Errc::kMalformed, "the readings are not JSON"});
  }
  block(data, "GET /datasources", pretty(*sources->json));
  data["chart"] = *readings->json;
  Json head = Json::object();
  if (const Json* loc = jsonMember(*readings->json, "location")) head["location"] = *loc;
  if (const Json* d = jsonMember(*readings->json, "data"); d != nullptr && d->is_array()) {
    head["count"] = d->size();
    if (!d->empty()) head["first"] = d->front();
  }
  block(data,
        "GET " + s.readings_path + " (x-fapi-interaction-id " + readings->interaction_id + ")",
        pretty(head));
  steps.push_back(std::move(data));

  expect.interaction_id = readings->interaction_id;
  Json prov = step("provenance", "The provenance record, verified",
                   "The readings came with an IB1 provenance record signed by " + provider +
                       ". Its signatures and certificate chain were verified against the signing "
                       "CA; the signer holds the energy-data-provider role; the transfer step "
                       "names this client, this request's interaction id, the measure and the "
                       "dates.");
  auto report = client_->verifyProvenance(readings->body, expect);
  if (!report) return failed(std::move(prov), report.error());
  prov["status_text"] = "verified";
  block(prov, "Verified record (summary)", pretty(report->summary));
  steps.push_back(std::move(prov));

  outcome["steps"] = steps;
  s.outcome = std::move(outcome);
}

net::Response DemoClient::result(const net::Request& req) {
  const std::optional<std::string> sid = sessionId(req);
  std::optional<Json> outcome;
  if (sid) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(sessionKey(*sid));
    if (it != sessions_.end()) outcome = it->second.outcome;
  }
  if (!outcome) {
    return errorPage(options_.view, 404, "Nothing to show yet",
                     "This browser has not completed a connection. Start from the first page.");
  }
  return resultPage(options_.view, *outcome, csrf_.token("revoke", *sid));
}

net::Response DemoClient::revoke(const net::Request& req) {
  const std::optional<std::string> sid = sessionId(req);
  auto form = net::parseForm(req.body);
  const std::string* csrf = form ? form->get("csrf") : nullptr;
  if (!sid || csrf == nullptr || !csrf_.check(*csrf, "revoke", *sid)) {
    return errorPage(options_.view, 403, "Open the result page again",
                     "This button belongs to a page that has expired or was not opened in this "
                     "browser.");
  }
  std::string access, refresh, path;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(sessionKey(*sid));
    if (it == sessions_.end() || !it->second.outcome || it->second.refresh_token.empty()) {
      return errorPage(options_.view, 404, "Nothing to revoke",
                       "This browser holds no permission to revoke. Start from the first page.");
    }
    access = it->second.access_token;
    refresh = it->second.refresh_token;
    path = it->second.readings_path;
  }

  Json st = step("revocation", "Permission revoked",
                 "This client revoked its refresh token (RFC 7009), which withdraws the whole "
                 "permission. " +
                     options_.view.provider +
                     " now calls the access token inactive, and the resource server refuses it "
                     "at once.");
  client::Trace trace;
  auto revoked = client_->revoke(refresh, "refresh_token", &trace);
  if (const client::Exchange* x = lastExchange(trace)) {
    block(st, "Request: " + exchangeTitle(*x), formLines(x->request_body, {"token"}));
  }
  bool refused = false;
  if (!revoked) {
    st["status"] = "failed";
    st["detail"] = revoked.error().detail;
  } else {
    auto introspection = client_->introspect(access, "access_token");
    block(st, "Introspection of the access token",
          introspection ? pretty(*introspection) : introspection.error().detail);
    auto again =
        path.empty()
            ? Result<client::ResourceResponse>(fail(Errc::kInternal, "no readings were fetched"))
            : client_->getResource(path, access);
    refused = !again;
    block(st, "The resource server, asked again with the access token",
          again ? "answered " + std::to_string(again->status) + ": the token still works"
                : "refused: " + again.error().detail);
    if (!refused) {
      st["status"] = "failed";
      st["detail"] = "The resource server still accepts the revoked token.";
    } else {
      st["status_text"] = "revoked";
    }
  }
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(sessionKey(*sid));
    if (it != sessions_.end() && it->second.outcome) {
      Json& o = *it->second.outcome;
      o["steps"].push_back(std::move(st));
      o["can_revoke"] = false;
      if (revoked && refused) o["heading"] = "Permission revoked";
      it->second.refresh_token.clear();
    }
  }
  return net::Response::redirect303("/result#revocation");
}

}  // namespace gridgate::cli::sandbox
