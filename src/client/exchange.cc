#include "client/exchange.h"

#include "core/log.h"
#include "net/form.h"

namespace gridgate::client {
namespace {

std::vector<std::pair<std::string, std::string>> headerList(const net::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : headers) {
    out.emplace_back(f.name, isSecretHeader(f.name) ? redact(f.value) : f.value);
  }
  return out;
}

std::string redactForm(const std::string& body, const std::vector<std::string>& secret_fields) {
  if (secret_fields.empty()) return body;
  auto form = net::parseForm(body);
  if (!form) return redact(body);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : form->pairs()) {
    bool secret = false;
    for (const std::string& s : secret_fields) secret = secret || s == k;
    pairs.emplace_back(k, secret ? redact(v) : v);
  }
  return net::encodeForm(pairs);
}

}  // namespace

bool isSecretHeader(std::string_view name) {
  return net::iequals(name, "authorization") || net::iequals(name, "cookie") ||
         net::iequals(name, "set-cookie") || net::iequals(name, "proxy-authorization");
}

Exchange recordExchange(const net::ClientRequest& request,
                        const Result<net::ClientResponse>& response, std::int64_t duration_ms,
                        const std::vector<std::string>& secret_fields) {
  Exchange x;
  x.method = std::string(net::methodName(request.method));
  x.url = request.url;
  x.request_headers = headerList(request.headers);
  x.request_body = redactForm(request.body, secret_fields);
  x.duration_ms = duration_ms;
  if (response) {
    x.status = response->status;
    x.response_headers = headerList(response->headers);
    x.response_body = response->body;
  } else {
    x.error = std::string(errcName(response.error().code)) + ": " + response.error().detail;
  }
  return x;
}

Json Exchange::toJson() const {
  const auto headers = [](const std::vector<std::pair<std::string, std::string>>& h) {
    Json arr = Json::array();
    for (const auto& [k, v] : h) arr.push_back(Json::array({k, v}));
    return arr;
  };
  Json j = {{"request",
             {{"method", method},
              {"url", url},
              {"headers", headers(request_headers)},
              {"body", request_body}}},
            {"duration_ms", duration_ms}};
  if (status != 0) {
    j["response"] = {
        {"status", status}, {"headers", headers(response_headers)}, {"body", response_body}};
  } else {
    j["error"] = error;
  }
  return j;
}

}  // namespace gridgate::client
