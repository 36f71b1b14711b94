// Strict application/x-www-form-urlencoded parsing for request bodies and query strings.
//
//   GG_TRY(Form form, parseForm(req.body));                  // or parseQuery(req.query)
//   if (!form.duplicates().empty()) return oauthError("invalid_request");   // RFC 6749 3.1
//   const std::string* client_id = form.get("client_id");    // nullptr if absent
//   GG_TRY(std::string scope, form.single("scope"));          // kNotFound / kInvalidArgument
//
// Strict where browsers are lenient: a '%' not followed by two hex digits, raw bytes outside
// printable ASCII (a raw space, a control character, UTF-8 not percent-encoded) and decoded values
// that are not valid UTF-8 are errors (kMalformed), never guessed at. '+' is a space, as in every
// HTML form submission. Empty pairs ("a=1&&b=2") are skipped; a name without '=' has an empty
// value. Every pair is kept in order, so repeated parameters are visible: OAuth requires that a
// request with a repeated parameter be rejected, and a last-one-wins map would hide it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gridgate::net {

struct FormLimits {
  std::size_t max_pairs = 256;
  std::size_t max_bytes = 1024 * 1024;
};

class Form {
 public:
  using Pair = std::pair<std::string, std::string>;

  // First value of `name` or nullptr.
  const std::string* get(std::string_view name) const;
  // The value if `name` occurs exactly once: kNotFound if absent, kInvalidArgument if repeated.
  [[nodiscard]] Result<std::string> single(std::string_view name) const;
  std::vector<std::string_view> getAll(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return get(name) != nullptr; }
  // Names that occur more than once, each listed once, in order of first occurrence.
  std::vector<std::string> duplicates() const;

  const std::vector<Pair>& pairs() const { return pairs_; }
  std::size_t size() const { return pairs_.size(); }
  bool empty() const { return pairs_.empty(); }

  void add(std::string name, std::string value) {
    pairs_.emplace_back(std::move(name), std::move(value));
  }

 private:
  std::vector<Pair> pairs_;
};

[[nodiscard]] Result<Form> parseForm(std::string_view body, const FormLimits& limits = {});
// Same grammar for the query component of a URL.
[[nodiscard]] Result<Form> parseQuery(std::string_view query, const FormLimits& limits = {});

// %XX decoding; '+' becomes a space only when `plus_is_space` (forms), not in path segments.
// kMalformed for a bad escape, a raw byte outside printable ASCII, or invalid UTF-8 after decoding.
[[nodiscard]] Result<std::string> percentDecode(std::string_view in, bool plus_is_space);

// Percent-encodes everything but RFC 3986 unreserved characters (for building forms and queries).
std::string formEncode(std::string_view in);
std::string encodeForm(const std::vector<Form::Pair>& pairs);

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool isValidUtf8(std::string_view s);

}  // namespace gridgate::net
