#include "resource/series.h"

#include <algorithm>
#include <cstring>

#include "crypto/digest.h"

namespace gridgate::resource {

namespace {

constexpr std::string_view kMagic = "GGMD";
constexpr std::uint8_t kVersion = 1;
constexpr std::uint8_t kFlagExport = 1;
constexpr std::size_t kMaxFileBytes =
    64 + 3 * (2 + 256) + 8 + 4 + kMaxSeriesSlots * 8 + crypto::Sha256{}.size();

void putU16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void putU32(Bytes& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
}
void putI64(Bytes& b, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>((u >> (8 * i)) & 0xFF));
}
void putString(Bytes& b, std::string_view s) {
  putU16(b, static_cast<std::uint16_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

// A bounds-checked little-endian reader over the file's bytes.
class Reader {
 public:
  explicit Reader(ByteView data) : d_(data) {}
  bool need(std::size_t n) const { return d_.size() - pos_ >= n; }
  std::size_t remaining() const { return d_.size() - pos_; }
  std::uint64_t le(int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(d_[pos_++]) << (8 * i);
    return v;
  }
  Result<std::string> string() {
    if (!need(2)) return fail(Errc::kMalformed, "series: truncated");
    const auto n = static_cast<std::size_t>(le(2));
    if (!need(n)) return fail(Errc::kMalformed, "series: truncated");
    std::string s(asChars(d_.subspan(pos_, n)));
    pos_ += n;
    return s;
  }
  Status u32s(std::size_t count, std::vector<std::uint32_t>& out) {
    if (remaining() / 4 < count) return fail(Errc::kMalformed, "series: truncated");
    out.resize(count);
    for (auto& v : out) v = static_cast<std::uint32_t>(le(4));
    return ok();
  }

 private:
  ByteView d_;
  std::size_t pos_ = 0;
};

}  // namespace

Status checkSeries(const ImportedSeries& s) {
  GG_TRY(checkMeterId(s.id));
  GG_TRY(checkOutcode(s.outcode));
  if (!s.account.empty()) GG_TRY(checkAccount(s.account));
  // 1970 to 2100: keeps every slot time (and end()) far from overflow.
  if (s.first % kSlotSeconds != 0 || s.first < 0 || s.first > 4102444800) {
    return fail(Errc::kInvalidArgument, "series: first slot not on a half-hour boundary");
  }
  if (s.import.empty()) return fail(Errc::kInvalidArgument, "series: no readings");
  if (s.import.size() > kMaxSeriesSlots) {
    return fail(Errc::kLimitExceeded, "series: more than 20 years of readings");
  }
  if (s.has_export != !s.exports.empty() || (s.has_export && s.exports.size() != s.import.size())) {
    return fail(Errc::kInvalidArgument, "series: export readings do not match import readings");
  }
  const auto bad = [](std::uint32_t v) { return v != kMissingWh && v > kMaxSlotWh; };
  if (std::any_of(s.import.begin(), s.import.end(), bad) ||
      std::any_of(s.exports.begin(), s.exports.end(), bad)) {
    return fail(Errc::kInvalidArgument, "series: a reading above 100000 Wh per half hour");
  }
  return ok();
}

Bytes encodeSeries(const ImportedSeries& s) {
  Bytes b;
  b.reserve(64 + s.id.size() + s.outcode.size() + s.account.size() +
            (s.import.size() + s.exports.size()) * 4);
  // Byte by byte, not vector::insert: GCC 12 -O3 reports a false -Wstringop-overflow on that.
  for (const char c : kMagic) b.push_back(static_cast<std::uint8_t>(c));
  b.push_back(kVersion);
  b.push_back(s.has_export ? kFlagExport : 0);
  putU16(b, 0);
  putString(b, s.id);
  putString(b, s.outcode);
  putString(b, s.account);
  putI64(b, s.first);
  putU32(b, static_cast<std::uint32_t>(s.import.size()));
  for (const std::uint32_t v : s.import) putU32(b, v);
  for (const std::uint32_t v : s.exports) putU32(b, v);
  const crypto::Sha256 digest = crypto::sha256(ByteView(b));
  b.insert(b.end(), digest.begin(), digest.end());
  return b;
}

Result<ImportedSeries> decodeSeries(ByteView data) {
  const std::size_t digest_size = crypto::Sha256{}.size();
  if (data.size() < kMagic.size() + 4 + digest_size || data.size() > kMaxFileBytes) {
    return fail(Errc::kMalformed, "series: bad size");
  }
  const ByteView body = data.first(data.size() - digest_size);
  const crypto::Sha256 digest = crypto::sha256(body);
  if (std::memcmp(digest.data(), data.data() + body.size(), digest_size) != 0) {
    return fail(Errc::kMalformed, "series: checksum mismatch (truncated or altered file)");
  }
  if (asChars(body.first(kMagic.size())) != kMagic) {
    return fail(Errc::kMalformed, "series: not a gridgate meter data file");
  }
  Reader r(body.subspan(kMagic.size()));
  const auto version = static_cast<std::uint8_t>(r.le(1));
  const auto flags = static_cast<std::uint8_t>(r.le(1));
  const auto reserved = r.le(2);
  if (version != kVersion) return fail(Errc::kUnsupported, "series: unknown version");
  if ((flags & ~kFlagExport) != 0 || reserved != 0) {
    return fail(Errc::kMalformed, "series: unknown flags");
  }
  ImportedSeries s;
  s.has_export = (flags & kFlagExport) != 0;
  GG_TRY(s.id, r.string());
  GG_TRY(s.outcode, r.string());
  GG_TRY(s.account, r.string());
  if (!r.need(12)) return fail(Errc::kMalformed, "series: truncated");
  s.first = static_cast<std::int64_t>(r.le(8));
  const auto count = static_cast<std::size_t>(r.le(4));
  if (count > kMaxSeriesSlots) return fail(Errc::kLimitExceeded, "series: too many slots");
  GG_TRY(r.u32s(count, s.import));
  if (s.has_export) GG_TRY(r.u32s(count, s.exports));
  if (r.remaining() != 0) return fail(Errc::kMalformed, "series: trailing bytes");
  GG_TRY(checkSeries(s));
  return s;
}

std::string seriesFileName(std::string_view id) {
  return std::string(id) + std::string(kSeriesExtension);
}

Status writeSeriesFile(const std::filesystem::path& path, const ImportedSeries& s,
                       pki::Overwrite overwrite) {
  GG_TRY(checkSeries(s));
  const Bytes b = encodeSeries(s);
  return pki::writeFileAtomic(path, asChars(b), pki::FileMode::kPublic, overwrite);
}

Result<ImportedSeries> readSeriesFile(const std::filesystem::path& path) {
  GG_TRY(std::string content, pki::readFile(path, kMaxFileBytes));
  auto s = decodeSeries(asBytes(content));
  if (!s) return fail(s.error().code, path.string() + ": " + s.error().detail);
  return s;
}

void ImportedSource::readings(Measure measure, std::int64_t start, std::int64_t end,
                              std::vector<Reading>& out) const {
  if (measure == Measure::kExport && !s_.has_export) return;
  start = std::max(start, s_.first);
  end = std::min(end, s_.end());
  if (start >= end) return;
  const std::vector<std::uint32_t>& values = measure == Measure::kImport ? s_.import : s_.exports;
  out.reserve(out.size() + static_cast<std::size_t>((end - start) / kSlotSeconds));
  for (std::int64_t t = start; t < end; t += kSlotSeconds) {
    const std::uint32_t v = values[static_cast<std::size_t>((t - s_.first) / kSlotSeconds)];
    out.push_back(v == kMissingWh ? Reading{.from = t, .wh = 0, .missing = true}
                                  : Reading{.from = t, .wh = v, .missing = false});
  }
}

}  // namespace gridgate::resource
