// HTTP request and response values that handlers see. No Asio or Beast here (DESIGN.md: the
// security core registers handlers without including them).
//
//   Response handle(const Request& req) {
//     const std::string* id = req.params.get("id");              // from "/datasources/{id}"
//     if (!req.peer.client_cert) return Response::text(401, "client certificate required");
//     const std::string& x5t = req.peer.client_cert->thumbprint();   // computed once per TLS conn
//     if (auto auth = req.headers.get("authorization")) ...          // case-insensitive
//     return Response::json(200, Json{{"id", *id}}).noStore();
//   }
//
// The server adds `Date`, `x-fapi-interaction-id`, `Content-Length` and the listener's security
// headers to every response; a handler never sets them itself (an explicit Cache-Control or
// Content-Security-Policy from the handler is kept).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "x509/certificate.h"

namespace gridgate::net {

enum class Method : std::uint8_t {
  kGet,
  kHead,
  kPost,
  kPut,
  kDelete,
  kPatch,
  kOptions,
  kOther,  // any other token (CONNECT, TRACE, extension methods): never routed, answered 405
};

std::string_view methodName(Method m);
// Exact, case-sensitive token (RFC 9110 section 9.1); kOther for anything else.
Method parseMethod(std::string_view token);

// ASCII case-insensitive equality for header names and media types.
bool iequals(std::string_view a, std::string_view b);

// Header fields in wire order. Lookups ignore case; repeated fields stay separate entries so that a
// caller can detect them (two Authorization headers, two Content-Length...).
class Headers {
 public:
  struct Field {
    std::string name{};
    std::string value{};
  };

  // Appends a field (repeated names are kept).
  void add(std::string name, std::string value);
  // Replaces every field of that name with one.
  void set(std::string_view name, std::string value);
  // Adds only if no field of that name exists.
  void setDefault(std::string_view name, std::string_view value);
  void remove(std::string_view name);

  // First value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string_view> getAll(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool contains(std::string_view name) const { return count(name) > 0; }

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  std::vector<Field> fields_{};
};

// Values bound by a route pattern's {name} segments, percent-decoded.
class PathParams {
 public:
  // nullptr if the pattern has no such parameter.
  const std::string* get(std::string_view name) const;
  void add(std::string_view name, std::string value) {
    params_.emplace_back(std::string(name), std::move(value));
  }
  std::size_t size() const { return params_.size(); }
  void clear() { params_.clear(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_{};
};

// The client certificate of a connection: parsed once when the TLS handshake completes (or when a
// trusted proxy's header changes), then shared by every request on that connection.
struct ClientCertificate {
  x509::Certificate leaf;
  // The verified chain, leaf first, up to the trust anchor, from a full TLS handshake. Empty for a
  // resumed TLS session (OpenSSL keeps only the leaf in the session) and for forwarded
  // certificates.
  std::vector<x509::Certificate> chain{};

  // x5t#S256 of the leaf (RFC 8705), computed once at parse time.
  const std::string& thumbprint() const { return leaf.thumbprint(); }
};

struct PeerInfo {
  std::string listener{};        // ListenerConfig::name
  std::string remote_address{};  // the TCP peer ("127.0.0.1", "::1")
  std::uint16_t remote_port = 0;
  bool tls = false;           // this connection is TLS (false behind a terminator)
  bool via_proxy = false;     // from a configured trusted proxy; client_cert came from its header
  bool tls_resumed = false;   // the TLS session was resumed (no new certificate verification)
  std::string tls_version{};  // "TLSv1.3"; empty without TLS
  // The verified client certificate; null if none was presented (mode none/optional) or forwarded.
  std::shared_ptr<const ClientCertificate> client_cert{};
};

struct Request {
  Method method = Method::kGet;
  std::string method_token{};  // as sent ("GET"; the extension method for kOther)
  std::string target{};        // request-target as sent: "/authorize?client_id=..."
  std::string path{};          // target up to '?', not decoded
  std::string query{};         // after '?', not decoded (parseQuery in form.h)
  unsigned version = 11;       // 10 or 11
  Headers headers{};
  std::string body{};
  PathParams params{};
  std::string route{};  // the matched route pattern ("/datasources/{id}"), for logs/metrics
  std::string interaction_id{};  // x-fapi-interaction-id: the client's if a valid UUID, else new
  PeerInfo peer;

  // Media type of Content-Type without parameters, lowercased ("application/json").
  std::string mediaType() const;
  bool isForm() const { return mediaType() == "application/x-www-form-urlencoded"; }
  bool isJson() const { return mediaType() == "application/json"; }
};

struct Response {
  int status = 200;
  Headers headers{};
  std::string body{};

  static Response json(int status, const Json& value);
  // `json_text` must already be serialised JSON.
  static Response jsonText(int status, std::string json_text);
  static Response html(int status, std::string html);
  static Response text(int status, std::string text);
  // 303 See Other to `location` (the only redirect FAPI's authorization endpoint uses).
  static Response redirect303(std::string location);
  static Response empty(int status);  // 204, 201 without body...

  Response& header(std::string_view name, std::string value) {
    headers.set(name, std::move(value));
    return *this;
  }
  // Cache-Control: no-store and Pragma: no-cache (RFC 6749 section 5.1 for token responses).
  Response& noStore();
};

// Standard reason phrase ("Not Found"); "Unknown" for codes without one.
std::string_view reasonPhrase(int status);

// The interaction id a response carries: `from_request` if it is a UUID, else a new UUID v4.
std::string resolveInteractionId(std::optional<std::string_view> from_request);

// Security headers added to responses that do not set them (per listener, ListenerConfig).
struct SecurityHeaders {
  bool hsts = true;  // Strict-Transport-Security (TLS listeners and listeners behind a proxy)
  std::string hsts_value = "max-age=31536000";
  bool no_store = true;              // Cache-Control: no-store unless the handler set Cache-Control
  bool frame_ancestors_none = true;  // CSP frame-ancestors 'none' + X-Frame-Options: DENY
  bool nosniff = true;               // X-Content-Type-Options: nosniff
  bool no_referrer = true;           // Referrer-Policy: no-referrer
};

// Adds the configured headers a handler did not set itself. `hsts` applies only when
// `secure_transport` (TLS, or a trusted TLS terminator in front).
void applySecurityHeaders(Response& response, const SecurityHeaders& config, bool secure_transport);

}  // namespace gridgate::net
