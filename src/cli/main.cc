// gridgate: one binary for every component (DESIGN.md, Components).
#include <cstdio>
#include <map>
#include <memory>

#include "cli/command.h"

namespace gridgate::cli {
namespace {

std::map<std::string, Registrar>& registry() {
  static std::map<std::string, Registrar> r;
  return r;
}

int& exitCodeRef() {
  static int code = 0;
  return code;
}

}  // namespace

Registration::Registration(std::string name, Registrar registrar) {
  registry().emplace(std::move(name), std::move(registrar));
}

void setExitCode(int code) { exitCodeRef() = code; }
int exitCode() { return exitCodeRef(); }

}  // namespace gridgate::cli

int main(int argc, char** argv) {
  CLI::App app{"gridgate: a FAPI 2.0 security stack for energy data providers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gridgate 0.1.0");
  for (auto& [name, registrar] : gridgate::cli::registry()) registrar(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return gridgate::cli::exitCode();
}
