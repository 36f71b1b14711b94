// gridgate users add|list|remove: the people who sign in on the built-in login page.
//
//   gridgate users add alice --db state/gridgate.db --display-name "Alice Example"   # prompts
//   printf '%s\n' "$PW" | gridgate users add bob --db state/gridgate.db --password-stdin
//   gridgate users list --db state/gridgate.db            # username, subject, name, created
//   gridgate users remove alice --db state/gridgate.db
//
// The password is read from the terminal without echo (twice, to catch typos) or, with
// --password-stdin, from the first line of standard input; it is never printed or logged. The
// store keeps its Argon2id hash; the subject is generated ("user-" + 128 random bits), so it can
// never equal or resemble a client_id (FAPI-CHECKLIST 12).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "cli/command.h"
#include "core/clock.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::cli {
namespace {

struct UsersOptions {
  std::string db;
  std::string username;
  std::string display_name;
  bool password_stdin = false;
  std::uint32_t time_cost = authz::ui::PasswordParams{}.time_cost;
  std::uint32_t memory_kib = authz::ui::PasswordParams{}.memory_kib;
};

Result<std::shared_ptr<store::Store>> openStore(const std::string& path) {
  if (path.empty()) return fail(Errc::kInvalidArgument, "--db is required");
  return store::openSqlite({.path = path});
}

// One line from the terminal with echo off; restores the terminal whatever happens.
Result<std::string> promptHidden(const char* prompt) {
  if (isatty(STDIN_FILENO) == 0) {
    return fail(Errc::kInvalidArgument,
                "standard input is not a terminal: use --password-stdin to pipe a password");
  }
  std::fputs(prompt, stderr);
  std::fflush(stderr);
  termios old_attr{};
  if (tcgetattr(STDIN_FILENO, &old_attr) != 0) return fail(Errc::kIo, "cannot read terminal");
  termios quiet = old_attr;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) return fail(Errc::kIo, "no echo-off");
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_attr);
  std::fputs("\n", stderr);
  if (!got) return fail(Errc::kIo, "no password entered");
  return line;
}

Result<std::string> readPassword(const UsersOptions& o) {
  if (o.password_stdin) {
    std::string line;
    if (!std::getline(std::cin, line)) return fail(Errc::kIo, "no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  GG_TRY(std::string first, promptHidden("Password: "));
  GG_TRY(std::string second, promptHidden("Repeat password: "));
  if (first != second) return fail(Errc::kInvalidArgument, "the passwords do not match");
  return first;
}

int runAdd(const UsersOptions& o) {
  auto db = openStore(o.db);
  if (!db) {
    std::cerr << "users add: " << db.error().detail << "\n";
    return 1;
  }
  if (auto st = authz::ui::checkUsername(o.username); !st) {
    std::cerr << "users add: " << st.error().detail << "\n";
    return 2;
  }
  auto password = readPassword(o);
  if (!password) {
    std::cerr << "users add: " << password.error().detail << "\n";
    return 2;
  }
  authz::ui::PasswordParams params{.time_cost = o.time_cost, .memory_kib = o.memory_kib};
  auto user = authz::ui::createUser(
      (*db)->users(),
      {.username = o.username, .password = *password, .display_name = o.display_name}, params,
      SystemClock::instance());
  if (!user) {
    std::cerr << "users add: "
              << (user.error().code == Errc::kConflict ? "a user with this name exists"
                                                       : user.error().detail)
              << "\n";
    return user.error().code == Errc::kInvalidArgument ? 2 : 1;
  }
  std::cout << "added " << user->username << " (subject " << user->subject << ")\n";
  return 0;
}

int runList(const UsersOptions& o) {
  auto db = openStore(o.db);
  if (!db) {
    std::cerr << "users list: " << db.error().detail << "\n";
    return 1;
  }
  auto users = (*db)->users().list();
  if (!users) {
    std::cerr << "users list: " << users.error().detail << "\n";
    return 1;
  }
  for (const store::User& u : *users) {
    std::cout << u.username << "\t" << u.subject << "\t" << u.display_name << "\t"
              << formatUtc(u.created_at) << "\n";
  }
  return 0;
}

int runRemove(const UsersOptions& o) {
  auto db = openStore(o.db);
  if (!db) {
    std::cerr << "users remove: " << db.error().detail << "\n";
    return 1;
  }
  if (auto st = (*db)->users().remove(o.username); !st) {
    std::cerr << "users remove: "
              << (st.error().code == Errc::kNotFound ? "no such user" : st.error().detail) << "\n";
    return 1;
  }
  std::cout << "removed " << o.username << "\n";
  return 0;
}

const Registration kUsers("users", [](CLI::App& app) {
  auto* users = app.add_subcommand("users", "people who sign in on the built-in login page");
  users->require_subcommand(1);

  auto add_args = std::make_shared<UsersOptions>();
  auto* add = users->add_subcommand("add", "add a user (password prompted without echo)");
  add->add_option("username", add_args->username, "what the user types to sign in")->required();
  add->add_option("--db", add_args->db, "SQLite database file")->required();
  add->add_option("--display-name", add_args->display_name, "name shown on the consent page");
  add->add_flag("--password-stdin", add_args->password_stdin,
                "read the password from the first line of standard input");
  add->add_option("--argon2-time-cost", add_args->time_cost, "Argon2id iterations (default 2)");
  add->add_option("--argon2-memory-kib", add_args->memory_kib,
                  "Argon2id memory in KiB (default 19456)");
  add->callback([add_args] { setExitCode(runAdd(*add_args)); });

  auto list_args = std::make_shared<UsersOptions>();
  auto* list = users->add_subcommand("list", "list users: username, subject, name, created");
  list->add_option("--db", list_args->db, "SQLite database file")->required();
  list->callback([list_args] { setExitCode(runList(*list_args)); });

  auto remove_args = std::make_shared<UsersOptions>();
  auto* remove = users->add_subcommand("remove", "remove a user");
  remove->add_option("username", remove_args->username, "the user to remove")->required();
  remove->add_option("--db", remove_args->db, "SQLite database file")->required();
  remove->callback([remove_args] { setExitCode(runRemove(*remove_args)); });
});

}  // namespace
}  // namespace gridgate::cli
