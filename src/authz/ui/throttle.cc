#include "authz/ui/throttle.h"

#include <algorithm>
#include <vector>

namespace gridgate::authz::ui {

std::string_view clientAddress(const net::Request& request) {
  const std::string_view peer = request.peer.remote_address;
  if (!request.peer.via_proxy) return peer;
  const std::vector<std::string_view> values = request.headers.getAll("x-forwarded-for");
  if (values.empty()) return peer;
  std::string_view last = values.back();
  if (const std::size_t comma = last.rfind(','); comma != std::string_view::npos) {
    last.remove_prefix(comma + 1);
  }
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  constexpr std::size_t kMaxAddress = 45;  // the longest IPv6 literal (with an embedded IPv4)
  const bool literal = !last.empty() && last.size() <= kMaxAddress &&
                       std::all_of(last.begin(), last.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                                (c >= 'A' && c <= 'F') || c == '.' || c == ':';
                       });
  return literal ? last : peer;
}

namespace {
std::string userKey(std::string_view username) {
  // Usernames compare case-insensitively for throttling: "Alice" and "alice" share a counter.
  std::string key = "u:";
  for (char c : username) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return key;
}
std::string ipKey(std::string_view ip) { return "i:" + std::string(ip); }
}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, ThrottleSettings settings)
    : clock_(clock), settings_(settings) {}

std::optional<Seconds> LoginThrottle::check(const std::string& key, unsigned limit,
                                            std::int64_t now) {
  auto it = counters_.find(key);
  if (it == counters_.end()) return std::nullopt;
  std::int64_t end = it->second.window_start + settings_.window.count();
  if (now >= end) {
    counters_.erase(it);
    return std::nullopt;
  }
  if (it->second.failures < limit) return std::nullopt;
  return Seconds(end - now);
}

std::optional<Seconds> LoginThrottle::blockedFor(std::string_view username, std::string_view ip) {
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.unixSeconds();
  auto user = check(userKey(username), settings_.max_failures_per_user, now);
  auto addr = check(ipKey(ip), settings_.max_failures_per_ip, now);
  if (user && addr) return std::max(*user, *addr);
  return user ? user : addr;
}

void LoginThrottle::bump(const std::string& key, std::int64_t now) {
  auto it = counters_.find(key);
  if (it == counters_.end() || now >= it->second.window_start + settings_.window.count()) {
    if (it == counters_.end() && counters_.size() >= settings_.max_tracked) {
      // Full: drop the entry with the oldest window (rare; bounded memory under a flood).
      auto oldest = std::min_element(counters_.begin(), counters_.end(), [](auto& a, auto& b) {
        return a.second.window_start < b.second.window_start;
      });
      if (oldest != counters_.end()) counters_.erase(oldest);
    }
    counters_[key] = Counter{1, now};
    return;
  }
  ++it->second.failures;
  // Hitting the limit starts the lockout now, so it lasts a full window.
  it->second.window_start = now;
}

void LoginThrottle::recordFailure(std::string_view username, std::string_view ip) {
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.unixSeconds();
  bump(userKey(username), now);
  bump(ipKey(ip), now);
}

void LoginThrottle::recordSuccess(std::string_view username) {
  std::lock_guard lock(mutex_);
  counters_.erase(userKey(username));
}

}  // namespace gridgate::authz::ui
