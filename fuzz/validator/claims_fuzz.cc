// The streaming JWT claims reader against the JSON-tree one: for any input both accept or both
// refuse, and accepted inputs give the same record (a divergence would let a token mean one thing
// to the checks and another to the handler).
#include <cstdlib>

#include "validator/token_info.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridgate;
  using namespace gridgate::validator;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto streamed = recordFromPayload(text, TokenSource::kJwt);
  auto tree_json = parseJsonObject(text, kClaimsLimits);
  if (!tree_json) {
    if (streamed) std::abort();
    return 0;
  }
  auto tree = recordFromClaims(*tree_json, TokenSource::kJwt);
  if (streamed.has_value() != tree.has_value()) std::abort();
  if (!streamed) return 0;
  if (streamed->issuer != tree->issuer || streamed->scopes != tree->scopes ||
      streamed->audiences != tree->audiences || streamed->subject != tree->subject ||
      streamed->client_id != tree->client_id || streamed->jti != tree->jti ||
      streamed->grant_id != tree->grant_id || streamed->cnf_x5t != tree->cnf_x5t ||
      streamed->cnf_jkt != tree->cnf_jkt || streamed->exp != tree->exp ||
      streamed->nbf != tree->nbf || streamed->iat != tree->iat ||
      streamed->claims() != tree->claims()) {
    std::abort();
  }
  return 0;
}
