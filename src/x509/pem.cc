#include "x509/pem.h"

#include "core/base64.h"

namespace gridgate::x509 {
namespace {

constexpr std::string_view kBeginMarker = "-----BEGIN ";
constexpr std::string_view kEndMarker = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr std::size_t kMaxLabel = 64;

bool isPemSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 7468 labels: printable ASCII without '-', single spaces inside ("X509 CRL").
bool validLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (label.front() == ' ' || label.back() == ' ') return false;
  char prev = 0;
  for (const char c : label) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
    if (!ok || (c == ' ' && prev == ' ')) return false;
    prev = c;
  }
  return true;
}

bool onlySpace(std::string_view text) {
  for (const char c : text) {
    if (!isPemSpace(c)) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<PemBlock>> scanPem(std::string_view text, const PemOptions& options) {
  if (text.size() > options.max_text) return fail(Errc::kLimitExceeded, "PEM text too large");
  std::vector<PemBlock> blocks;
  std::size_t pos = 0;
  while (true) {
    const std::size_t begin = text.find(kBeginMarker, pos);
    const std::string_view outside =
        text.substr(pos, begin == std::string_view::npos ? std::string_view::npos : begin - pos);
    if (outside.find(kEndMarker) != std::string_view::npos) {
      return fail(Errc::kMalformed, "PEM END line without BEGIN");
    }
    if (!options.allow_text_outside && !onlySpace(outside)) {
      return fail(Errc::kMalformed, "text outside PEM blocks");
    }
    if (begin == std::string_view::npos) break;

    const std::size_t label_start = begin + kBeginMarker.size();
    const std::size_t label_end = text.find(kDashes, label_start);
    if (label_end == std::string_view::npos) return fail(Errc::kMalformed, "PEM BEGIN line cut");
    const std::string_view label = text.substr(label_start, label_end - label_start);
    if (!validLabel(label)) return fail(Errc::kMalformed, "bad PEM label");

    const std::size_t body_start = label_end + kDashes.size();
    const std::size_t body_end = text.find(kDashes, body_start);
    if (body_end == std::string_view::npos) return fail(Errc::kMalformed, "PEM END line missing");
    const std::string end_line =
        std::string(kEndMarker) + std::string(label) + std::string(kDashes);
    if (text.substr(body_end, end_line.size()) != end_line) {
      return fail(Errc::kMalformed, "PEM END line does not match BEGIN");
    }
    if (blocks.size() == options.max_blocks) {
      return fail(Errc::kLimitExceeded, "too many PEM blocks");
    }

    const std::string_view body = text.substr(body_start, body_end - body_start);
    std::string compact;
    compact.reserve(body.size());
    for (const char c : body) {
      if (!isPemSpace(c)) compact.push_back(c);
    }
    if (compact.empty()) return fail(Errc::kMalformed, "empty PEM block");
    if (compact.size() / 4 * 3 > options.max_der + 3) {
      return fail(Errc::kLimitExceeded, "PEM block too large");
    }
    auto der = base64Decode(compact, Padding::kRequired);
    if (!der) return fail(Errc::kMalformed, "PEM body is not base64: " + der.error().detail);
    if (der->size() > options.max_der) return fail(Errc::kLimitExceeded, "PEM block too large");
    blocks.push_back(PemBlock{std::string(label), std::move(*der)});
    pos = body_end + end_line.size();
  }
  if (blocks.empty()) return fail(Errc::kMalformed, "no PEM block");
  return blocks;
}

std::string encodePem(std::string_view label, ByteView der) {
  const std::string b64 = base64Encode(der);
  std::string out;
  out.reserve(b64.size() + b64.size() / 64 + 2 * label.size() + 40);
  out += "-----BEGIN ";
  out += label;
  out += "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out += '\n';
  }
  out += "-----END ";
  out += label;
  out += "-----\n";
  return out;
}

}  // namespace gridgate::x509
