// The conformance suite of store::Store: every implementation (SQLite, Redis) must pass it. It
// checks each method and each semantic written in store/store.h, single use under concurrent
// callers, and durability across close and reopen.
//
// To run it against a backend, link the `gridgate_store_conformance` target and instantiate:
//
//   class RedisBackend : public store::conformance::StoreBackend { ... };
//   INSTANTIATE_TEST_SUITE_P(Redis, StoreConformanceTest,
//                            ::testing::Values(store::conformance::BackendParam{
//                                "redis", [] { return std::make_unique<RedisBackend>(); }}),
//                            store::conformance::backendName);
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/result.h"
#include "store/store.h"
#include "temp_dir.h"

namespace gridgate {
// Errc by name in gtest's failure messages.
inline void PrintTo(Errc code, std::ostream* os) { *os << errcName(code); }
}  // namespace gridgate

namespace gridgate::store::conformance {

// One backend under test; a new one per test.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // A new, empty store. Called once per test, first.
  virtual Result<std::shared_ptr<Store>> open() = 0;
  // Whether reopen() is supported (false for an in-memory database).
  virtual bool durable() const = 0;
  // The same data through a new Store. The test has dropped every reference to the previous one
  // (so a backend may close its connections first).
  virtual Result<std::shared_ptr<Store>> reopen() = 0;
};

struct BackendParam {
  std::string name;  // test name suffix: letters, digits and underscores
  std::function<std::unique_ptr<StoreBackend>()> make;
};

inline void PrintTo(const BackendParam& param, std::ostream* os) { *os << param.name; }

std::string backendName(const ::testing::TestParamInfo<BackendParam>& info);

class StoreConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }
  // Closes the store and opens the same data again (the test is skipped if not durable()).
  void reopen();

  std::unique_ptr<StoreBackend> backend_;
  std::shared_ptr<Store> store_;
};

}  // namespace gridgate::store::conformance
