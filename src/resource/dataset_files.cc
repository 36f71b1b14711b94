#include "resource/dataset_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "core/base64.h"
#include "core/log.h"
#include "crypto/ossl.h"
#include "resource/api_error.h"

namespace gridgate::resource {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Closes a file descriptor on every path out of a scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string contentTypeFor(const DatasetFile& f) {
  if (!f.content_type.empty()) return f.content_type;
  const std::string_view n = f.name;
  if (n.ends_with(".csv")) return "text/csv; charset=utf-8";
  if (n.ends_with(".json")) return "application/json";
  if (n.ends_with(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool parseU64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Reads exactly `length` bytes at `offset` (pread; the file may not shrink meanwhile).
Status readAt(int fd, std::uint64_t offset, std::size_t length, std::string& out) {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::kIo, std::strerror(errno));
    if (n == 0) return fail(Errc::kIo, "file shrank while being read");
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

// ETag list matching (RFC 9110 13.1.2, weak comparison for If-None-Match).
bool etagListMatches(std::string_view list, std::string_view etag) {
  std::size_t pos = 0;
  while (pos < list.size()) {
    std::size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

RangeRequest parseRange(std::string_view header, std::uint64_t size) {
  RangeRequest none;
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() <= kUnit.size() || header.substr(0, kUnit.size()) != kUnit) return none;
  std::string_view spec = header.substr(kUnit.size());
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  if (spec.find(',') != std::string_view::npos) return none;  // several ranges: ignored
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return none;
  const std::string_view a = spec.substr(0, dash);
  const std::string_view b = spec.substr(dash + 1);
  RangeRequest r;
  if (a.empty()) {  // suffix: the last N bytes
    std::uint64_t n = 0;
    if (!parseU64(b, n)) return none;
    if (n == 0 || size == 0) return {RangeKind::kUnsatisfiable, {}};
    r.range.first = n >= size ? 0 : size - n;
    r.range.last = size - 1;
    r.kind = RangeKind::kSatisfiable;
    return r;
  }
  std::uint64_t first = 0;
  if (!parseU64(a, first)) return none;
  std::uint64_t last = 0;
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!parseU64(b, last) || last < first) {
    return none;  // syntactically invalid (RFC 9110: ignore)
  }
  if (first >= size) return {RangeKind::kUnsatisfiable, {}};
  r.range.first = first;
  r.range.last = last >= size ? size - 1 : last;
  r.kind = RangeKind::kSatisfiable;
  return r;
}

Status checkDatasetName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') {
    return fail(Errc::kInvalidArgument, "dataset name: 1 to 128 characters, not starting with '.'");
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return fail(Errc::kInvalidArgument, "dataset name: only [A-Za-z0-9._-]");
  }
  return ok();
}

Result<FileStore> FileStore::open(const std::filesystem::path& dir, std::vector<DatasetFile> files,
                                  std::size_t max_body_bytes) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return fail(Errc::kIo, "datasets directory " + dir.string() + ": " + std::strerror(errno));
  FileStore store(dfd, {}, max_body_bytes);
  for (DatasetFile& f : files) {
    GG_TRY(checkDatasetName(f.name));
    if (f.scope.empty()) return fail(Errc::kInvalidArgument, "dataset " + f.name + ": no scope");
    if (store.find(f.name) != nullptr) {
      return fail(Errc::kConflict, "dataset " + f.name + " listed twice");
    }
    struct stat st {};
    if (::fstatat(dfd, f.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
      return fail(Errc::kIo, "dataset " + f.name + ": not a regular file in " + dir.string());
    }
    store.files_.push_back(std::move(f));
  }
  return store;
}

FileStore::FileStore(FileStore&& other) noexcept
    : dir_fd_(std::exchange(other.dir_fd_, -1)),
      files_(std::move(other.files_)),
      max_body_bytes_(other.max_body_bytes_),
      etags_(std::move(other.etags_)) {}

FileStore::~FileStore() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

const DatasetFile* FileStore::find(std::string_view name) const {
  for (const DatasetFile& f : files_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<std::string> FileStore::etagFor(int fd, const std::string& name, const Version& v) const {
  {
    std::lock_guard lock(mu_);
    const auto it = etags_.find(name);
    if (it != etags_.end() && it->second.first == v) return it->second.second;
  }
  crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return fail(Errc::kCrypto, "sha256 init");
  }
  std::string chunk;
  const auto size = static_cast<std::uint64_t>(v.size);
  for (std::uint64_t off = 0; off < size; off += kChunk) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - off));
    GG_TRY(readAt(fd, off, n, chunk));
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), chunk.size()) != 1) {
      return fail(Errc::kCrypto, "sha256 update");
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1) return fail(Errc::kCrypto, "sha256 final");
  std::string etag = "\"" + base64urlEncode(ByteView(md, md_len)) + "\"";
  std::lock_guard lock(mu_);
  etags_[name] = {v, etag};
  return etag;
}

net::Response FileStore::serve(const net::Request& request, const DatasetFile& file) const {
  const int raw = ::openat(dir_fd_, file.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    log::warn("dataset {}: cannot open: {}", file.name, std::strerror(errno));
    return apiError(404, "not_found", "no such dataset");
  }
  const Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    log::warn("dataset {}: not a regular file", file.name);
    return apiError(404, "not_found", "no such dataset");
  }
  const Version v{
      st.st_dev, st.st_ino, st.st_size,
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  auto etag = etagFor(fd.get(), file.name, v);
  if (!etag) {
    log::error("dataset {}: {}", file.name, etag.error().detail);
    return apiError(500, "server_error", "the dataset cannot be read");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);

  net::Response r;
  r.headers.set("ETag", *etag);
  r.headers.set("Accept-Ranges", "bytes");
  r.noStore();
  if (const auto inm = request.headers.get("if-none-match"); inm && etagListMatches(*inm, *etag)) {
    r.status = 304;
    return r;
  }
  RangeRequest range;
  if (const auto h = request.headers.get("range"); h && request.headers.count("range") == 1) {
    range = parseRange(*h, size);
    // If-Range: the range only applies to the version the client already has part of.
    if (const auto ir = request.headers.get("if-range"); ir && *ir != *etag) range = {};
  }
  if (range.kind == RangeKind::kUnsatisfiable) {
    net::Response u = apiError(416, "range_not_satisfiable", "the range is outside the file");
    u.headers.set("Content-Range", "bytes */" + std::to_string(size));
    u.headers.set("ETag", *etag);
    u.headers.set("Accept-Ranges", "bytes");
    return u;
  }
  const ByteRange span =
      range.kind == RangeKind::kSatisfiable ? range.range : ByteRange{0, size == 0 ? 0 : size - 1};
  const std::uint64_t length = size == 0 ? 0 : span.length();
  if (length > max_body_bytes_) {
    log::warn("dataset {}: {} bytes asked in one response, limit {}", file.name, length,
              max_body_bytes_);
    net::Response big = apiError(500, "server_error",
                                 "the dataset is too large for one response: ask for byte ranges");
    big.headers.set("Accept-Ranges", "bytes");
    return big;
  }
  if (auto st2 = readAt(fd.get(), span.first, static_cast<std::size_t>(length), r.body); !st2) {
    log::error("dataset {}: {}", file.name, st2.error().detail);
    return apiError(500, "server_error", "the dataset cannot be read");
  }
  r.headers.set("Content-Type", contentTypeFor(file));
  if (range.kind == RangeKind::kSatisfiable) {
    r.status = 206;
    r.headers.set("Content-Range", "bytes " + std::to_string(span.first) + "-" +
                                       std::to_string(span.last) + "/" + std::to_string(size));
  } else {
    r.status = 200;
  }
  return r;
}

}  // namespace gridgate::resource
