// One provenance step: a JSON object whose first three members are `id`, `timestamp` and `type`,
// encoded as canonical JSON (canonical_json.h) and then base64url WITH `=` padding. The encoded
// string is what is signed, so a received step is kept as its exact bytes and only decoded to read.
//
//   GG_TRY(std::string encoded, encodeStep(step));       // step already has id/timestamp/type
//   GG_TRY(OrderedJson back, decodeStep(encoded));        // strict: must re-encode to `encoded`
//
// Decoding is strict: padded base64url (canonical trailing bits), ASCII JSON within the size bound,
// no duplicate keys, an object whose first members are exactly `id` (20 base64url characters: 15
// random bytes), `timestamp` (YYYY-MM-DDTHH:MM:SSZ) and `type` (non-empty string), no top-level key
// starting with `_` (the reference library reserves those for its decoded form), and bytes equal to
// the canonical re-encoding. So every step has exactly one accepted encoding, and a step that the
// reference library could not have produced is refused rather than guessed at.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/result.h"

namespace gridgate::provenance {

inline constexpr std::size_t kStepIdBytes = 15;          // reference: secrets.token_urlsafe(15)
inline constexpr std::size_t kStepIdLength = 20;         // base64url of 15 bytes
inline constexpr std::size_t kMaxStepJsonBytes = 32768;  // one decoded step
inline constexpr int kMaxStepJsonDepth = 16;

// A fresh step id: 15 random bytes as base64url (20 characters).
std::string newStepId();

// True if `id` looks like one newStepId() makes.
bool isStepId(std::string_view id);

// Checks the members every step must have (see above) without encoding it.
[[nodiscard]] Status checkStepShape(const OrderedJson& step);

// canonical JSON of `step` (which must pass checkStepShape), base64url with padding.
[[nodiscard]] Result<std::string> encodeStep(const OrderedJson& step);

// The inverse, strictly.
[[nodiscard]] Result<OrderedJson> decodeStep(std::string_view encoded);

}  // namespace gridgate::provenance
