// The resource API's JSON errors, in one place: {"error": "...", "error_description": "..."} and,
// for a bad request parameter, "parameter": "<name>". Token and certificate refusals come from the
// validator (validator::render, RFC 6750) in the same JSON shape.
//
//   return apiError(404, "not_found", "no such meter");
//   return parameterError(ParameterError{"from", "from is after to"});     // 400
#pragma once

#include <string_view>

#include "net/http.h"
#include "resource/period.h"

namespace gridgate::resource {

// Cache-Control: no-store, like every response of this API.
net::Response apiError(int status, std::string_view error, std::string_view description);
// 400 invalid_request naming the parameter.
net::Response parameterError(const ParameterError& e);

}  // namespace gridgate::resource
