#include "client/callback.h"

#include "client/url.h"
#include "core/secure_compare.h"
#include "net/form.h"

namespace gridgate::client {

Result<AuthorizationResponse> parseCallback(std::string_view callback,
                                            const CallbackExpectations& expect) {
  if (expect.state.empty()) {
    return fail(Errc::kInvalidArgument, "no state to compare the response with");
  }
  if (expect.issuer.empty()) {
    return fail(Errc::kInvalidArgument, "no issuer to compare the response with");
  }
  std::string query;
  if (callback.starts_with("https://") || callback.starts_with("http://")) {
    GG_TRY(const Url url, Url::parse(callback));
    if (!expect.redirect_uri.empty()) {
      GG_TRY(const Url expected, Url::parse(expect.redirect_uri));
      if (url.withoutQuery() != expected.withoutQuery()) {
        return fail(Errc::kInvalidClaim, "the response came to " + url.withoutQuery() +
                                             ", not to the redirect URI " +
                                             expected.withoutQuery());
      }
    }
    query = url.query();
  } else {
    if (callback.starts_with('?')) callback.remove_prefix(1);
    query = std::string(callback);
  }
  GG_TRY(const net::Form form, net::parseQuery(query));
  if (const auto dup = form.duplicates(); !dup.empty()) {
    return fail(Errc::kMalformed, "parameter repeated in the authorization response: " + dup[0]);
  }
  AuthorizationResponse r;
  const std::string* iss = form.get("iss");
  if (iss == nullptr) {
    return fail(Errc::kInvalidClaim, "the authorization response has no iss (RFC 9207)");
  }
  if (*iss != expect.issuer) {
    return fail(Errc::kInvalidClaim,
                "the authorization response comes from issuer " + *iss + ", not " + expect.issuer);
  }
  r.iss = *iss;
  const std::string* state = form.get("state");
  if (state == nullptr) return fail(Errc::kInvalidClaim, "the authorization response has no state");
  if (!secureEquals(*state, expect.state)) {
    return fail(Errc::kInvalidClaim, "the authorization response's state does not match");
  }
  r.state = *state;
  const std::string* error = form.get("error");
  const std::string* code = form.get("code");
  if (error != nullptr) {
    if (code != nullptr) return fail(Errc::kMalformed, "both code and error in the response");
    if (error->empty()) return fail(Errc::kMalformed, "empty error in the response");
    r.error = *error;
    if (const std::string* d = form.get("error_description")) r.error_description = *d;
    return r;
  }
  if (code == nullptr || code->empty()) {
    return fail(Errc::kMalformed, "the authorization response has neither code nor error");
  }
  r.code = *code;
  return r;
}

}  // namespace gridgate::client
