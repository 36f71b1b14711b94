// A private temporary directory for a store test (gridgate-store-XXXXXX under $TMPDIR, else /tmp,
// mode 0700), removed with its contents at the end of scope: tests/common/files.h's.
//
//   TempDir dir;
//   auto store = store::openSqlite({.path = dir.path() / "gridgate.db"});
#pragma once

#include "common/files.h"

namespace gridgate::store::conformance {

struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("gridgate-store") {}
};

}  // namespace gridgate::store::conformance
