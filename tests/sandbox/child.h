// Test support for tests/sandbox: the real gridgate binary as a child process (log file, exit
// code, readiness line with a deadline), free ports, and readers of what the sandbox printed.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "support.h"

namespace gridgate::sandbox_test {

using namespace std::chrono_literals;
using net::test::readFileText;

inline const std::string kGridgate = std::string(GRIDGATE_BINARY_DIR) + "/src/cli/gridgate";

// A gridgate child process with stdout and stderr in a log file; SIGKILLed by the destructor if
// still running (a failing test leaves nothing behind).
class Gridgate {
 public:
  // `gridgate ARGS` with `env` ("NAME=value") added to the environment.
  Gridgate(const std::vector<std::string>& args, std::string log_file,
           const std::vector<std::string>& env = {})
      : log_file_(std::move(log_file)) {
    std::vector<std::string> argv = {kGridgate};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      for (const std::string& e : env) {
        const std::size_t eq = e.find('=');
        ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
      }
      const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
  }
  ~Gridgate() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  std::string log() const { return readFileText(log_file_); }

  // Waits (real time, bounded) for a line starting with `ready`; false if the process exited
  // first.
  bool waitReady(std::chrono::milliseconds timeout = 30s,
                 const std::string& ready = "gridgate sandbox: ready\n") {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (log().find(ready) != std::string::npos) return true;
      if (exited(0ms)) return false;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // The exit code once the process ended within `timeout`, else nullopt.
  std::optional<int> exited(std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
  }

  std::optional<int> terminate(std::chrono::milliseconds timeout = 20s) {
    ::kill(pid_, SIGTERM);
    return exited(timeout);
  }

 private:
  std::string log_file_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// `gridgate sandbox ARGS`.
class Sandbox : public Gridgate {
 public:
  Sandbox(const std::vector<std::string>& args, std::string log_file)
      : Gridgate(withCommand(args), std::move(log_file)) {}

 private:
  static std::vector<std::string> withCommand(const std::vector<std::string>& args) {
    std::vector<std::string> out = {"sandbox"};
    out.insert(out.end(), args.begin(), args.end());
    return out;
  }
};

inline bool portFree(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

inline std::string portsArg(const std::vector<std::uint16_t>& p) {
  return std::to_string(p[0]) + "," + std::to_string(p[1]) + "," + std::to_string(p[2]) + "," +
         std::to_string(p[3]);
}

// The line after `marker` in `text`, without its indentation.
inline std::string lineAfter(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = text.find('\n', at) + 1;
  const std::size_t end = text.find('\n', start);
  std::string line = text.substr(start, end - start);
  line.erase(0, line.find_first_not_of(' '));
  return line;
}

// "alice <password>" lines of the users file.
inline std::string passwordOf(const std::string& users_file, const std::string& user) {
  const std::string text = readFileText(users_file);
  const std::size_t at = text.find(user + " ");
  if (at == std::string::npos) return {};
  const std::size_t end = text.find('\n', at);
  return text.substr(at + user.size() + 1, end - at - user.size() - 1);
}

inline const Json* stepOf(const Json& flow, const std::string& name) {
  for (const Json& s : flow["steps"]) {
    if (s.value("name", "") == name) return &s;
  }
  return nullptr;
}

}  // namespace gridgate::sandbox_test
