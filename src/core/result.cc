#include "core/result.h"

namespace gridgate {

std::string_view errcName(Errc code) {
  switch (code) {
    case Errc::kMalformed:
      return "malformed";
    case Errc::kLimitExceeded:
      return "limit_exceeded";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kCrypto:
      return "crypto";
    case Errc::kBadSignature:
      return "bad_signature";
    case Errc::kKeyNotFound:
      return "key_not_found";
    case Errc::kExpired:
      return "expired";
    case Errc::kNotYetValid:
      return "not_yet_valid";
    case Errc::kInvalidClaim:
      return "invalid_claim";
    case Errc::kUntrustedCertificate:
      return "untrusted_certificate";
    case Errc::kRevoked:
      return "revoked";
    case Errc::kUnauthenticated:
      return "unauthenticated";
    case Errc::kForbidden:
      return "forbidden";
    case Errc::kNotFound:
      return "not_found";
    case Errc::kAlreadyUsed:
      return "already_used";
    case Errc::kConflict:
      return "conflict";
    case Errc::kUnavailable:
      return "unavailable";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kIo:
      return "io";
    case Errc::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace gridgate
