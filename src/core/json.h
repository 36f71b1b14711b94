// Bounded, non-throwing JSON over nlohmann::json.
//
//   GG_TRY(auto doc, parseJson(body, JsonLimits{.max_bytes = 64 * 1024}));
//   const std::string* iss = jsonString(doc, "iss");       // nullptr if absent or not a string
//   std::string out = dumpJson(doc);                        // never throws (invalid UTF-8
//   replaced)
//
// The parser refuses input over `max_bytes`, nesting deeper than `max_depth`, duplicate object
// keys (ambiguous in JOSE headers and claims: RFC 7515 section 4) and anything that is not RFC 8259
// JSON. It never throws.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate {

using Json = nlohmann::json;
// Objects keep their members in document order (for formats whose bytes are signed, such as IB1
// provenance steps).
using OrderedJson = nlohmann::ordered_json;

struct JsonLimits {
  std::size_t max_bytes = 1024 * 1024;
  int max_depth = 32;
  bool allow_duplicate_keys = false;
};

[[nodiscard]] Result<Json> parseJson(std::string_view text, const JsonLimits& limits = {});
// Same, and the top level must be an object.
[[nodiscard]] Result<Json> parseJsonObject(std::string_view text, const JsonLimits& limits = {});
// Same limits and rules as parseJson, members kept in document order.
[[nodiscard]] Result<OrderedJson> parseOrderedJson(std::string_view text,
                                                   const JsonLimits& limits = {});

// Compact serialisation that never throws: invalid UTF-8 in strings is replaced by U+FFFD.
std::string dumpJson(const Json& value, int indent = -1);

// Member accessors on an object; nullptr / nullopt when absent or of another type.
const std::string* jsonString(const Json& object, std::string_view key);
std::optional<std::int64_t> jsonInt(const Json& object, std::string_view key);
std::optional<bool> jsonBool(const Json& object, std::string_view key);
const Json* jsonMember(const Json& object, std::string_view key);

}  // namespace gridgate
