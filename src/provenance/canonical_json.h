// The byte-exact JSON of IB1 provenance steps: what the reference library (Python `ib1.provenance`)
// produces with `json.dumps(step, separators=(",", ":"))`, so that a step encoded here and one
// encoded there are the same bytes, and therefore the same signature input.
//
//   OrderedJson step = {{"id", id}, {"timestamp", ts}, {"type", "origin"}, {"external", true}};
//   GG_TRY(std::string text, canonicalJson(step));   // {"id":"...","timestamp":...}
//
// Rules (Python's json encoder with ensure_ascii=True):
//   - compact: `,` and `:` separators, no whitespace;
//   - object members in the order they are held (OrderedJson keeps insertion order; a
//     nlohmann::json would be alphabetical, which is why this takes OrderedJson);
//   - strings ASCII-only: `"` and `\` backslash-escaped, \b \f \n \r \t as short escapes, every
//     other character outside 0x20-0x7E as a lowercase \uXXXX escape, characters beyond the BMP as
//     a surrogate pair of such escapes; `/` is not escaped. (PERSEUS.md says "every character
//     outside 0x20-0x7E becomes \uXXXX"; the reference uses the five short escapes for those five
//     control characters, and byte compatibility with the reference wins.);
//   - integers in decimal (nlohmann holds int64/uint64; a larger integer in a received step
//     parses as a float, re-encodes differently and so is refused by decodeStep rather than
//     silently changed); floats as Python's repr(): the shortest decimal that round-trips, with
//     ".0" on integral values and exponent form (`1e-05`, `1.5e+16`) when the decimal exponent is
//     below -4 or above 16; NaN and infinities are refused (not JSON).
// Strings must be valid UTF-8 (no surrogate code points): anything else is kMalformed.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/result.h"

namespace gridgate::provenance {

[[nodiscard]] Result<std::string> canonicalJson(const OrderedJson& value);

// One JSON string literal, quotes included, escaped as above.
[[nodiscard]] Result<std::string> canonicalJsonString(std::string_view utf8);

// Python's repr() of a finite double ("0.1", "1.0", "1e-05", "1.5e+16", "-0.0").
std::string pythonFloatRepr(double value);

}  // namespace gridgate::provenance
