// Users of the built-in login page: created by `gridgate users add`, stored in the Store with an
// Argon2id hash of their password.
//
//   GG_TRY(store::User u, createUser(db->users(), {.username = "alice", .password = pw,
//                                                   .display_name = "Alice"}, params, clock));
//   log::info("created {} with subject {}", u.username, u.subject);
//
// The subject (`sub`) is generated: "user-" and 22 random base64url characters. It is a short
// token of unreserved characters, so it can never equal or resemble a client_id, which is an https
// URL (FAPI-CHECKLIST 12).
#pragma once

#include <string>
#include <string_view>

#include "authz/ui/password.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace gridgate::authz::ui {

struct NewUser {
  std::string username;
  std::string password;
  std::string display_name;  // empty: the username
};

// kInvalidArgument unless 1..64 bytes of letters, digits and . _ - @ + (an email address works).
[[nodiscard]] Status checkUsername(std::string_view username);

// "user-" + 128 random bits.
std::string newSubject();

// True for a subject that cannot be mistaken for a client_id: 1..128 characters of
// [A-Za-z0-9-._~] (no ':' or '/', so never a URL). Subjects that an external login service
// asserts are checked with it too.
bool isSafeSubject(std::string_view subject);

// Validates, hashes and stores. kInvalidArgument (username or password rules), kConflict (the
// username exists), kUnavailable (store).
[[nodiscard]] Result<store::User> createUser(store::UserStore& users, const NewUser& user,
                                             const PasswordParams& params, const Clock& clock);

}  // namespace gridgate::authz::ui
