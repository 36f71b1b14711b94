// Where a revocation goes besides the store: validators that cache introspection results or accept
// JWT access tokens must drop the grant's tokens at once (DESIGN.md "Revocation").
//
//   class RedisRevocationPublisher : public RevocationPublisher {   // the Redis issue
//     void publish(std::string_view grant_id, const std::vector<std::string>& jtis) override;
//   };
//   AuthzServerOptions{.publisher = std::make_shared<RedisRevocationPublisher>(...)};
//
// publish() is called after the revocation is durable in the store, on a blocking-pool thread; it
// must not throw and should not block for long (an implementation queues and returns).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gridgate::authz {

class RevocationPublisher {
 public:
  virtual ~RevocationPublisher() = default;
  // A revoked grant: `grant_id` with no jtis (validators refuse every token naming the grant). A
  // single revoked access token: an empty `grant_id` and its jti.
  virtual void publish(std::string_view grant_id, const std::vector<std::string>& jtis) = 0;
};

// The default for the embedded SQLite deployment, and a legitimate one rather than a stand-in:
// with one store there is nothing to broadcast. This server's own introspection reads the store
// on every call (revocation shows at once, FAPI-CHECKLIST 63, 65), and validators elsewhere learn
// of it through introspection within their cache TTL (FAPI-CHECKLIST 76). Deployments that share
// Redis between instances replace it with a pub/sub publisher.
class NoopRevocationPublisher final : public RevocationPublisher {
 public:
  void publish(std::string_view /*grant_id*/, const std::vector<std::string>& /*jtis*/) override {}
};

}  // namespace gridgate::authz
