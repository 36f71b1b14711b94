// The permission record of a grant (PERSEUS.md "Permission record") and the data of its public
// evidence page, for the protocol side (POST /permissions) and the interaction side (GET
// /evidence/{id}, rendered by authz/ui).
//
//   // interaction side, GET /evidence/{id} (on the blocking pool: it reads the store)
//   auto record = authz::findEvidence(store, *config, *req.params.get("id"), clock);
//   if (!record && record.error().code == Errc::kNotFound) return page404();
//   record->client_name;  record->licences;  record->grant.expires_at;  record->revoked
//
// Evidence ids are unguessable (>= 128 bits); an unknown id is kNotFound (404). The page is public:
// it shows who was granted what and until when, never a token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authz/config.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "store/records.h"
#include "store/store.h"

namespace gridgate::authz {

// The licence URLs of a granted scope: every scope value except the OAuth ones (offline_access,
// openid), in order.
std::vector<std::string> licencesOf(std::string_view scope);

struct EvidenceRecord {
  store::Grant grant;
  const ClientConfig* client = nullptr;  // null if the client was removed from the configuration
  std::string client_name;               // display name, or the client_id when unknown
  std::vector<std::string> licences;
  bool revoked = false;
  bool expired = false;  // grant.expires_at <= now
  std::string evidence_url;
  Json permission;  // the permission record, as POST /permissions returns it (without wrapper)
};

// kNotFound for an unknown (or malformed) id; kUnavailable when the store is down.
[[nodiscard]] Result<EvidenceRecord> findEvidence(store::Store& store, const AuthzConfig& config,
                                                  std::string_view evidence_id, const Clock& clock);

// The permission record of PERSEUS.md: oauthIssuer, client, license, account, lastGranted,
// expires, evidence, revoked (only when revoked), dataAvailableFrom, tokenIssuedAt, tokenExpires;
// datetimes UTC YYYY-MM-DDTHH:MM:SSZ.
Json permissionRecord(const store::Grant& grant, const AuthzConfig& config);

}  // namespace gridgate::authz
