#include "resource/api_error.h"

#include "core/json.h"

namespace gridgate::resource {

net::Response apiError(int status, std::string_view error, std::string_view description) {
  net::Response r = net::Response::json(
      status, Json{{"error", std::string(error)}, {"error_description", std::string(description)}});
  r.noStore();
  return r;
}

net::Response parameterError(const ParameterError& e) {
  net::Response r = net::Response::json(400, Json{{"error", "invalid_request"},
                                                  {"error_description", e.description},
                                                  {"parameter", e.parameter}});
  r.noStore();
  return r;
}

}  // namespace gridgate::resource
