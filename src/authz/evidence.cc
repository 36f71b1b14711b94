#include "authz/evidence.h"

#include "authz/scope.h"

namespace gridgate::authz {

std::vector<std::string> licencesOf(std::string_view scope) {
  std::vector<std::string> out;
  for (const std::string& s : splitScope(scope)) {
    if (s != kScopeOfflineAccess && s != kScopeOpenid) out.push_back(s);
  }
  return out;
}

Json permissionRecord(const store::Grant& grant, const AuthzConfig& config) {
  const std::vector<std::string> licences = licencesOf(grant.scope);
  Json p = Json::object();
  p["oauthIssuer"] = config.issuer;
  p["client"] = grant.client_id;
  // PERSEUS.md: one licence per permission; a grant of several licences names the first here
  // (the evidence page lists all of them).
  p["license"] = licences.empty() ? std::string() : licences.front();
  p["account"] = grant.subject;
  p["lastGranted"] = formatUtc(grant.granted_at);
  p["expires"] = formatUtc(grant.expires_at);
  p["evidence"] = config.evidenceUrl(grant.evidence_id);
  if (grant.revoked_at) p["revoked"] = formatUtc(*grant.revoked_at);
  p["dataAvailableFrom"] = formatUtc(grant.data_available_from);
  if (grant.token_issued_at != 0) {
    p["tokenIssuedAt"] = formatUtc(grant.token_issued_at);
    p["tokenExpires"] = formatUtc(grant.token_expires_at);
  }
  return p;
}

Result<EvidenceRecord> findEvidence(store::Store& store, const AuthzConfig& config,
                                    std::string_view evidence_id, const Clock& clock) {
  // Ids are base64url tokens; anything else cannot exist (and is not worth a store call).
  if (evidence_id.empty() || evidence_id.size() > 128 ||
      evidence_id.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
          std::string_view::npos) {
    return fail(Errc::kNotFound, "malformed evidence id");
  }
  GG_TRY(store::Grant grant, store.grants().findByEvidence(evidence_id));
  EvidenceRecord r;
  r.client = config.clients.find(grant.client_id);
  r.client_name = r.client != nullptr ? r.client->display_name : grant.client_id;
  r.licences = licencesOf(grant.scope);
  r.revoked = grant.revoked_at.has_value();
  r.expired = grant.expires_at <= clock.unixSeconds();
  r.evidence_url = config.evidenceUrl(grant.evidence_id);
  r.permission = permissionRecord(grant, config);
  r.grant = std::move(grant);
  return r;
}

}  // namespace gridgate::authz
