#include "authz/ui/interaction_service.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "authz/ui/cookies.h"
#include "authz/ui/csrf.h"
#include "authz/ui/users.h"
#include "core/json.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "net/form.h"

namespace gridgate::authz::ui {

namespace {

// A form that a person submits: small, a handful of fields.
constexpr net::FormLimits kFormLimits{.max_pairs = 16, .max_bytes = 8 * 1024};
constexpr std::size_t kMaxBody = 16 * 1024;

// A pending request's failure as a local page (never a redirect: FAPI-CHECKLIST 43).
net::Response flowErrorPage(const Error& error, const PageBrand& brand) {
  switch (error.code) {
    case Errc::kExpired:
      return errorPage(400, "This sign-in link has expired",
                       "Sign-in links are valid for a short time only. Go back to the app that "
                       "sent you here and start again.",
                       brand);
    case Errc::kAlreadyUsed:
      return errorPage(400, "This request is already complete",
                       "You have already answered this request. Go back to the app that sent you "
                       "here; if you need to, start again from there.",
                       brand);
    case Errc::kUnavailable: {
      net::Response r = errorPage(503, "Service temporarily unavailable",
                                  "We cannot complete your request right now. Please try again "
                                  "in a minute.",
                                  brand);
      r.header("Retry-After", "30");
      return r;
    }
    case Errc::kNotFound:
    case Errc::kForbidden:
    case Errc::kInvalidArgument:
    case Errc::kMalformed:
      return errorPage(400, "This sign-in link is not valid",
                       "The link you followed is unknown or incomplete. Go back to the app that "
                       "sent you here and start again.",
                       brand);
    default:
      log::error("interaction: unexpected flow error {}: {}", errcName(error.code), error.detail);
      return errorPage(500, "Something went wrong on our side",
                       "We could not complete your request. Please try again later.", brand);
  }
}

net::Response csrfErrorPage(const PageBrand& brand) {
  return errorPage(403, "This form has expired",
                   "For your security we could not accept this form: it was open too long, "
                   "was sent from another site, or your browser blocks cookies. Go back to the "
                   "app that sent you here and start again.",
                   brand);
}

net::Response unavailablePage(const PageBrand& brand) {
  net::Response r = errorPage(503, "Service temporarily unavailable",
                              "We cannot complete your request right now. Please try again in a "
                              "minute.",
                              brand);
  r.header("Retry-After", "30");
  return r;
}

net::Response badFormPage(const PageBrand& brand) {
  return errorPage(400, "We could not read this form",
                   "The form was incomplete or sent twice. Go back to the app that sent you here "
                   "and start again.",
                   brand);
}

net::Response renderFailure(const Error& error, const PageBrand& brand) {
  log::error("interaction: page render failed: {}", error.detail);
  return errorPage(500, "Something went wrong on our side",
                   "We could not show this page. Please try again later.", brand);
}

std::string withQuery(std::string_view base, const std::vector<net::Form::Pair>& pairs) {
  std::string out(base);
  out += base.find('?') == std::string_view::npos ? '?' : '&';
  out += net::encodeForm(pairs);
  return out;
}

std::vector<Context> scopeContexts(std::string_view scope, const ScopeNames& names) {
  std::vector<Context> out;
  for (ScopeWords& w : describeScopes(scope, names)) {
    Context c;
    c.set("description", std::move(w.description)).set("detail", std::move(w.detail));
    out.push_back(std::move(c));
  }
  return out;
}

Json scopeJson(std::string_view scope, const ScopeNames& names) {
  Json list = Json::array();
  for (const ScopeWords& w : describeScopes(scope, names)) {
    Json item = {{"description", w.description}};
    item["scope"] = w.detail.empty() ? w.description : w.detail;
    list.push_back(std::move(item));
  }
  return list;
}

std::vector<std::string> splitScope(std::string_view scope) {
  std::vector<std::string> out;
  while (!scope.empty()) {
    std::size_t sp = scope.find(' ');
    if (sp != 0) out.emplace_back(scope.substr(0, sp));
    if (sp == std::string_view::npos) break;
    scope.remove_prefix(sp + 1);
  }
  return out;
}

bool isLoopbackHttp(std::string_view url) {
  return url.rfind("http://127.0.0.1", 0) == 0 || url.rfind("http://[::1]", 0) == 0 ||
         url.rfind("http://localhost", 0) == 0;
}

bool isEvidenceId(std::string_view id) {
  if (id.size() < 16 || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

net::Response jsonError(int status, std::string_view error, std::string_view description) {
  net::Response r =
      net::Response::json(status, Json{{"error", error}, {"error_description", description}});
  r.noStore();
  return r;
}

net::Response adminFlowError(const Error& error) {
  switch (error.code) {
    case Errc::kExpired:
      return jsonError(410, "request_expired", "the authorization request has expired");
    case Errc::kAlreadyUsed:
      return jsonError(409, "request_completed", "the authorization request is already complete");
    case Errc::kUnavailable: {
      net::Response r = jsonError(503, "temporarily_unavailable", "try again later");
      r.header("Retry-After", "30");
      return r;
    }
    case Errc::kNotFound:
    case Errc::kForbidden:
      return jsonError(404, "not_found", "unknown authorization request");
    default:
      log::error("interaction admin: unexpected flow error {}: {}", errcName(error.code),
                 error.detail);
      return jsonError(500, "server_error", "internal error");
  }
}

struct Challenge {
  enum class Kind { kLogin, kConsent };
  Kind kind = Kind::kLogin;
  std::string client_id;
  std::string request_uri;
  std::string subject;  // consent challenges
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;
};

class Service final : public InteractionService, public std::enable_shared_from_this<Service> {
 public:
  explicit Service(InteractionDeps deps)
      : deps_(std::move(deps)),
        settings_(deps_.settings),
        csrf_(settings_.csrf_key.empty() ? CsrfKey::generate() : CsrfKey(settings_.csrf_key)),
        verifier_(settings_.password),
        throttle_(*deps_.clock, settings_.throttle) {}

  InteractionMode mode() const override { return settings_.mode; }

  net::Response begin(const net::Request& request, const PendingAuthorization& pending) override {
    if (settings_.mode == InteractionMode::kExternal) return beginExternal(pending);
    std::optional<LiveSession> session = currentSession(request);
    if (session) return consentPage(pending, *session);
    return loginPage(request, pending, {}, {}, 200);
  }

  void registerRoutes(net::Router& router) override {
    std::shared_ptr<Service> self = shared_from_this();
    net::RouteOptions opts{.offload = true, .max_body_bytes = kMaxBody};
    if (settings_.mode == InteractionMode::kBuiltin) {
      router.post(
          settings_.login_path, [self](const net::Request& r) { return self->postLogin(r); }, opts);
      router.post(
          settings_.consent_path, [self](const net::Request& r) { return self->postConsent(r); },
          opts);
      router.post(
          settings_.logout_path, [self](const net::Request& r) { return self->postLogout(r); },
          opts);
    }
    router.get(
        settings_.evidence_prefix + "{id}",
        [self](const net::Request& r) { return self->getEvidence(r); }, opts);
  }

  void registerAdminRoutes(net::Router& router) override {
    if (settings_.mode != InteractionMode::kExternal) return;
    std::shared_ptr<Service> self = shared_from_this();
    net::RouteOptions opts{.offload = true, .max_body_bytes = kMaxBody};
    const std::string base = "/admin/oauth2/auth/requests/";
    router.get(
        base + "login",
        [self](const net::Request& r) { return self->adminGet(r, Challenge::Kind::kLogin); }, opts);
    router.put(
        base + "login/accept", [self](const net::Request& r) { return self->adminAcceptLogin(r); },
        opts);
    router.put(
        base + "login/reject",
        [self](const net::Request& r) { return self->adminReject(r, Challenge::Kind::kLogin); },
        opts);
    router.get(
        base + "consent",
        [self](const net::Request& r) { return self->adminGet(r, Challenge::Kind::kConsent); },
        opts);
    router.put(
        base + "consent/accept",
        [self](const net::Request& r) { return self->adminAcceptConsent(r); }, opts);
    router.put(
        base + "consent/reject",
        [self](const net::Request& r) { return self->adminReject(r, Challenge::Kind::kConsent); },
        opts);
  }

 private:
  struct LiveSession {
    std::string hash;  // sha256Hex of the cookie value: the store key and the CSRF binding
    store::Session record;
    std::string display_name;
  };

  std::int64_t now() const { return deps_.clock->unixSeconds(); }

  std::string clientName(std::string_view client_id) const {
    if (deps_.clients) {
      if (auto c = deps_.clients(client_id); c && !c->display_name.empty()) {
        return c->display_name;
      }
    }
    return std::string(client_id);
  }

  std::string revokeText(std::string_view client_name) const {
    if (!settings_.revoke_instructions.empty()) return settings_.revoke_instructions;
    return "You can withdraw this permission at any time in " + std::string(client_name) +
           ", or by contacting " + settings_.brand.provider_name +
           ". Once withdrawn, no more data is shared.";
  }

  std::string authorizeUrl(std::string_view client_id, std::string_view request_uri) const {
    return withQuery(settings_.authorize_path, {{"client_id", std::string(client_id)},
                                                {"request_uri", std::string(request_uri)}});
  }

  // --- sessions -------------------------------------------------------------------------------

  std::optional<LiveSession> currentSession(const net::Request& request) {
    auto cookie = cookieValue(request.headers, settings_.session_cookie);
    if (!cookie || cookie->empty() || cookie->size() > 128) return std::nullopt;
    LiveSession s;
    s.hash = crypto::sha256Hex(*cookie);
    auto found = deps_.store->sessions().find(s.hash);
    if (!found) {
      if (found.error().code != Errc::kNotFound) {
        log::warn("interaction: session lookup failed: {}", found.error().detail);
      }
      return std::nullopt;
    }
    if (now() >= found->expires_at) return std::nullopt;
    s.record = std::move(*found);
    auto user = deps_.store->users().findBySubject(s.record.subject);
    if (!user) return std::nullopt;  // the user was removed: the session no longer counts
    s.display_name = user->display_name.empty() ? user->username : user->display_name;
    return s;
  }

  // --- pages ----------------------------------------------------------------------------------

  net::Response loginPage(const net::Request& request, const PendingAuthorization& pending,
                          std::string_view error, std::string_view username, int status) {
    // The pre-login cookie binds the login form to this browser (login CSRF).
    auto login_cookie = cookieValue(request.headers, settings_.login_cookie);
    bool new_cookie = !login_cookie || login_cookie->size() < 32 || login_cookie->size() > 64;
    std::string cookie_value = new_cookie ? randomToken(32) : *login_cookie;
    Context ctx;
    ctx.set("client_name", clientName(pending.par.client_id))
        .set("client_id", pending.par.client_id)
        .set("request_uri", pending.request_uri)
        .set("login_path", settings_.login_path)
        .set("csrf",
             csrf_.token("login", pending.request_uri_hash + "|" + crypto::sha256Hex(cookie_value)))
        .set("error", std::string(error))
        .set("username", std::string(username));
    auto page = pages().page(status, "login.html", "Sign in", std::move(ctx), settings_.brand);
    if (!page) return renderFailure(page.error(), settings_.brand);
    if (new_cookie) {
      page->headers.add("Set-Cookie", setCookie(settings_.login_cookie, cookie_value,
                                                settings_.session_lifetime));
    }
    return std::move(*page);
  }

  net::Response consentPage(const PendingAuthorization& pending, const LiveSession& session) {
    std::string name = clientName(pending.par.client_id);
    Context ctx;
    ctx.set("client_name", name)
        .set("client_id", pending.par.client_id)
        .set("request_uri", pending.request_uri)
        .set("user_name", session.display_name)
        .set("licences", scopeContexts(pending.par.scope, settings_.scope_names))
        .set("duration", describeDuration(settings_.grant_lifetime))
        .set("end_date", formatLongDate(now() + settings_.grant_lifetime.count()))
        .set("revoke_text", revokeText(name))
        .set("consent_path", settings_.consent_path)
        .set("logout_path", settings_.logout_path)
        .set("csrf", csrf_.token("consent", pending.request_uri_hash + "|" + session.hash))
        .set("logout_csrf", csrf_.token("logout", session.hash));
    // The Allow/Deny form is answered by a redirect to the client: form-action must allow it.
    auto page = pages().page(200, "consent.html", "Allow access?", std::move(ctx), settings_.brand,
                             originOf(pending.par.redirect_uri));
    if (!page) return renderFailure(page.error(), settings_.brand);
    return std::move(*page);
  }

  // --- POST /login ----------------------------------------------------------------------------

  net::Response postLogin(const net::Request& request) {
    auto form = net::parseForm(request.body, kFormLimits);
    if (!form || !request.isForm() || !form->duplicates().empty()) {
      return badFormPage(settings_.brand);
    }
    auto csrf = form->single("csrf");
    auto client_id = form->single("client_id");
    auto request_uri = form->single("request_uri");
    auto username = form->single("username");
    auto password = form->single("password");
    if (!csrf || !client_id || !request_uri || !username || !password) {
      return badFormPage(settings_.brand);
    }
    auto login_cookie = cookieValue(request.headers, settings_.login_cookie);
    std::string binding = crypto::sha256Hex(*request_uri) + "|" +
                          (login_cookie ? crypto::sha256Hex(*login_cookie) : std::string());
    if (!login_cookie || !csrf_.check(*csrf, "login", binding)) {
      return csrfErrorPage(settings_.brand);
    }
    auto pending = deps_.flow->lookup(*client_id, *request_uri);
    if (!pending) return flowErrorPage(pending.error(), settings_.brand);

    const std::string ip(clientAddress(request));
    if (auto wait = throttle_.blockedFor(*username, ip)) {
      auto minutes = (wait->count() + 59) / 60;
      return loginPage(request, *pending,
                       "Too many unsuccessful attempts. Please wait " + std::to_string(minutes) +
                           (minutes == 1 ? " minute" : " minutes") + " and try again.",
                       *username, 429);
    }
    if (username->empty() || password->empty()) {
      return loginPage(request, *pending, "Enter your username and password.", *username, 200);
    }
    auto user = deps_.store->users().findByUsername(*username);
    bool ok = false;
    if (user) {
      ok = verifier_.verify(user->password_hash, *password);
    } else if (user.error().code == Errc::kNotFound) {
      (void)verifier_.verifyDummy(*password);  // same cost as a real check: no enumeration
    } else {
      log::warn("interaction: user lookup failed: {}", user.error().detail);
      return unavailablePage(settings_.brand);
    }
    if (!ok) {
      throttle_.recordFailure(*username, ip);
      return loginPage(request, *pending, "The username or password is not correct.", *username,
                       200);
    }
    throttle_.recordSuccess(*username);

    // A new session id on every login (no fixation); the old session, if any, ends.
    if (auto old = cookieValue(request.headers, settings_.session_cookie)) {
      (void)deps_.store->sessions().remove(crypto::sha256Hex(*old));
    }
    std::string session_id = randomToken(32);
    store::Session record{.subject = user->subject,
                          .auth_time = now(),
                          .expires_at = now() + settings_.session_lifetime.count()};
    if (auto st = deps_.store->sessions().create(crypto::sha256Hex(session_id), record); !st) {
      log::warn("interaction: session create failed: {}", st.error().detail);
      return unavailablePage(settings_.brand);
    }
    log::info("interaction: user {} signed in for client {}", user->subject, *client_id);
    net::Response r = net::Response::redirect303(authorizeUrl(*client_id, *request_uri));
    applyPageHeaders(r, contentSecurityPolicy());
    r.headers.add("Set-Cookie",
                  setCookie(settings_.session_cookie, session_id, settings_.session_lifetime));
    return r;
  }

  // --- POST /consent --------------------------------------------------------------------------

  net::Response postConsent(const net::Request& request) {
    auto form = net::parseForm(request.body, kFormLimits);
    if (!form || !request.isForm() || !form->duplicates().empty()) {
      return badFormPage(settings_.brand);
    }
    auto csrf = form->single("csrf");
    auto client_id = form->single("client_id");
    auto request_uri = form->single("request_uri");
    auto decision = form->single("decision");
    if (!csrf || !client_id || !request_uri || !decision) return badFormPage(settings_.brand);

    std::optional<LiveSession> session = currentSession(request);
    if (!session) {
      // Signed out or expired meanwhile: back to /authorize, which shows the login page.
      net::Response r = net::Response::redirect303(authorizeUrl(*client_id, *request_uri));
      applyPageHeaders(r, contentSecurityPolicy());
      return r;
    }
    if (!csrf_.check(*csrf, "consent", crypto::sha256Hex(*request_uri) + "|" + session->hash)) {
      return csrfErrorPage(settings_.brand);
    }
    if (*decision != "allow" && *decision != "deny") return badFormPage(settings_.brand);
    auto pending = deps_.flow->lookup(*client_id, *request_uri);
    if (!pending) return flowErrorPage(pending.error(), settings_.brand);

    Result<std::string> location =
        *decision == "allow"
            ? deps_.flow->approve(*pending, ConsentDecision{.subject = session->record.subject,
                                                            .auth_time = session->record.auth_time,
                                                            .scope = pending->par.scope})
            : deps_.flow->deny(*pending);
    if (!location) return flowErrorPage(location.error(), settings_.brand);
    log::info("interaction: user {} {} client {}", session->record.subject,
              *decision == "allow" ? "allowed" : "denied", *client_id);
    net::Response r = net::Response::redirect303(std::move(*location));
    applyPageHeaders(r, contentSecurityPolicy());
    return r;
  }

  // --- POST /logout ---------------------------------------------------------------------------

  net::Response postLogout(const net::Request& request) {
    auto form = net::parseForm(request.body, kFormLimits);
    if (!form || !request.isForm() || !form->duplicates().empty()) {
      return badFormPage(settings_.brand);
    }
    auto csrf = form->single("csrf");
    if (!csrf) return badFormPage(settings_.brand);
    auto cookie = cookieValue(request.headers, settings_.session_cookie);
    if (cookie) {
      std::string hash = crypto::sha256Hex(*cookie);
      if (!csrf_.check(*csrf, "logout", hash)) return csrfErrorPage(settings_.brand);
      if (auto st = deps_.store->sessions().remove(hash); !st) {
        log::warn("interaction: session remove failed: {}", st.error().detail);
        return unavailablePage(settings_.brand);
      }
    }
    const std::string* client_id = form->get("client_id");
    const std::string* request_uri = form->get("request_uri");
    net::Response r;
    if (client_id != nullptr && request_uri != nullptr) {
      // Back to the same request: it now shows the login page for another account.
      r = net::Response::redirect303(authorizeUrl(*client_id, *request_uri));
      applyPageHeaders(r, contentSecurityPolicy());
    } else {
      Context ctx;
      ctx.set("title", "You are signed out").set("message", "You can close this page.");
      auto page = pages().page(200, "message.html", "Signed out", std::move(ctx), settings_.brand);
      if (!page) return renderFailure(page.error(), settings_.brand);
      r = std::move(*page);
    }
    r.headers.add("Set-Cookie", clearCookie(settings_.session_cookie));
    return r;
  }

  // --- GET /evidence/{id} ---------------------------------------------------------------------

  net::Response getEvidence(const net::Request& request) {
    const std::string* id = request.params.get("id");
    auto notFound = [&] {
      return errorPage(404, "Permission record not found",
                       "There is no permission record at this address. Check that you copied the "
                       "whole link.",
                       settings_.brand);
    };
    if (id == nullptr || !isEvidenceId(*id)) return notFound();
    auto grant = deps_.store->grants().findByEvidence(*id);
    if (!grant) {
      if (grant.error().code == Errc::kNotFound) return notFound();
      log::warn("interaction: evidence lookup failed: {}", grant.error().detail);
      return unavailablePage(settings_.brand);
    }
    std::string name = clientName(grant->client_id);
    std::string status_class, status_text;
    bool active = false;
    if (grant->revoked_at) {
      status_class = "revoked";
      status_text = "Withdrawn";
    } else if (now() >= grant->expires_at) {
      status_class = "expired";
      status_text = "Expired";
    } else {
      status_class = "active";
      status_text = "Active";
      active = true;
    }
    Context ctx;
    ctx.set("client_name", name)
        .set("client_id", grant->client_id)
        .set("licences", scopeContexts(grant->scope, settings_.scope_names))
        .set("granted", formatLongDateTime(grant->granted_at))
        .set("expires", formatLongDateTime(grant->expires_at))
        .set("revoked", grant->revoked_at ? formatLongDateTime(*grant->revoked_at) : std::string())
        .set("active", active)
        .set("status_class", status_class)
        .set("status_text", status_text)
        .set("issuer", settings_.issuer)
        .set("revoke_text", revokeText(name));
    auto page =
        pages().page(200, "evidence.html", "Permission record", std::move(ctx), settings_.brand);
    if (!page) return renderFailure(page.error(), settings_.brand);
    return std::move(*page);
  }

  // --- external mode --------------------------------------------------------------------------

  std::string newChallenge(Challenge c) {
    std::string challenge = randomToken(32);
    std::lock_guard lock(challenges_mutex_);
    // Expired challenges go first; a flood beyond the bound drops the soonest to expire.
    std::int64_t t = now();
    std::erase_if(challenges_, [t](const auto& kv) { return t >= kv.second.expires_at; });
    if (challenges_.size() >= settings_.external.max_challenges) {
      auto soonest = std::min_element(
          challenges_.begin(), challenges_.end(),
          [](const auto& a, const auto& b) { return a.second.expires_at < b.second.expires_at; });
      if (soonest != challenges_.end()) challenges_.erase(soonest);
    }
    challenges_.emplace(crypto::sha256Hex(challenge), std::move(c));
    return challenge;
  }

  // The live challenge of that kind (not removed).
  std::optional<Challenge> findChallenge(std::string_view challenge, Challenge::Kind kind) {
    if (challenge.empty() || challenge.size() > 128) return std::nullopt;
    std::lock_guard lock(challenges_mutex_);
    auto it = challenges_.find(crypto::sha256Hex(challenge));
    if (it == challenges_.end() || it->second.kind != kind) return std::nullopt;
    if (now() >= it->second.expires_at) {
      challenges_.erase(it);
      return std::nullopt;
    }
    return it->second;
  }

  // Removes the challenge; false if another caller took it first (single use).
  bool takeChallenge(std::string_view challenge) {
    std::lock_guard lock(challenges_mutex_);
    return challenges_.erase(crypto::sha256Hex(challenge)) == 1;
  }

  net::Response beginExternal(const PendingAuthorization& pending) {
    Challenge c{.kind = Challenge::Kind::kLogin,
                .client_id = pending.par.client_id,
                .request_uri = pending.request_uri,
                .subject = {},
                .auth_time = 0,
                .expires_at = pending.par.expires_at};
    std::string challenge = newChallenge(std::move(c));
    net::Response r = net::Response::redirect303(
        withQuery(settings_.external.login_url, {{"login_challenge", challenge}}));
    applyPageHeaders(r, contentSecurityPolicy());
    return r;
  }

  static const char* challengeParam(Challenge::Kind kind) {
    return kind == Challenge::Kind::kLogin ? "login_challenge" : "consent_challenge";
  }

  // The challenge named in the query, its pending request, or the error response.
  struct Resolved {
    std::string challenge;
    Challenge record;
    PendingAuthorization pending;
  };
  Result<Resolved> resolve(const net::Request& request, Challenge::Kind kind,
                           net::Response* error) {
    auto query = net::parseQuery(request.query);
    const char* param = challengeParam(kind);
    auto value = query ? query->single(param) : Result<std::string>(fail(Errc::kMalformed));
    if (!value) {
      *error = jsonError(400, "invalid_request", std::string("exactly one ") + param + " needed");
      return fail(Errc::kInvalidArgument);
    }
    auto record = findChallenge(*value, kind);
    if (!record) {
      *error = jsonError(404, "not_found", "unknown, used or expired challenge");
      return fail(Errc::kNotFound);
    }
    auto pending = deps_.flow->lookup(record->client_id, record->request_uri);
    if (!pending) {
      *error = adminFlowError(pending.error());
      return fail(pending.error());
    }
    return Resolved{std::move(*value), std::move(*record), std::move(*pending)};
  }

  Json describeRequest(const Resolved& r) const {
    Json out = {
        {"challenge", r.challenge},
        {"client",
         {{"client_id", r.pending.par.client_id},
          {"client_name", clientName(r.pending.par.client_id)}}},
        {"requested_scope", splitScope(r.pending.par.scope)},
        {"requested_licences", scopeJson(r.pending.par.scope, settings_.scope_names)},
        {"grant_duration", describeDuration(settings_.grant_lifetime)},
        {"grant_expires_at", formatUtc(now() + settings_.grant_lifetime.count())},
        {"request_expires_at", formatUtc(r.pending.par.expires_at)},
        {"skip", false},
    };
    if (r.record.kind == Challenge::Kind::kConsent) {
      out["subject"] = r.record.subject;
      out["auth_time"] = r.record.auth_time;
    }
    return out;
  }

  net::Response adminGet(const net::Request& request, Challenge::Kind kind) {
    net::Response error;
    auto r = resolve(request, kind, &error);
    if (!r) return error;
    net::Response out = net::Response::json(200, describeRequest(*r));
    out.noStore();
    return out;
  }

  static net::Response redirectTo(std::string location) {
    net::Response r = net::Response::json(200, Json{{"redirect_to", std::move(location)}});
    r.noStore();
    return r;
  }

  Result<Json> jsonBody(const net::Request& request, net::Response* error) {
    if (request.body.empty()) return Json::object();
    if (!request.isJson()) {
      *error = jsonError(415, "invalid_request", "the body must be application/json");
      return fail(Errc::kMalformed);
    }
    auto body = parseJsonObject(request.body, JsonLimits{.max_bytes = kMaxBody, .max_depth = 4});
    if (!body) {
      *error = jsonError(400, "invalid_request", "the body is not a JSON object");
      return fail(Errc::kMalformed);
    }
    return std::move(*body);
  }

  net::Response adminAcceptLogin(const net::Request& request) {
    net::Response error;
    auto body = jsonBody(request, &error);
    if (!body) return error;
    const std::string* subject = jsonString(*body, "subject");
    if (subject == nullptr || !isSafeSubject(*subject)) {
      return jsonError(400, "invalid_request",
                       "subject must be 1-128 characters of A-Z a-z 0-9 - . _ ~ (never a URL)");
    }
    if (settings_.subject_check) {
      if (auto st = settings_.subject_check(*subject); !st) {
        return jsonError(400, "invalid_request", "subject not allowed: it resembles a client_id");
      }
    }
    auto r = resolve(request, Challenge::Kind::kLogin, &error);
    if (!r) return error;
    if (!takeChallenge(r->challenge)) {
      return jsonError(404, "not_found", "unknown, used or expired challenge");
    }
    Challenge consent{.kind = Challenge::Kind::kConsent,
                      .client_id = r->pending.par.client_id,
                      .request_uri = r->pending.request_uri,
                      .subject = *subject,
                      .auth_time = now(),
                      .expires_at = r->pending.par.expires_at};
    std::string challenge = newChallenge(std::move(consent));
    log::info("interaction: external login accepted subject {} for client {}", *subject,
              r->pending.par.client_id);
    return redirectTo(
        withQuery(settings_.external.consent_url, {{"consent_challenge", challenge}}));
  }

  net::Response adminAcceptConsent(const net::Request& request) {
    net::Response error;
    auto body = jsonBody(request, &error);
    if (!body) return error;
    auto r = resolve(request, Challenge::Kind::kConsent, &error);
    if (!r) return error;
    std::vector<std::string> pushed = splitScope(r->pending.par.scope);
    std::string scope = r->pending.par.scope;
    if (const Json* grant_scope = jsonMember(*body, "grant_scope")) {
      if (!grant_scope->is_array() || grant_scope->empty()) {
        return jsonError(400, "invalid_request", "grant_scope must be a non-empty array");
      }
      scope.clear();
      for (const Json& s : *grant_scope) {
        if (!s.is_string() ||
            std::find(pushed.begin(), pushed.end(), s.get<std::string>()) == pushed.end()) {
          return jsonError(400, "invalid_scope", "grant_scope may only hold requested scopes");
        }
        if (!scope.empty()) scope += ' ';
        scope += s.get<std::string>();
      }
    }
    if (!takeChallenge(r->challenge)) {
      return jsonError(404, "not_found", "unknown, used or expired challenge");
    }
    auto location =
        deps_.flow->approve(r->pending, ConsentDecision{.subject = r->record.subject,
                                                        .auth_time = r->record.auth_time,
                                                        .scope = std::move(scope)});
    if (!location) return adminFlowError(location.error());
    log::info("interaction: external consent accepted subject {} for client {}", r->record.subject,
              r->pending.par.client_id);
    return redirectTo(std::move(*location));
  }

  net::Response adminReject(const net::Request& request, Challenge::Kind kind) {
    net::Response error;
    auto r = resolve(request, kind, &error);
    if (!r) return error;
    if (!takeChallenge(r->challenge)) {
      return jsonError(404, "not_found", "unknown, used or expired challenge");
    }
    auto location = deps_.flow->deny(r->pending);
    if (!location) return adminFlowError(location.error());
    return redirectTo(std::move(*location));
  }

  InteractionDeps deps_;
  const InteractionSettings& settings_;
  CsrfKey csrf_;
  PasswordVerifier verifier_;
  LoginThrottle throttle_;
  std::mutex challenges_mutex_;
  std::map<std::string, Challenge, std::less<>> challenges_;  // by sha256Hex(challenge)
};

Status checkExternalUrl(std::string_view url, std::string_view what) {
  if (url.rfind("https://", 0) == 0 || isLoopbackHttp(url)) return ok();
  return fail(Errc::kInvalidArgument,
              std::string(what) + " must be an https URL (http only on loopback)");
}

}  // namespace

Result<std::shared_ptr<InteractionService>> makeInteraction(InteractionDeps deps) {
  if (!deps.store || deps.flow == nullptr || deps.clock == nullptr) {
    return fail(Errc::kInvalidArgument, "interaction: store, flow and clock are required");
  }
  const InteractionSettings& s = deps.settings;
  if (!s.csrf_key.empty() && s.csrf_key.size() < 32) {
    return fail(Errc::kInvalidArgument, "interaction: the CSRF key needs at least 32 bytes");
  }
  if (s.session_cookie.rfind("__Host-", 0) != 0 || s.login_cookie.rfind("__Host-", 0) != 0) {
    return fail(Errc::kInvalidArgument, "interaction: cookie names need the __Host- prefix");
  }
  if (s.session_lifetime.count() <= 0) {
    return fail(Errc::kInvalidArgument, "interaction: session lifetime must be positive");
  }
  if (s.mode == InteractionMode::kExternal) {
    GG_TRY(checkExternalUrl(s.external.login_url, "external login_url"));
    GG_TRY(checkExternalUrl(s.external.consent_url, "external consent_url"));
  }
  return std::shared_ptr<InteractionService>(std::make_shared<Service>(std::move(deps)));
}

}  // namespace gridgate::authz::ui
