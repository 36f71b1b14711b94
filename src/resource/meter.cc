#include "resource/meter.h"

namespace gridgate::resource {

namespace {

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view measureName(Measure m) {
  switch (m) {
    case Measure::kImport:
      return "import";
    case Measure::kExport:
      return "export";
  }
  return "import";
}

std::optional<Measure> parseMeasure(std::string_view name) {
  if (name == "import") return Measure::kImport;
  if (name == "export") return Measure::kExport;
  return std::nullopt;
}

Status checkMeterId(std::string_view id) {
  if (id.empty() || id.size() > 64) return fail(Errc::kInvalidArgument, "meter id: 1 to 64 chars");
  for (const char c : id) {
    const bool ok = isUpper(c) || (c >= 'a' && c <= 'z') || isDigit(c) || c == '-' || c == '_';
    if (!ok) return fail(Errc::kInvalidArgument, "meter id: only letters, digits, '-' and '_'");
  }
  return ok();
}

Status checkOutcode(std::string_view o) {
  // Area (1-2 letters), district digit, then an optional digit or letter.
  std::size_t i = 0;
  while (i < o.size() && i < 2 && isUpper(o[i])) ++i;
  const bool shape =
      i >= 1 && i < o.size() && isDigit(o[i]) &&
      (o.size() == i + 1 || (o.size() == i + 2 && (isDigit(o[i + 1]) || isUpper(o[i + 1]))));
  if (!shape) return fail(Errc::kInvalidArgument, "outcode: expected a UK postcode outcode");
  return ok();
}

Status checkAccount(std::string_view account) {
  if (account.empty() || account.size() > 256) {
    return fail(Errc::kInvalidArgument, "account: 1 to 256 characters");
  }
  for (const char c : account) {
    if (c < 0x21 || c > 0x7E) return fail(Errc::kInvalidArgument, "account: printable ASCII only");
  }
  return ok();
}

}  // namespace gridgate::resource
