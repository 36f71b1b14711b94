#include "authz/authorize_endpoint.h"

#include "authz/error_page.h"
#include "core/log.h"
#include "net/form.h"

namespace gridgate::authz {

net::Response AuthorizeEndpoint::handle(const net::Request& request) const {
  const auto page = [&](int status, std::string_view title, std::string_view message) {
    return localErrorPage(status, title, message, config_->provider_name);
  };
  auto query =
      net::parseQuery(request.query, net::FormLimits{.max_pairs = 64, .max_bytes = 16 * 1024});
  if (!query) {
    return page(400, "This sign-in link cannot be used", "The link is malformed.");
  }
  if (!query->duplicates().empty()) {
    return page(400, "This sign-in link cannot be used", "The link repeats a parameter.");
  }
  const std::string* client_id = query->get("client_id");
  const std::string* request_uri = query->get("request_uri");
  if (request_uri == nullptr || request_uri->empty()) {
    // FAPI-CHECKLIST 31: every authorization request is pushed first.
    return page(400, "This sign-in link cannot be used",
                "The application that sent you here did not start the request correctly. "
                "Go back to it and try again.");
  }
  if (client_id == nullptr || client_id->empty()) {
    return page(400, "This sign-in link cannot be used", "The link does not name an application.");
  }
  auto pending = flow_.lookup(*client_id, *request_uri);
  if (!pending) {
    const Error& e = pending.error();
    log::info("/authorize refused: {}: {}", errcName(e.code), e.detail);
    switch (e.code) {
      case Errc::kExpired:
        return page(400, "This sign-in link has expired",
                    "Go back to the application and start again.");
      case Errc::kAlreadyUsed:
        return page(400, "This sign-in link has already been used",
                    "Go back to the application and start again.");
      case Errc::kUnavailable:
      case Errc::kTimeout:
      case Errc::kIo: {
        net::Response r = page(503, "Temporarily unavailable", "Please try again in a moment.");
        r.header("Retry-After", "5");
        return r;
      }
      default:
        return page(400, "This sign-in link cannot be used",
                    "The link is not valid. Go back to the application and start again.");
    }
  }
  if (!interaction_) {
    return page(503, "Sign-in is not available", "Please try again later.");
  }
  return interaction_->begin(request, *pending);
}

}  // namespace gridgate::authz
