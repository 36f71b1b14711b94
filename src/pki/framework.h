// The URLs of the trust framework that the dev PKI writes into certificates (PERSEUS.md), and the
// checks every URL given on the command line passes before it reaches a certificate.
//
//   GG_TRY(checkApplicationUrl(url));   // https, no userinfo/query/fragment, printable ASCII
//   GG_TRY(checkRoleUrl(role));         // https://<host>/scheme/<scheme>/role/<name>
//   std::string role = roleUrl(kDefaultRegistry, "carbon-accounting-provider");
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::pki {

inline constexpr std::string_view kDefaultRegistry = "https://registry.core.trust.ib1.org";
inline constexpr std::string_view kDefaultDirectory = "https://directory.core.trust.ib1.org";
inline constexpr std::string_view kDefaultScheme = "perseus";

inline constexpr std::string_view kRoleCarbonAccountingProvider = "carbon-accounting-provider";
inline constexpr std::string_view kRoleEnergyDataProvider = "energy-data-provider";
inline constexpr std::string_view kRoleFinancialServiceProvider = "financial-service-provider";

// <registry>/scheme/<scheme>/role/<name>
std::string roleUrl(std::string_view registry, std::string_view role,
                    std::string_view scheme = kDefaultScheme);
// <directory>/a/<id> and <directory>/m/<id>
std::string applicationUrl(std::string_view directory, std::string_view id);
std::string memberUrl(std::string_view directory, std::string_view id);

// An https URL fit for a certificate: "https://" + host [":" port] + path, printable ASCII
// without spaces, quotes, backslashes, userinfo, query or fragment; at most 512 characters.
// Checked before the URL goes into a SAN or an IB1 extension (kInvalidArgument otherwise).
[[nodiscard]] Status checkHttpsUrl(std::string_view url, std::string_view what);
[[nodiscard]] Status checkApplicationUrl(std::string_view url);
[[nodiscard]] Status checkMemberUrl(std::string_view url);
// A role URL: an https URL whose path is /scheme/<scheme>/role/<name>, with <scheme> and <name>
// made of lowercase letters, digits and '-'.
[[nodiscard]] Status checkRoleUrl(std::string_view url);
// A DNS name for a server certificate's SAN (letters, digits, '-', '.', a leading "*." allowed).
[[nodiscard]] Status checkDnsName(std::string_view name);

}  // namespace gridgate::pki
