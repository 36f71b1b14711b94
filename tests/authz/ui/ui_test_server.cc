// The server the browser test (tests/e2e/authz_ui.mjs) drives: ui_server.h with one user,
// printing its URLs as one JSON line on stdout, running until stdin closes (the test's end).
//
//   {"public":"https://127.0.0.1:41234","client":"https://127.0.0.1:41235",
//    "admin":"http://127.0.0.1:41236","username":"alice","password":"..."}
//
// Admin listener extras for the test: POST /test/par (scope, state) pushes a request and returns
// its authorize_url; GET /test/last-evidence returns the evidence URL of the last grant.
#include <iostream>
#include <string>

#include "core/json.h"
#include "ui_server.h"

int main() {
  using namespace gridgate;
  authz::test::UiServer server;
  const std::string password = "correct horse battery staple";
  server.addUser("alice", password, "Alice Example");
  std::cout << dumpJson(Json{{"public", server.publicBase()},
                             {"client", server.clientBase()},
                             {"admin", server.adminBase()},
                             {"username", "alice"},
                             {"password", password}})
            << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
