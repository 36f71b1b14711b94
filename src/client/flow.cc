#include "client/flow.h"

#include <chrono>
#include <utility>

#include "core/clock.h"
#include "net/form.h"

namespace gridgate::client {
namespace {

class Runner {
 public:
  explicit Runner(FlowResult& result) : result_(result) {}

  // Runs `body` as step `name`; false (and the flow's error set) when it fails.
  template <class F>
  bool run(std::string name, F&& body) {
    FlowStep step;
    step.name = std::move(name);
    step.data = Json::object();
    step.secrets = Json::object();
    const auto started = std::chrono::steady_clock::now();
    const Status st = body(step);
    step.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
    if (!st) {
      step.status = StepStatus::kFailed;
      step.detail = st.error().detail;
      result_.ok = false;
      result_.error = step.name + ": " + st.error().detail;
      result_.error_code = st.error().code;
    }
    result_.steps.push_back(std::move(step));
    return static_cast<bool>(st);
  }

  void skip(std::string name, std::string why) {
    FlowStep step;
    step.name = std::move(name);
    step.status = StepStatus::kSkipped;
    step.detail = std::move(why);
    step.data = Json::object();
    step.secrets = Json::object();
    result_.steps.push_back(std::move(step));
  }

 private:
  FlowResult& result_;
};

Json readingsSummary(const ResourceResponse& res) {
  Json j = {{"url", res.url}, {"status", res.status}, {"interaction_id", res.interaction_id}};
  if (!res.json) return j;
  const Json& body = *res.json;
  if (const Json* data = jsonMember(body, "data"); data != nullptr && data->is_array()) {
    j["count"] = data->size();
    if (!data->empty()) {
      j["first"] = data->front();
      j["last"] = data->back();
    }
  }
  if (const Json* loc = jsonMember(body, "location")) j["location"] = *loc;
  return j;
}

}  // namespace

std::string_view stepStatusName(StepStatus s) {
  switch (s) {
    case StepStatus::kOk:
      return "ok";
    case StepStatus::kFailed:
      return "failed";
    case StepStatus::kSkipped:
      return "skipped";
  }
  return "unknown";
}

const FlowStep* FlowResult::step(std::string_view name) const {
  for (const FlowStep& s : steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Json FlowResult::toJson(const JsonOptions& options) const {
  Json j = {{"ok", ok}};
  if (!ok) {
    j["error"] = error;
    j["error_code"] = std::string(errcName(error_code));
  }
  Json arr = Json::array();
  for (const FlowStep& s : steps) {
    Json step = {{"name", s.name},
                 {"status", std::string(stepStatusName(s.status))},
                 {"duration_ms", s.duration_ms},
                 {"data", s.data}};
    if (!s.detail.empty()) step["detail"] = s.detail;
    if (options.secrets && !s.secrets.empty()) step["secrets"] = s.secrets;
    if (options.exchanges) {
      Json xs = Json::array();
      for (const Exchange& x : s.exchanges) xs.push_back(x.toJson());
      step["exchanges"] = std::move(xs);
    }
    arr.push_back(std::move(step));
  }
  j["steps"] = std::move(arr);
  return j;
}

FlowResult runFlow(FapiClient& client, const FlowOptions& o) {
  FlowResult r;
  r.ok = true;
  Runner run(r);
  const std::int64_t now = client.clock().unixSeconds();
  std::string issuer;

  if (!run.run("discovery", [&](FlowStep& s) -> Status {
        GG_TRY(const ServerMetadata md, client.discover(&s.exchanges));
        issuer = md.issuer();
        Json endpoints = Json::object();
        for (const Endpoint e :
             {Endpoint::kAuthorization, Endpoint::kPar, Endpoint::kToken, Endpoint::kIntrospection,
              Endpoint::kRevocation, Endpoint::kUserinfo, Endpoint::kPermission, Endpoint::kJwks}) {
          if (!md.endpoint(e).empty()) endpoints[std::string(endpointMember(e))] = md.endpoint(e);
        }
        s.data = {{"issuer", md.issuer()},
                  {"mtls_endpoint_aliases", md.hasMtlsAliases()},
                  {"endpoints", std::move(endpoints)}};
        return ok();
      })) {
    return r;
  }

  if (!run.run("par", [&](FlowStep& s) -> Status {
        GG_TRY(AuthorizationRequest req, client.pushAuthorizationRequest(o.par, &s.exchanges));
        s.data = {{"client_id", req.client_id},
                  {"redirect_uri", req.redirect_uri},
                  {"scope", req.scope},
                  {"expires_in", req.expires_in},
                  {"code_challenge", req.pkce.challenge},
                  {"code_challenge_method", "S256"}};
        s.secrets = {{"authorization_url", req.authorization_url},
                     {"request_uri", req.request_uri},
                     {"code_verifier", req.pkce.verifier},
                     {"state", req.state},
                     {"nonce", req.nonce}};
        r.request = std::move(req);
        return ok();
      })) {
    return r;
  }
  const AuthorizationRequest& request = *r.request;

  std::string callback_url;
  if (!run.run("authorize", [&](FlowStep& s) -> Status {
        UserAgent ua(client.browserHttp(), client.clock());
        auto outcome = ua.authorize(
            request.authorization_url, request.redirect_uri,
            {.username = o.username, .password = o.password, .consent = o.consent}, &s.exchanges);
        if (!outcome) return fail(outcome.error());
        s.data = {{"pages", outcome->toJson()}};
        s.secrets = {{"callback_url", outcome->callback_url}};
        callback_url = outcome->callback_url;
        return ok();
      })) {
    return r;
  }

  std::string code;
  if (!run.run("callback", [&](FlowStep& s) -> Status {
        GG_TRY(const AuthorizationResponse cb, client.checkCallback(callback_url, request));
        s.data = {{"iss", cb.iss}, {"iss_checked", true}, {"state_checked", true}};
        if (!cb.ok()) {
          s.data["error"] = cb.error;
          if (!cb.error_description.empty()) s.data["error_description"] = cb.error_description;
          return fail(cb.error == "access_denied" ? Errc::kForbidden : Errc::kInvalidArgument,
                      "the authorization server answered " + cb.error +
                          (cb.error == "access_denied" ? " (the user denied access)" : ""));
        }
        s.secrets = {{"code", cb.code}};
        code = cb.code;
        return ok();
      })) {
    return r;
  }

  if (!run.run("token", [&](FlowStep& s) -> Status {
        GG_TRY(TokenResponse t, client.exchangeCode(code, request, &s.exchanges));
        s.data = {{"token_type", t.token_type},
                  {"scope", t.scope},
                  {"refresh_token_issued", !t.refresh_token.empty()},
                  {"id_token_issued", !t.id_token.empty()}};
        if (t.expires_in) s.data["expires_in"] = *t.expires_in;
        if (auto decoded = decodeJwtUnverified(t.access_token)) {
          s.data["access_token"] = {{"header", decoded->header}, {"claims", decoded->claims}};
        }
        s.secrets = {{"access_token", t.access_token}};
        if (!t.refresh_token.empty()) s.secrets["refresh_token"] = t.refresh_token;
        if (!t.id_token.empty()) s.secrets["id_token"] = t.id_token;
        r.tokens = std::move(t);
        return ok();
      })) {
    return r;
  }
  const TokenResponse& tokens = *r.tokens;

  if (tokens.id_token.empty()) {
    run.skip("id_token", "no ID token issued (the scope has no openid)");
  } else if (!run.run("id_token", [&](FlowStep& s) -> Status {
               GG_TRY(const IdToken id,
                      client.verifyIdToken(tokens.id_token, request.nonce, &s.exchanges));
               s.data = {{"verified", true}, {"header", id.header}, {"claims", id.claims}};
               return ok();
             })) {
    return r;
  }

  std::optional<ResourceResponse> readings;
  ProvenanceExpectations expect;
  if (client.options().resource_base_url.empty() && !o.resource_path.starts_with("https://")) {
    run.skip("datasources", "no resource server URL (RESOURCE_API)");
    run.skip("readings", "no resource server URL (RESOURCE_API)");
  } else {
    std::string readings_path = o.resource_path;
    if (!readings_path.empty()) {
      run.skip("datasources", "a resource path was given");
    } else if (!run.run("datasources", [&](FlowStep& s) -> Status {
                 GG_TRY(const ResourceResponse res,
                        client.getResource("/datasources", tokens.access_token, &s.exchanges));
                 s.data = {{"url", res.url},
                           {"status", res.status},
                           {"interaction_id", res.interaction_id}};
                 if (res.json) s.data["body"] = *res.json;
                 const Json* data = res.json ? jsonMember(*res.json, "data") : nullptr;
                 if (data == nullptr || !data->is_array() || data->empty()) {
                   return fail(Errc::kNotFound, "the resource server lists no data source");
                 }
                 const std::string* id = jsonString(data->front(), "id");
                 const Json* measures = jsonMember(data->front(), "availableMeasures");
                 if (id == nullptr || measures == nullptr || !measures->is_array() ||
                     measures->empty() || !measures->front().is_string()) {
                   return fail(Errc::kMalformed, "the first data source has no id or measures");
                 }
                 expect.measure = measures->front().get<std::string>();
                 expect.from = o.from.empty() ? formatDate(now - 7 * 86400) : o.from;
                 expect.to = o.to.empty() ? formatDate(now - 86400) : o.to;
                 readings_path = "/datasources/" + net::formEncode(*id) + "/" +
                                 net::formEncode(expect.measure) + "?from=" + expect.from +
                                 "&to=" + expect.to;
                 return ok();
               })) {
      return r;
    }
    if (!run.run("readings", [&](FlowStep& s) -> Status {
          GG_TRY(ResourceResponse res,
                 client.getResource(readings_path, tokens.access_token, &s.exchanges));
          s.data = readingsSummary(res);
          if (res.json) s.data["body"] = *res.json;
          expect.interaction_id = res.interaction_id;
          readings = std::move(res);
          return ok();
        })) {
      return r;
    }
  }

  if (!readings) {
    run.skip("provenance", "no readings fetched");
  } else if (client.options().signing_ca_pem.empty()) {
    run.skip("provenance", "no signing CA given: the record was not verified");
  } else if (!readings->json || jsonMember(*readings->json, "provenance") == nullptr) {
    run.skip("provenance", "the response carries no provenance record");
  } else if (!run.run("provenance", [&](FlowStep& s) -> Status {
               GG_TRY(const ProvenanceReport p, client.verifyProvenance(readings->body, expect));
               s.data = p.summary;
               return ok();
             })) {
    return r;
  }

  if (tokens.refresh_token.empty()) {
    run.skip("permissions", "no refresh token issued (the scope has no offline_access)");
  } else if (!run.run("permissions", [&](FlowStep& s) -> Status {
               GG_TRY(s.data, client.permissions(tokens.refresh_token, &s.exchanges));
               return ok();
             })) {
    return r;
  }
  return r;
}

}  // namespace gridgate::client
