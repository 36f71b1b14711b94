// Subcommand registration for the `gridgate` binary.
//
// Each cmd_<name>.cc in src/cli registers its subcommands at static-initialisation time:
//
//   namespace {
//   const gridgate::cli::Registration kPki("pki", [](CLI::App& app) {
//     auto* pki = app.add_subcommand("pki", "dev trust framework");
//     ...
//   });
//   }
//
// main.cc parses the command line and runs the callback the chosen subcommand set; a callback
// reports its exit code with cli::setExitCode(). The cmd_*.cc files are compiled straight into the
// executable (not a library), so the registrations are never dropped by the linker.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace gridgate::cli {

using Registrar = std::function<void(CLI::App&)>;

class Registration {
 public:
  Registration(std::string name, Registrar registrar);
};

// The exit code main() returns after the chosen subcommand ran (default 0).
void setExitCode(int code);
int exitCode();

}  // namespace gridgate::cli
