// Files of the dev trust framework: bounded reads, and writes that never leave a half-written file.
//
//   GG_TRY(std::string pem, readFile(path));                       // kIo with the path on failure
//   GG_TRY(writeFileAtomic(dir / "client-ca-key.pem", pem, FileMode::kSecret, Overwrite::kNo));
//
// A write goes to a temporary file in the same directory (created 0600 or 0644, fsync'ed), which
// then takes the final name in one step: renameat2(RENAME_NOREPLACE) (or link(2)) when the name
// must not exist yet, so two writers cannot both win; rename(2) when overwriting is allowed. A
// reader sees the old file or the new one, never a part.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::pki {

enum class FileMode { kPublic, kSecret };  // 0644, 0600
enum class Overwrite { kNo, kYes };
// kNo skips fsync: for throwaway directories (tests), where ~35 fsyncs would cost ~300 ms.
enum class Sync { kYes, kNo };

inline constexpr std::size_t kMaxPkiFile = 1024 * 1024;

[[nodiscard]] Result<std::string> readFile(const std::filesystem::path& path,
                                           std::size_t max_size = kMaxPkiFile);
// kConflict if the file exists and `overwrite` is kNo.
[[nodiscard]] Status writeFileAtomic(const std::filesystem::path& path, std::string_view content,
                                     FileMode mode, Overwrite overwrite, Sync sync = Sync::kYes);

}  // namespace gridgate::pki
