#include "net/http.h"

#include <algorithm>
#include <array>

#include "core/random.h"

namespace gridgate::net {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view methodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

Method parseMethod(std::string_view token) {
  if (token == "GET") return Method::kGet;
  if (token == "HEAD") return Method::kHead;
  if (token == "POST") return Method::kPost;
  if (token == "PUT") return Method::kPut;
  if (token == "DELETE") return Method::kDelete;
  if (token == "PATCH") return Method::kPatch;
  if (token == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void Headers::add(std::string name, std::string value) {
  fields_.push_back(Field{std::move(name), std::move(value)});
}

void Headers::set(std::string_view name, std::string value) {
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (iequals(it->name, name)) {
      it->value = std::move(value);
      fields_.erase(std::remove_if(std::next(it), fields_.end(),
                                   [&](const Field& f) { return iequals(f.name, name); }),
                    fields_.end());
      return;
    }
  }
  fields_.push_back(Field{std::string(name), std::move(value)});
}

void Headers::setDefault(std::string_view name, std::string_view value) {
  if (!contains(name)) fields_.push_back(Field{std::string(name), std::string(value)});
}

void Headers::remove(std::string_view name) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Field& f) { return iequals(f.name, name); }),
                fields_.end());
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> Headers::getAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) out.emplace_back(f.value);
  }
  return out;
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(
      fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }));
}

const std::string* PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string Request::mediaType() const {
  const auto ct = headers.get("content-type");
  if (!ct) return {};
  std::string_view v = *ct;
  if (const auto semi = v.find(';'); semi != std::string_view::npos) v = v.substr(0, semi);
  v = trimOws(v);
  std::string out(v);
  for (char& c : out) c = lower(c);
  return out;
}

Response Response::json(int status, const Json& value) { return jsonText(status, dumpJson(value)); }

Response Response::jsonText(int status, std::string json_text) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "application/json");
  r.body = std::move(json_text);
  return r;
}

Response Response::html(int status, std::string html) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "text/html; charset=utf-8");
  r.body = std::move(html);
  return r;
}

Response Response::text(int status, std::string text) {
  Response r;
  r.status = status;
  r.headers.add("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(text);
  return r;
}

Response Response::redirect303(std::string location) {
  Response r;
  r.status = 303;
  r.headers.add("Location", std::move(location));
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response& Response::noStore() {
  headers.set("Cache-Control", "no-store");
  headers.set("Pragma", "no-cache");
  return *this;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 425:
      return "Too Early";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string resolveInteractionId(std::optional<std::string_view> from_request) {
  if (from_request && isUuid(*from_request)) return std::string(*from_request);
  // A UUID v4 per response. RAND_bytes is asked for 32 at a time per thread: the same CSPRNG
  // output, without its per-call locking and fork check (a getpid system call) on every request.
  constexpr std::size_t kPerRefill = 32;
  thread_local Bytes pool;
  thread_local std::size_t used = kPerRefill;
  if (used == kPerRefill) {
    pool = randomBytes(16 * kPerRefill);
    used = 0;
  }
  std::uint8_t b[16];
  std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(16 * used), 16, b);
  std::fill_n(pool.begin() + static_cast<std::ptrdiff_t>(16 * used), 16, std::uint8_t{0});
  ++used;
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0FU) | 0x40U);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3FU) | 0x80U);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  std::size_t o = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (o == 8 || o == 13 || o == 18 || o == 23) ++o;
    out[o++] = kHex[b[i] >> 4U];
    out[o++] = kHex[b[i] & 0x0FU];
  }
  return out;
}

void applySecurityHeaders(Response& response, const SecurityHeaders& config,
                          bool secure_transport) {
  Headers& h = response.headers;
  if (config.hsts && secure_transport) h.setDefault("Strict-Transport-Security", config.hsts_value);
  if (config.no_store) h.setDefault("Cache-Control", "no-store");
  if (config.frame_ancestors_none) {
    h.setDefault("Content-Security-Policy", "frame-ancestors 'none'");
    h.setDefault("X-Frame-Options", "DENY");
  }
  if (config.nosniff) h.setDefault("X-Content-Type-Options", "nosniff");
  if (config.no_referrer) h.setDefault("Referrer-Policy", "no-referrer");
}

}  // namespace gridgate::net
