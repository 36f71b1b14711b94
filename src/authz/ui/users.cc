#include "authz/ui/users.h"

#include <algorithm>

#include "core/random.h"

namespace gridgate::authz::ui {

namespace {
bool isUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '@' || c == '+';
}
bool isUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}
}  // namespace

Status checkUsername(std::string_view username) {
  if (username.empty() || username.size() > 64 ||
      !std::all_of(username.begin(), username.end(), isUsernameChar)) {
    return fail(Errc::kInvalidArgument,
                "a username is 1 to 64 letters, digits or . _ - @ + characters");
  }
  return ok();
}

std::string newSubject() { return "user-" + randomToken(16); }

bool isSafeSubject(std::string_view subject) {
  return !subject.empty() && subject.size() <= 128 &&
         std::all_of(subject.begin(), subject.end(), isUnreserved);
}

Result<store::User> createUser(store::UserStore& users, const NewUser& user,
                               const PasswordParams& params, const Clock& clock) {
  GG_TRY(checkUsername(user.username));
  if (user.display_name.size() > 128) {
    return fail(Errc::kInvalidArgument, "the display name is longer than 128 bytes");
  }
  GG_TRY(std::string hash, hashPassword(user.password, params));
  store::User record{
      .username = user.username,
      .subject = newSubject(),
      .password_hash = std::move(hash),
      .display_name = user.display_name.empty() ? user.username : user.display_name,
      .created_at = clock.unixSeconds(),
  };
  GG_TRY(users.create(record));
  return record;
}

}  // namespace gridgate::authz::ui
