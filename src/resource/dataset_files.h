// GET /datasets/{name}: files served from one directory, each with its own required scope (the
// Open Energy seed's protected CSV file), with ETag, conditional requests and single byte ranges.
//
//   GG_TRY(FileStore files, FileStore::open("/srv/datasets", {{.name = "postcodes.csv",
//                                                              .scope = "https://.../licence"}}));
//   if (const DatasetFile* f = files.find(name)) return files.serve(request, *f);
//
// Only the files listed in the configuration are served, by their plain names ([A-Za-z0-9._-],
// not starting with '.'), opened relative to the directory with O_NOFOLLOW: no path traversal, no
// symbolic links, no other file of the directory.
//
// Responses: 200 (whole file) or 206 (one range, Content-Range), 304 (If-None-Match matched),
// 416 (unsatisfiable range, Content-Range: bytes */size); Accept-Ranges: bytes; a strong ETag,
// the SHA-256 of the content (base64url), computed once per file version (device, inode, size,
// mtime) by reading the file in chunks. A Range with several ranges, or one that does not parse,
// is ignored (RFC 9110 14.2: the whole file is sent); If-Range with another ETag sends the whole
// file.
//
// Bodies: net::Response holds its body in memory (net has no streaming body yet), so a response
// body is at most `max_body_bytes`: a larger file is still served by ranges, and a whole-file
// request for it is answered 500 with a JSON error telling the client to ask for ranges.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/http.h"

namespace gridgate::resource {

struct DatasetFile {
  std::string name{};          // URL segment and file name in the directory
  std::string scope{};         // the scope a token needs to read it
  std::string content_type{};  // empty: by extension (.csv text/csv, .json application/json...)
};

// A single byte range [first, last] of a file of `size` bytes.
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeKind {
  kNone,           // no Range, or one to ignore (multiple ranges, bad syntax, other unit)
  kSatisfiable,    // one range within the file
  kUnsatisfiable,  // starts beyond the end, or a zero-length suffix
};

struct RangeRequest {
  RangeKind kind = RangeKind::kNone;
  ByteRange range{};
};

// RFC 9110 14.1.2 for one range of a file of `size` bytes: "bytes=0-99", "bytes=100-",
// "bytes=-50". A last position beyond the end is cut to the end.
RangeRequest parseRange(std::string_view header, std::uint64_t size);

// A valid dataset name: [A-Za-z0-9._-], 1 to 128 characters, not starting with '.'.
[[nodiscard]] Status checkDatasetName(std::string_view name);

class FileStore {
 public:
  // Opens the directory and checks that every listed file is a regular file in it.
  [[nodiscard]] static Result<FileStore> open(const std::filesystem::path& dir,
                                              std::vector<DatasetFile> files,
                                              std::size_t max_body_bytes = 16 * 1024 * 1024);
  FileStore(FileStore&& other) noexcept;
  FileStore& operator=(FileStore&&) = delete;
  ~FileStore();

  const DatasetFile* find(std::string_view name) const;
  const std::vector<DatasetFile>& files() const { return files_; }

  // GET or HEAD of `file` (blocking file I/O: run it off the I/O thread).
  net::Response serve(const net::Request& request, const DatasetFile& file) const;

 private:
  struct Version {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Version&) const = default;
  };
  FileStore(int dir_fd, std::vector<DatasetFile> files, std::size_t max_body_bytes)
      : dir_fd_(dir_fd), files_(std::move(files)), max_body_bytes_(max_body_bytes) {}
  Result<std::string> etagFor(int fd, const std::string& name, const Version& v) const;

  int dir_fd_ = -1;
  std::vector<DatasetFile> files_{};
  std::size_t max_body_bytes_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::pair<Version, std::string>, std::less<>> etags_;
};

}  // namespace gridgate::resource
