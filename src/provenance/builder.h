// Building and signing a provenance record: what the resource server does for every data response,
// and what a downstream party does to extend a record it received.
//
//   RecordBuilder b(std::string(kIb1TrustFramework));
//   GG_TRY(std::string permission_id,
//          b.addStep(OrderedJson{{"type", "permission"}, {"scheme", kScheme},
//                                {"timestamp", grant_time},      // optional: else now
//                                {"account", account}, ...}, clock));
//   GG_TRY(std::string origin_id, b.addStep(OrderedJson{{"type", "origin"}, ...}, clock));
//   GG_TRY(b.addStep(OrderedJson{{"type", "transfer"}, {"of", origin_id}, ...}, clock));
//   GG_TRY(Record record, b.sign(signer, clock));
//   response["provenance"] = record.toJson();
//
//   // Downstream: keep a received (and verified) record's steps verbatim as a nested list.
//   RecordBuilder d(received.trustFramework());
//   GG_TRY(d.addRecord(received));
//   GG_TRY(d.addStep(OrderedJson{{"type", "process"}, ...}, clock));
//   GG_TRY(Record extended, d.sign(my_signer, clock));
//
// addStep() assigns `id` (15 random bytes, base64url) and, unless the caller gives one, `timestamp`
// (the clock's now, whole seconds, Z), and writes the step's members as `id`, `timestamp`, `type`,
// then the caller's other members in the caller's order (OrderedJson keeps insertion order; the
// reference library keeps dict insertion order the same way). A caller-set `id` or any top-level
// key starting with `_` is refused. Elements are signed in the order they were added (the
// reference library puts included records before new steps; any order verifies).
// sign() refuses to sign at a time outside the signing certificate's validity, since every
// verifier would refuse the record.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "provenance/container.h"
#include "provenance/record.h"
#include "provenance/signer.h"

namespace gridgate::provenance {

class RecordBuilder {
 public:
  explicit RecordBuilder(std::string trust_framework = std::string(kIb1TrustFramework));

  // A step: an object with a string `type`, optionally a `timestamp` (YYYY-MM-DDTHH:MM:SSZ), and
  // any other members. Returns the new step's id.
  [[nodiscard]] Result<std::string> addStep(OrderedJson step, const Clock& clock);
  // The same from a nlohmann::json object, whose members are already in alphabetical order.
  [[nodiscard]] Result<std::string> addStep(const Json& step, const Clock& clock);

  // Includes a received record: its signed step list as a nested list, kept verbatim, and its
  // certificates. The trust frameworks must match. Verify the record first: its signature is kept,
  // not checked, here.
  [[nodiscard]] Status addRecord(const Record& received);

  // Signs everything added so far, at the clock's now.
  [[nodiscard]] Result<Record> sign(const Signer& signer, const Clock& clock) const;

  std::size_t size() const { return elements_.size(); }

 private:
  std::string trust_framework_;
  std::vector<Element> elements_;
  // The origin step ids each element contributes (known when it is added, so that signing does
  // not decode every step again).
  std::vector<std::vector<std::string>> origins_;
  CertificateMap certificates_;
};

}  // namespace gridgate::provenance
