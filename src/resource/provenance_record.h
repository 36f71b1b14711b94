// The provenance record attached to every readings response (PERSEUS.md, Provenance record): three
// steps - permission, origin, transfer - each with `scheme` = the Perseus scheme URL, signed with
// the provider's signing certificate, certificates embedded.
//
//   RecordFactory factory(settings, signer);                  // once; the signer is loaded once
//   GG_TRY(provenance::Record r, factory.make(permission, transfer, clock));
//   body += r.serialize();                                    // embedded as a JSON object
//
// Steps (member order as written, after id/timestamp/type):
//   permission  scheme, account, allows {licences: [licence]}, expires; timestamp = grant time
//   origin      scheme, sourceType <scheme>/source-type/Meter, origin, originLicence,
//               external: true, permissions [permission id],
//               perseus:scheme {meteringPeriod {from, to}}, perseus:assurance {dataSource,
//               missingData, processing}
//   transfer    scheme, of <origin id>, to <client application URL>, standard, licence, service
//               <data URL>, path "/readings", parameters {measure, from, to}, permissions
//               [permission id], transaction <x-fapi-interaction-id>
// meteringPeriod is the period served, [from 00:00:00Z, to+1 day 00:00:00Z) as datetimes; the
// transfer's parameters are the measure and dates exactly as the client asked them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "provenance/record.h"
#include "provenance/signer.h"
#include "resource/meter.h"
#include "resource/period.h"

namespace gridgate::resource {

inline constexpr std::string_view kPerseusScheme =
    "https://registry.core.trust.ib1.org/scheme/perseus";

struct ProvenanceSettings {
  std::string trust_framework = "https://registry.core.trust.ib1.org/trust-framework";
  std::string scheme = std::string(kPerseusScheme);
  std::string standard =
      "https://registry.core.trust.ib1.org/scheme/perseus/standard/energy-consumption-data/"
      "2024-12-05";
  // Who measured the data, and under what licence the provider holds it.
  std::string origin = "https://www.smartdcc.co.uk/";
  std::string origin_licence =
      "https://smartenergycodecompany.co.uk/documents/sec/consolidated-sec/";
  // perseus:assurance; defaults <scheme>/assurance/... (filled by RecordFactory when empty).
  std::string data_source{};   // <scheme>/assurance/data-source/SmartMeter
  std::string missing_data{};  // <scheme>/assurance/missing-data/Missing (flagged, never filled)
  std::string processing{};    // <scheme>/assurance/processing/SmartDCCOtherUser
};

// The permission the client holds, as the validated token tells it.
struct PermissionFacts {
  std::string account{};  // the token's `sub`
  std::string licence{};  // the licence URL (a scope of the token)
  std::int64_t granted_at = 0;
  std::int64_t expires_at = 0;
};

// What is transferred, to whom.
struct TransferFacts {
  std::string to{};       // the client's application URL (certificate SAN URI == client_id)
  std::string service{};  // the data URL, without query string
  Measure measure = Measure::kImport;
  const Period* period = nullptr;
  std::string transaction{};  // x-fapi-interaction-id
};

class RecordFactory {
 public:
  RecordFactory(ProvenanceSettings settings, std::shared_ptr<const provenance::Signer> signer);

  [[nodiscard]] Result<provenance::Record> make(const PermissionFacts& permission,
                                                const TransferFacts& transfer,
                                                const Clock& clock) const;

  const ProvenanceSettings& settings() const { return s_; }
  const provenance::Signer& signer() const { return *signer_; }

 private:
  ProvenanceSettings s_{};
  std::shared_ptr<const provenance::Signer> signer_{};
};

}  // namespace gridgate::resource
