// The validator's only way out to the network: an injected, blocking HTTP client, so that the
// core never includes an HTTP stack (validator/http implements it over net::HttpClient; the
// cpp-httplib example over httplib::SSLClient).
//
//   class MyFetcher final : public validator::Fetcher {
//     Result<FetchResponse> fetch(const FetchRequest& req) override {
//       // GET or POST req.url with req.headers and req.body, TLS per req.tls (trust anchors,
//       // and for mTLS the client certificate and key); verify the server's name.
//     }
//   };
//
// fetch() is called from whatever thread runs the check (never the server's I/O thread when the
// HTTP adapter is used), concurrently; it must be thread-safe and must time out on its own.
// Errors: kUnavailable / kTimeout when the issuer cannot be reached; any HTTP status is a
// response, not an error.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "validator/config.h"

namespace gridgate::validator {

struct FetchRequest {
  enum class Method { kGet, kPost };
  Method method = Method::kGet;
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};  // name, value
  std::string body{};
  const OutboundTls* tls = nullptr;  // the issuer's TLS settings (null: system defaults)
};

struct FetchResponse {
  int status = 0;
  std::string content_type;  // the Content-Type header, as sent
  std::string body{};
};

// Whether a check may perform network I/O. The HTTP adapter first runs a check with kForbid on the
// server's I/O thread (cache hits, JWT verification with loaded keys); a check that would need
// I/O then fails with Reason::kNeedsIo and is run again with kAllow on a worker thread.
enum class IoPolicy { kAllow, kForbid };

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  [[nodiscard]] virtual Result<FetchResponse> fetch(const FetchRequest& request) = 0;
};

}  // namespace gridgate::validator
