// Record parsing and verification on arbitrary input: never crashes, never throws, stays within its
// bounds; the seeds include valid records (fuzz/provenance/corpus/record), so the whole
// verification path (chain at signing time, signatures, nested records, origins) is exercised, with
// the signing root of tests/testdata/provenance/pki.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "provenance/record.h"
#include "provenance/verifier.h"

namespace {

const gridgate::provenance::Verifier& verifier() {
  static const gridgate::provenance::Verifier v = [] {
    std::ifstream in(GRIDGATE_PROVENANCE_ROOT, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto made = gridgate::provenance::Verifier::fromPem(ss.str());
    if (!made) std::abort();
    return *made;
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = gridgate::provenance::Record::parse(text);
  if (!record) return 0;
  // What parses serialises and parses back to the same record.
  auto again = gridgate::provenance::Record::parse(record->serialize());
  if (!again || again->serialize() != record->serialize()) std::abort();
  auto verified = verifier().verify(*record);
  if (verified) {
    if (verified->origins != record->origins()) std::abort();
    (void)verified->toReferenceJson();
  }
  return 0;
}
