// FAPI-CHECKLIST 12: a client can never obtain a client_id equal to or resembling a user's `sub`.
// Both sides are constrained so that the two namespaces cannot meet:
//
//   - a client_id is an absolute https URL (the application URL of the trust framework), checked
//     when the configuration is loaded;
//   - a user `sub` is a short token of unreserved characters (letters, digits, '-', '.', '_', '~'),
//     so it can never be a URL, and it may not equal (ignoring case) a registered client_id, its
//     host, or the last segment of its path. Check it when a user is created (`gridgate users
//     add`, the interaction side) and, for existing users, when the server starts.
//
//   GG_TRY(authz::checkClientId(client_id));
//   GG_TRY(authz::checkUserSubject(new_sub, &config->clients));   // before users().create()
#pragma once

#include <string_view>

#include "core/result.h"

namespace gridgate::authz {

class ClientRegistry;

// kInvalidArgument unless `client_id` is an absolute https URL with a host and no userinfo, query,
// fragment or whitespace, at most 512 characters.
[[nodiscard]] Status checkClientId(std::string_view client_id);

// kInvalidArgument if `subject` is empty, longer than 128 characters, contains anything but
// [A-Za-z0-9-._~], or resembles a client_id of `clients` (when given): equal to one ignoring case,
// or to its host or last path segment.
[[nodiscard]] Status checkUserSubject(std::string_view subject,
                                      const ClientRegistry* clients = nullptr);

}  // namespace gridgate::authz
