// An in-test AuthorizationFlow over the real SQLite store, doing what authz/interaction.h says the
// protocol side does (lookup / approve / deny with atomic consumption). The interaction tests use
// it until the protocol side's own flow is in the tree; the full-flow tests then use the real one.
//
//   TestFlow flow(store, clock, "https://as.example");
//   std::string request_uri = flow.push("https://client.example/app", redirect, scope, "st");
//   ... interaction->begin(req, *flow.lookup(client_id, request_uri));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "authz/interaction.h"
#include "core/clock.h"
#include "store/store.h"

namespace gridgate::authz::test {

class TestFlow : public AuthorizationFlow {
 public:
  TestFlow(std::shared_ptr<store::Store> store, const Clock& clock, std::string issuer,
           std::int64_t par_lifetime = 90, std::int64_t grant_lifetime = 365 * 86400);

  // Stores a pushed request and returns its request_uri.
  std::string push(std::string_view client_id, std::string_view redirect_uri,
                   std::string_view scope, std::string_view state);

  Result<PendingAuthorization> lookup(std::string_view client_id,
                                      std::string_view request_uri) override;
  Result<std::string> approve(const PendingAuthorization& pending,
                              const ConsentDecision& decision) override;
  Result<std::string> deny(const PendingAuthorization& pending) override;

  // The grant created by the last approve() (empty id before).
  const store::Grant& lastGrant() const { return last_grant_; }
  const ConsentDecision& lastDecision() const { return last_decision_; }

 private:
  std::shared_ptr<store::Store> store_;
  const Clock& clock_;
  std::string issuer_;
  std::int64_t par_lifetime_;
  std::int64_t grant_lifetime_;
  store::Grant last_grant_;
  ConsentDecision last_decision_;
};

}  // namespace gridgate::authz::test
