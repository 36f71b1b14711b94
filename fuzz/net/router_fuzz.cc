// The router's path matcher against a fixed route table (and, from the first input line, one more
// pattern that may or may not be valid): never crashes, and a match binds exactly the pattern's
// parameters, each non-empty after decoding only if its raw segment was non-empty.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "net/router.h"

namespace {

gridgate::net::Response ok(const gridgate::net::Request&) {
  return gridgate::net::Response::empty(204);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gridgate::net::Method;
  using gridgate::net::Router;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  const std::string_view extra =
      nl == std::string_view::npos ? std::string_view{} : text.substr(0, nl);
  const std::string_view path = nl == std::string_view::npos ? text : text.substr(nl + 1);

  Router r;
  r.get("/", ok);
  r.get("/datasources", ok);
  r.get("/datasources/{id}", ok);
  r.get("/datasources/{id}/{measure}", ok);
  r.get("/datasources/static/info", ok);
  r.post("/token", ok);
  r.post("/a/{p}", ok);
  r.get("/a/literal", ok);
  try {
    r.add(Method::kPut, extra, gridgate::net::SyncHandler(ok));
  } catch (const std::invalid_argument&) {
  }
  for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kDelete,
                   Method::kOther}) {
    auto match = r.match(m, path);
    switch (match.kind) {
      case Router::Match::Kind::kFound:
        if (match.route == nullptr) std::abort();
        if (match.params.size() != match.route->param_names.size()) std::abort();
        for (const auto& name : match.route->param_names) {
          if (match.params.get(name) == nullptr || match.params.get(name)->empty()) std::abort();
        }
        break;
      case Router::Match::Kind::kMethodNotAllowed:
        if (match.allow.empty()) std::abort();
        break;
      case Router::Match::Kind::kNotFound:
      case Router::Match::Kind::kBadPath:
        if (match.route != nullptr) std::abort();
        break;
    }
  }
  return 0;
}
