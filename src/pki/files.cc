#include "pki/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace gridgate::pki {
namespace {

Error ioError(std::string_view what, const std::filesystem::path& path, int err) {
  return Error{Errc::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(err)};
}

Status writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::kIo, std::strerror(errno));
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

}  // namespace

Result<std::string> readFile(const std::filesystem::path& path, std::size_t max_size) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return fail(ioError("cannot read", path, ec.value()));
  if (!std::filesystem::is_regular_file(status)) {
    return fail(Errc::kIo, "cannot read " + path.string() + ": not a regular file");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(ioError("cannot read", path, ec.value()));
  if (size > max_size) return fail(Errc::kLimitExceeded, path.string() + " is too large");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ioError("cannot read", path, errno));
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(ioError("cannot read", path, errno));
  if (content.size() > max_size) return fail(Errc::kLimitExceeded, path.string() + " is too large");
  return content;
}

Status writeFileAtomic(const std::filesystem::path& path, std::string_view content, FileMode mode,
                       Overwrite overwrite, Sync sync) {
  std::error_code ec;
  if (overwrite == Overwrite::kNo && std::filesystem::exists(path, ec)) {
    return fail(Errc::kConflict, path.string() + " exists (use --force to replace it)");
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  // Built with append: GCC 12 at -O3 reports a false -Wrestrict for "." + string + "...".
  std::string temp_name = ".";
  temp_name.append(path.filename().string()).append(".tmp-XXXXXX");
  std::string tmpl = (dir / temp_name).string();
  // mkstemp creates the file 0600, so a key is never readable by others, not even briefly.
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return fail(ioError("cannot create a file in", dir, errno));
  const std::filesystem::path tmp = tmpl;
  const auto cleanup = [&](Error e) -> Status {
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(std::move(e));
  };
  if (mode == FileMode::kPublic && ::fchmod(fd, 0644) != 0) {
    return cleanup(ioError("cannot chmod", tmp, errno));
  }
  if (auto st = writeAll(fd, content); !st) {
    return cleanup(Error{Errc::kIo, "cannot write " + tmp.string() + ": " + st.error().detail});
  }
  if (sync == Sync::kYes && ::fsync(fd) != 0) return cleanup(ioError("cannot sync", tmp, errno));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return fail(ioError("cannot close", tmp, errno));
  }
  if (overwrite == Overwrite::kNo) {
    // renameat2(RENAME_NOREPLACE) fails if the name exists, so two writers cannot both win; where
    // the file system does not support it (EINVAL), link(2) gives the same guarantee.
    int rc = ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {
      rc = ::link(tmp.c_str(), path.c_str());
      if (rc == 0) ::unlink(tmp.c_str());
    }
    if (rc != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) {
        return fail(Errc::kConflict, path.string() + " exists (use --force to replace it)");
      }
      return fail(ioError("cannot create", path, err));
    }
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(ioError("cannot replace", path, err));
  }
  return ok();
}

}  // namespace gridgate::pki
