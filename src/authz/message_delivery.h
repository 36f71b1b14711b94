// Delivery of IB1 revocation messages from the durable outbox (PERSEUS.md "Revocation message"):
// POST (mTLS, with the provider's own client certificate, JSON) to the client's message delivery
// URL; 200/201/202/204 means delivered, anything else (or no answer) is retried with exponential
// backoff: retry_base * 2^(attempts-1), at most retry_max.
//
//   GG_TRY(auto delivery, MessageDelivery::create(config->messages, store, clock));
//   GG_TRY(std::size_t delivered, delivery->deliverDue());   // blocking; the server calls it
//                                                            // every poll_interval
//
// Messages are claimed with a lease (Outbox::claim) so that two instances sharing a store never
// send the same message at once, and a message whose sender died is retried after the lease.
// Message bodies are not secrets but are not logged either; the outbox keeps the last error text
// for operators.
#pragma once

#include <cstdint>
#include <memory>

#include "authz/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/client.h"
#include "store/store.h"

namespace gridgate::authz {

class MessageDelivery {
 public:
  static constexpr std::size_t kBatch = 16;
  static constexpr std::int64_t kLeaseSeconds = 120;

  [[nodiscard]] static Result<std::unique_ptr<MessageDelivery>> create(
      const MessagesConfig& config, std::shared_ptr<store::Store> store, const Clock& clock);

  // Sends every message due now (up to kBatch); returns how many were delivered.
  [[nodiscard]] Result<std::size_t> deliverDue();

  // Seconds to wait after the `attempts`-th failed attempt (1-based).
  static std::int64_t backoffSeconds(int attempts, Seconds base, Seconds max);

 private:
  MessageDelivery(MessagesConfig config, std::shared_ptr<store::Store> store, const Clock& clock,
                  std::unique_ptr<net::HttpClient> client)
      : config_(std::move(config)),
        store_(std::move(store)),
        clock_(clock),
        client_(std::move(client)) {}

  MessagesConfig config_;
  std::shared_ptr<store::Store> store_;
  const Clock& clock_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace gridgate::authz
