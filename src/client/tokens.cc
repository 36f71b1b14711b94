#include "client/tokens.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/random.h"
#include "net/http.h"

namespace gridgate::client {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxTokenFile = 256 * 1024;

Status optionalString(const Json& j, std::string_view key, std::string& out) {
  if (const Json* v = jsonMember(j, key)) {
    if (!v->is_string()) return fail(Errc::kMalformed, std::string(key) + " is not a string");
    out = v->get<std::string>();
  }
  return ok();
}

std::string errnoText(std::string_view what, const fs::path& p) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

// RAII file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

Status writeAll(int fd, std::string_view data, const fs::path& p) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::kIo, errnoText("write", p));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

Result<StoredTokens> loadUnlocked(const fs::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return fail(Errc::kNotFound, "no token file " + path.string());
    return fail(Errc::kIo, errnoText("open", path));
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::kIo, errnoText("read", path));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxTokenFile) return fail(Errc::kLimitExceeded, "token file too large");
  }
  auto j = parseJsonObject(text);
  if (!j) return fail(Errc::kMalformed, path.string() + " is not a token file (JSON)");
  return StoredTokens::fromJson(*j);
}

}  // namespace

Result<TokenResponse> TokenResponse::parse(std::string_view body, std::int64_t received_at) {
  auto j = parseJsonObject(body, JsonLimits{.max_bytes = 256 * 1024, .max_depth = 16});
  if (!j) return fail(Errc::kMalformed, "token response is not a JSON object");
  TokenResponse t;
  GG_TRY(optionalString(*j, "access_token", t.access_token));
  GG_TRY(optionalString(*j, "token_type", t.token_type));
  GG_TRY(optionalString(*j, "refresh_token", t.refresh_token));
  GG_TRY(optionalString(*j, "scope", t.scope));
  GG_TRY(optionalString(*j, "id_token", t.id_token));
  if (t.access_token.empty()) return fail(Errc::kMalformed, "token response without access_token");
  if (t.token_type.empty()) return fail(Errc::kMalformed, "token response without token_type");
  // RFC 6749 7.1 / FAPI-CHECKLIST 92: the type is case-insensitive.
  if (!net::iequals(t.token_type, "Bearer")) {
    return fail(Errc::kUnsupported, "token_type " + t.token_type + " (this client uses Bearer)");
  }
  if (const Json* e = jsonMember(*j, "expires_in")) {
    // A number of seconds; some servers send it as a string of digits.
    std::optional<std::int64_t> v;
    if (e->is_number_integer()) {
      v = e->get<std::int64_t>();
    } else if (e->is_number_float()) {
      v = static_cast<std::int64_t>(e->get<double>());
    } else if (e->is_string()) {
      const std::string s = e->get<std::string>();
      if (!s.empty() && s.size() < 12 && s.find_first_not_of("0123456789") == std::string::npos) {
        v = std::stoll(s);
      }
    }
    if (!v || *v < 0) return fail(Errc::kMalformed, "expires_in is not a number of seconds");
    t.expires_in = *v;
    t.expires_at = received_at + *v;
  }
  t.json = std::move(*j);
  return t;
}

StoredTokens StoredTokens::fromResponse(std::string issuer, std::string client_id,
                                        const TokenResponse& t, std::int64_t now) {
  StoredTokens s;
  s.issuer = std::move(issuer);
  s.client_id = std::move(client_id);
  s.apply(t, now);
  s.refresh_token = t.refresh_token;
  return s;
}

void StoredTokens::apply(const TokenResponse& t, std::int64_t now) {
  access_token = t.access_token;
  token_type = t.token_type;
  expires_at = t.expires_at;
  if (!t.scope.empty()) scope = t.scope;
  if (!t.refresh_token.empty()) refresh_token = t.refresh_token;  // rotated
  if (!t.id_token.empty()) id_token = t.id_token;
  updated_at = now;
}

Json StoredTokens::toJson() const {
  Json j = {{"issuer", issuer},
            {"client_id", client_id},
            {"access_token", access_token},
            {"refresh_token", refresh_token},
            {"id_token", id_token},
            {"scope", scope},
            {"token_type", token_type},
            {"nonce", nonce},
            {"updated_at", updated_at}};
  if (expires_at) j["expires_at"] = *expires_at;
  return j;
}

Result<StoredTokens> StoredTokens::fromJson(const Json& j) {
  if (!j.is_object()) return fail(Errc::kMalformed, "token file is not a JSON object");
  StoredTokens s;
  GG_TRY(optionalString(j, "issuer", s.issuer));
  GG_TRY(optionalString(j, "client_id", s.client_id));
  GG_TRY(optionalString(j, "access_token", s.access_token));
  GG_TRY(optionalString(j, "refresh_token", s.refresh_token));
  GG_TRY(optionalString(j, "id_token", s.id_token));
  GG_TRY(optionalString(j, "scope", s.scope));
  GG_TRY(optionalString(j, "token_type", s.token_type));
  GG_TRY(optionalString(j, "nonce", s.nonce));
  s.expires_at = jsonInt(j, "expires_at");
  s.updated_at = jsonInt(j, "updated_at").value_or(0);
  return s;
}

Result<StoredTokens> loadTokenFile(const fs::path& path) { return loadUnlocked(path); }

Status saveTokenFile(const fs::path& path, const StoredTokens& tokens) {
  return writeFileAtomically(path, dumpJson(tokens.toJson(), 2) + "\n");
}

Status writeFileAtomically(const fs::path& path, std::string_view text) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return fail(Errc::kInvalidArgument, path.string() + " is a symlink: not writing through it");
  }
  fs::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const fs::path tmp = dir / ("." + path.filename().string() + ".tmp-" + randomToken(8));
  {
    const Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return fail(Errc::kIo, errnoText("create", tmp));
    Status st_write = writeAll(fd.get(), text, tmp);
    if (st_write && ::fsync(fd.get()) != 0) st_write = fail(Errc::kIo, errnoText("fsync", tmp));
    if (!st_write) {
      ::unlink(tmp.c_str());
      return st_write;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const Error e{Errc::kIo, errnoText("rename onto", path)};
    ::unlink(tmp.c_str());
    return fail(e);
  }
  // The rename itself must survive a crash: sync the directory entry.
  const Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
  return ok();
}

Result<StoredTokens> updateTokenFile(const fs::path& path,
                                     const std::function<Status(StoredTokens&)>& edit) {
  const fs::path lock_path = path.string() + ".lock";
  const Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) return fail(Errc::kIo, errnoText("open", lock_path));
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return fail(Errc::kIo, errnoText("lock", lock_path));
  }
  StoredTokens tokens;
  if (auto loaded = loadUnlocked(path)) {
    tokens = std::move(*loaded);
  } else if (loaded.error().code != Errc::kNotFound) {
    return fail(loaded.error());
  }
  GG_TRY(edit(tokens));
  GG_TRY(saveTokenFile(path, tokens));
  return tokens;  // the lock is released when `lock` closes
}

}  // namespace gridgate::client
