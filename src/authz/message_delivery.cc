#include "authz/message_delivery.h"

#include "core/log.h"

namespace gridgate::authz {

Result<std::unique_ptr<MessageDelivery>> MessageDelivery::create(
    const MessagesConfig& config, std::shared_ptr<store::Store> store, const Clock& clock) {
  net::ClientConfig cc;
  cc.tls.ca_file = config.ca_file.string();
  cc.tls.cert_chain_file = config.cert_chain.string();
  cc.tls.key_file = config.key.string();
  cc.connect_timeout = std::chrono::seconds(5);
  cc.request_timeout = std::chrono::seconds(10);
  cc.max_response_bytes = 64 * 1024;
  cc.retry.max_attempts = 1;  // the outbox retries, with its own backoff
  cc.user_agent = "gridgate-messages";
  GG_TRY(std::unique_ptr<net::HttpClient> client, net::HttpClient::create(std::move(cc)));
  return std::unique_ptr<MessageDelivery>(
      new MessageDelivery(config, std::move(store), clock, std::move(client)));
}

std::int64_t MessageDelivery::backoffSeconds(int attempts, Seconds base, Seconds max) {
  std::int64_t delay = base.count();
  for (int i = 1; i < attempts && delay < max.count(); ++i) delay *= 2;
  return std::min(delay, max.count());
}

Result<std::size_t> MessageDelivery::deliverDue() {
  const std::int64_t now = clock_.unixSeconds();
  GG_TRY(std::vector<store::OutboxMessage> due,
         store_->outbox().claim(now, kBatch, now + kLeaseSeconds));
  std::size_t delivered = 0;
  for (const store::OutboxMessage& msg : due) {
    net::ClientRequest req;
    req.method = net::Method::kPost;
    req.url = msg.url;
    req.body = msg.body;
    req.headers.add("Content-Type", "application/json");
    auto res = client_->send(std::move(req));
    const std::int64_t at = clock_.unixSeconds();
    std::string failure;
    if (!res) {
      failure = std::string(errcName(res.error().code)) + ": " + res.error().detail;
    } else if (res->status == 200 || res->status == 201 || res->status == 202 ||
               res->status == 204) {
      GG_TRY(store_->outbox().markDelivered(msg.id, at));
      log::info("revocation message {} delivered to {}", msg.id, msg.client_id);
      ++delivered;
      continue;
    } else {
      failure = "HTTP " + std::to_string(res->status);
    }
    const int attempts = msg.attempts + 1;
    const std::int64_t next = at + backoffSeconds(attempts, config_.retry_base, config_.retry_max);
    GG_TRY(store_->outbox().reschedule(msg.id, attempts, next, failure));
    log::warn("revocation message {} to {} failed (attempt {}): {}; next in {} s", msg.id,
              msg.client_id, attempts, failure, next - at);
  }
  return delivered;
}

}  // namespace gridgate::authz
