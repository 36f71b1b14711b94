// Shared helpers of the jose tests: one checking helper per outcome, and the corruption sweep.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "core/base64.h"
#include "core/result.h"
#include "jose/jws.h"

namespace gridgate::jose::testing {

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string testdata(const std::string& rel) {
  return std::string(GRIDGATE_TESTDATA_DIR) + "/jose/" + rel;
}

// Status of parse + verify, as one value.
inline Status parseAndVerify(std::string_view token, const Verifier& verifier) {
  auto jws = Jws::parse(token);
  if (!jws) return fail(jws.error());
  return verifier.verify(*jws);
}

template <class T>
::testing::AssertionResult failsWith(const Result<T>& r, Errc code) {
  if (r) return ::testing::AssertionFailure() << "succeeded, expected " << errcName(code);
  if (r.error().code != code) {
    return ::testing::AssertionFailure() << "failed with " << errcName(r.error().code) << " ("
                                         << r.error().detail << "), expected " << errcName(code);
  }
  return ::testing::AssertionSuccess();
}

inline std::string replaceSegment(const std::string& token, int index, const std::string& with) {
  const std::size_t d1 = token.find('.');
  const std::size_t d2 = token.find('.', d1 + 1);
  std::string parts[3] = {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1),
                          token.substr(d2 + 1)};
  parts[index] = with;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

// The bit-flip-every-bit-and-truncate sweep (jwt_verify_lib's habit), for a token that verifies:
//  - every bit of every character of the compact token flipped (header, payload, signature
//    segments and the dots),
//  - every bit of the decoded header, payload and signature bytes flipped and re-encoded (so the
//    change passes base64url and reaches the JSON parser or the signature check),
//  - the token cut at every length, and the decoded signature cut at every length.
// Every one of these must be refused.
inline void expectEveryCorruptionRejected(const std::string& token, const Verifier& verifier) {
  ASSERT_TRUE(parseAndVerify(token, verifier)) << "the uncorrupted token must verify";
  std::size_t checked = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = token;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) ^ (1U << bit));
      EXPECT_FALSE(parseAndVerify(bad, verifier)) << "char " << i << " bit " << bit;
      ++checked;
    }
  }
  for (int seg = 0; seg < 3; ++seg) {
    const std::size_t d1 = token.find('.');
    const std::size_t d2 = token.find('.', d1 + 1);
    const std::string text = seg == 0   ? token.substr(0, d1)
                             : seg == 1 ? token.substr(d1 + 1, d2 - d1 - 1)
                                        : token.substr(d2 + 1);
    auto bytes = base64urlDecode(text);
    ASSERT_TRUE(bytes);
    for (std::size_t i = 0; i < bytes->size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = *bytes;
        bad[i] ^= static_cast<std::uint8_t>(1U << bit);
        EXPECT_FALSE(parseAndVerify(replaceSegment(token, seg, base64urlEncode(bad)), verifier))
            << "segment " << seg << " byte " << i << " bit " << bit;
        ++checked;
      }
    }
    if (seg == 2) {
      for (std::size_t n = 0; n < bytes->size(); ++n) {
        const Bytes cut(bytes->begin(), bytes->begin() + static_cast<long>(n));
        EXPECT_FALSE(parseAndVerify(replaceSegment(token, 2, base64urlEncode(cut)), verifier))
            << "signature cut to " << n << " bytes";
        ++checked;
      }
    }
  }
  for (std::size_t n = 0; n < token.size(); ++n) {
    EXPECT_FALSE(parseAndVerify(token.substr(0, n), verifier)) << "token cut to " << n;
    ++checked;
  }
  EXPECT_GT(checked, token.size() * 8);
}

}  // namespace gridgate::jose::testing
