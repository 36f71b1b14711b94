// The configuration file: one TOML document (toml++), with every key overridable by an environment
// variable and by command-line flags, read by each module through typed, path-aware accessors.
//
//   GG_TRY(config::Document doc, config::Document::loadFile("/etc/gridgate/gridgate.toml"));
//   doc.setOverride("server.log_level", "debug");              // a flag: wins over env and file
//   config::Section authz = doc.section("authz");              // [authz] (may be absent)
//   GG_TRY(std::string issuer, authz.requiredString("issuer"));   // GRIDGATE_AUTHZ_ISSUER wins
//   GG_TRY(Seconds ttl, authz.duration("access_token_lifetime", Seconds(300)));
//   GG_TRY(auto clients, authz.tableArray("clients"));          // [[authz.clients]]
//   ...every module parses its own section in its own file (authz/config.cc, resource/...)...
//   GG_TRY(doc.checkAllRead());                                 // a typo is an error, not ignored
//
// Precedence for a key at dotted path P: a flag override for P, then the environment variable
// GRIDGATE_<P upper-cased, '.' and '-' as '_'> (authz.listeners.public.port ->
// GRIDGATE_AUTHZ_LISTENERS_PUBLIC_PORT; the i-th [[authz.clients]] table is authz.clients.<i>),
// then the file, then the caller's default. Environment values are text: numbers and booleans are
// parsed, lists are comma-separated. Because the environment is consulted per key that a module
// reads, no variable name is ever split ambiguously.
//
// Errors (kInvalidArgument, kMalformed, kIo) name the dotted path and the source of the value,
// never the value itself (it may be a secret). Parsing happens once at start-up; the results are
// plain immutable structs shared as shared_ptr<const T>. A Document is not thread-safe (read
// tracking).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace gridgate::config {

// Looks an environment variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (getenv).
EnvLookup processEnvironment();

// "90", "90s", "5m", "24h", "365d" (a bare number is seconds). Positive or zero, at most 100 years.
[[nodiscard]] Result<Seconds> parseDuration(std::string_view text);

class Section;

struct DocumentOptions {
  EnvLookup env = processEnvironment();
};

class Document {
 public:
  using Options = DocumentOptions;

  // Reads and parses the file; relative paths in it resolve against its directory.
  [[nodiscard]] static Result<Document> loadFile(const std::filesystem::path& file,
                                                 Options options = {});
  // Parses TOML text; relative paths resolve against `base_dir`. `source` names it in errors.
  [[nodiscard]] static Result<Document> parse(std::string_view toml_text, std::string source,
                                              std::filesystem::path base_dir, Options options = {});
  // A document without a file: only overrides, environment and defaults.
  static Document empty(std::filesystem::path base_dir = ".", Options options = {});

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  // A command-line value for dotted path `key` (highest precedence).
  void setOverride(std::string key, std::string value);

  Section root() const;
  // The table at a dotted path ("authz.listeners.public"); absent tables read as empty.
  Section section(std::string_view dotted_path) const;

  const std::filesystem::path& baseDir() const;
  const std::string& source() const;

  // kInvalidArgument naming every key of the file that no module read (a typo, or a section of a
  // module that is not built in).
  [[nodiscard]] Status checkAllRead() const;

 private:
  friend class Section;
  struct Impl;
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A view of one table of the document at a dotted path. Cheap to copy; valid while its Document
// lives. Every accessor marks the key as read.
class Section {
 public:
  const std::string& path() const { return path_; }
  // True if the file has this table (overrides and environment are not considered).
  bool presentInFile() const;
  // The dotted path of `key` in this section ("authz.issuer").
  std::string keyPath(std::string_view key) const;
  // The environment variable that overrides `key`.
  std::string envName(std::string_view key) const;

  // True if `key` has a value from any source.
  bool has(std::string_view key) const;

  [[nodiscard]] Result<std::optional<std::string>> optString(std::string_view key) const;
  [[nodiscard]] Result<std::string> string(std::string_view key, std::string fallback) const;
  [[nodiscard]] Result<std::string> requiredString(std::string_view key) const;
  [[nodiscard]] Result<std::int64_t> integer(std::string_view key, std::int64_t fallback,
                                             std::int64_t min, std::int64_t max) const;
  [[nodiscard]] Result<bool> boolean(std::string_view key, bool fallback) const;
  // A duration as a string ("5m") or an integer (seconds).
  [[nodiscard]] Result<Seconds> duration(std::string_view key, Seconds fallback) const;
  [[nodiscard]] Result<std::vector<std::string>> stringList(
      std::string_view key, std::vector<std::string> fallback = {}) const;
  // A file path; a relative one resolves against the document's directory. Empty when absent.
  [[nodiscard]] Result<std::filesystem::path> filePath(std::string_view key) const;

  // A sub-table ("listeners" of "authz" is "authz.listeners").
  Section child(std::string_view key) const;
  // Names of the sub-tables present in the file, in file order.
  std::vector<std::string> childTables() const;
  // An array of tables ([[authz.clients]]): one Section per element ("authz.clients.0", ...).
  [[nodiscard]] Result<std::vector<Section>> tableArray(std::string_view key) const;

 private:
  friend class Document;
  Section(const Document::Impl* doc, std::string path) : doc_(doc), path_(std::move(path)) {}
  // The raw text value (override, env, or file scalar rendered as text), and where it came from.
  struct Raw;
  [[nodiscard]] Result<std::optional<Raw>> raw(std::string_view key) const;

  const Document::Impl* doc_;
  std::string path_;
};

}  // namespace gridgate::config
