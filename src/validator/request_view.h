// What the validator needs to know about one request, from any HTTP framework, without copying.
//
//   std::vector<std::string_view> auth = allValues(req, "Authorization");   // every one of them
//   validator::RequestView view{
//       .authorization = auth,
//       .token_in_query = validator::queryHasAccessToken(query_string),
//       .token_in_body = is_form && validator::formHasAccessToken(body),
//       .client_cert = leaf_or_null,              // x509::Certificate parsed once per connection
//   };
//   validator::CheckResult r = validator->check(view, route);
//
// Everything is borrowed: the viewed strings and certificates must outlive the check() call.
#pragma once

#include <span>
#include <string_view>

#include "x509/certificate.h"

namespace gridgate::validator {

struct RequestView {
  // Every Authorization header field value, in order: two or more is refused (400).
  std::span<const std::string_view> authorization{};
  // An access_token parameter in the query string / in an application/x-www-form-urlencoded
  // body: refused (400), RFC 6750 sections 2.2 and 2.3 are not allowed here.
  bool token_in_query = false;
  bool token_in_body = false;
  // The client certificate (leaf), or null when none was presented.
  const x509::Certificate* client_cert = nullptr;
  // Certificates presented with it (leaf first or not: the leaf itself is skipped), used only by
  // the optional chain check (ClientCertConfig).
  std::span<const x509::Certificate> chain{};
  // For logs.
  std::string_view method{};
  std::string_view path{};
};

// True when a query string (without '?') or a form body has a parameter named access_token
// (the name percent-decoded, '+' as space). Cheap when the text does not mention it.
bool queryHasAccessToken(std::string_view query);
bool formHasAccessToken(std::string_view body);

}  // namespace gridgate::validator
