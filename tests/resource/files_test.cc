// GET /datasets/{name}: ranges (RFC 9110 14), ETag and conditional requests, and no way out of the
// configured directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include "resource/dataset_files.h"
#include "support.h"

namespace gridgate::resource {
namespace {

TEST(Range, Forms) {
  auto r = parseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
  r = parseRange("bytes=900-", 1000);
  EXPECT_EQ(r.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(r.range.first, 900u);
  EXPECT_EQ(r.range.last, 999u);
  r = parseRange("bytes=-10", 1000);
  EXPECT_EQ(r.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(r.range.first, 990u);
  EXPECT_EQ(r.range.length(), 10u);
  r = parseRange("bytes=-5000", 1000);  // longer suffix than the file: all of it
  EXPECT_EQ(r.range.first, 0u);
  r = parseRange("bytes=500-5000", 1000);  // cut to the end
  EXPECT_EQ(r.range.last, 999u);
  EXPECT_EQ(parseRange("bytes=1000-", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=1000-2000", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=-0", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parseRange("bytes=0-", 0).kind, RangeKind::kUnsatisfiable);
  // Ignored: several ranges, bad syntax, other units.
  for (const char* h : {"bytes=0-1,5-6", "bytes=5-1", "bytes=a-b", "bytes=", "items=0-1",
                        "bytes 0-1", "bytes=--1", "bytes=1", "bytes=99999999999999999999-"}) {
    EXPECT_EQ(parseRange(h, 1000).kind, RangeKind::kNone) << h;
  }
}

TEST(DatasetName, Rules) {
  EXPECT_TRUE(checkDatasetName("postcodes.csv"));
  EXPECT_TRUE(checkDatasetName("a-b_c.2024.json"));
  for (const char* bad : {"", ".hidden", "..", "../etc/passwd", "a/b", "a\\b", "a b", "%2e%2e"}) {
    EXPECT_FALSE(checkDatasetName(bad)) << bad;
  }
}

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    content_ = "postcode,lat,lon\n";
    for (int i = 0; i < 2000; ++i) content_ += "OX" + std::to_string(i) + ",51.7,-1.2\n";
    test::writeText(dir_.path() / "postcodes.csv", content_);
    test::writeText(dir_.path() / "secret.csv", "not listed");
    test::writeText(dir_.path() / "big.bin", std::string(50000, 'x'));
    ASSERT_EQ(::symlink("../outside.txt", (dir_.path() / "link.csv").c_str()), 0);
    auto s = FileStore::open(dir_.path(),
                             {{.name = "postcodes.csv", .scope = "scope-a"},
                              {.name = "big.bin", .scope = "scope-b", .content_type = "x/y"}},
                             40000);
    ASSERT_TRUE(s) << s.error().detail;
    store_.emplace(std::move(*s));
  }

  net::Response get(const std::string& name,
                    std::vector<std::pair<std::string, std::string>> h = {}) {
    net::Request req;
    for (auto& [k, v] : h) req.headers.add(k, v);
    const DatasetFile* f = store_->find(name);
    EXPECT_NE(f, nullptr) << name;
    return store_->serve(req, *f);
  }

  test::TempDir dir_;
  std::string content_;
  std::optional<FileStore> store_;
};

TEST_F(FileStoreTest, WholeFileWithEtag) {
  const net::Response r = get("postcodes.csv");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, content_);
  EXPECT_EQ(*r.headers.get("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(*r.headers.get("accept-ranges"), "bytes");
  EXPECT_EQ(*r.headers.get("cache-control"), "no-store");
  const std::string etag(*r.headers.get("etag"));
  EXPECT_EQ(etag.size(), 45u);  // "<43 base64url chars>"
  EXPECT_EQ(etag.front(), '"');
  // Stable across requests; changes with the content.
  EXPECT_EQ(*get("postcodes.csv").headers.get("etag"), etag);
  test::writeText(dir_.path() / "postcodes.csv", content_ + "NEW,0,0\n");
  EXPECT_NE(*get("postcodes.csv").headers.get("etag"), etag);
}

TEST_F(FileStoreTest, RangesAndConditionals) {
  const std::string etag(*get("postcodes.csv").headers.get("etag"));
  net::Response r = get("postcodes.csv", {{"Range", "bytes=0-16"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "postcode,lat,lon\n");
  EXPECT_EQ(*r.headers.get("content-range"), "bytes 0-16/" + std::to_string(content_.size()));
  r = get("postcodes.csv", {{"Range", "bytes=-5"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, content_.substr(content_.size() - 5));
  r = get("postcodes.csv", {{"Range", "bytes=" + std::to_string(content_.size()) + "-"}});
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(*r.headers.get("content-range"), "bytes */" + std::to_string(content_.size()));
  // Two ranges: ignored, whole file.
  EXPECT_EQ(get("postcodes.csv", {{"Range", "bytes=0-1,4-5"}}).status, 200);
  // If-Range with the current ETag honours the range; with another, the whole file.
  EXPECT_EQ(get("postcodes.csv", {{"Range", "bytes=0-1"}, {"If-Range", etag}}).status, 206);
  EXPECT_EQ(get("postcodes.csv", {{"Range", "bytes=0-1"}, {"If-Range", "\"old\""}}).status, 200);
  // If-None-Match.
  r = get("postcodes.csv", {{"If-None-Match", etag}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(get("postcodes.csv", {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
  EXPECT_EQ(get("postcodes.csv", {{"If-None-Match", "\"x\""}}).status, 200);
}

TEST_F(FileStoreTest, BoundedBodies) {
  // 50000 bytes with a 40000-byte response limit: whole file refused, ranges served.
  net::Response r = get("big.bin");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("byte ranges"), std::string::npos);
  r = get("big.bin", {{"Range", "bytes=49000-"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body.size(), 1000u);
  EXPECT_EQ(*r.headers.get("content-type"), "x/y");
}

TEST_F(FileStoreTest, OnlyListedRegularFiles) {
  EXPECT_EQ(store_->find("secret.csv"), nullptr);
  EXPECT_EQ(store_->find("../postcodes.csv"), nullptr);
  // open() refuses a symbolic link, a missing file, a bad name, a duplicate, a missing scope.
  EXPECT_FALSE(FileStore::open(dir_.path(), {{.name = "link.csv", .scope = "s"}}));
  EXPECT_FALSE(FileStore::open(dir_.path(), {{.name = "missing.csv", .scope = "s"}}));
  EXPECT_FALSE(FileStore::open(dir_.path(), {{.name = "../x", .scope = "s"}}));
  EXPECT_FALSE(FileStore::open(dir_.path(), {{.name = "postcodes.csv", .scope = ""}}));
  EXPECT_FALSE(FileStore::open(dir_.path(), {{.name = "postcodes.csv", .scope = "s"},
                                             {.name = "postcodes.csv", .scope = "s"}}));
  EXPECT_FALSE(FileStore::open(dir_.path() / "nope", {}));
  // A listed file replaced by a symbolic link after start-up is not followed.
  test::writeText(dir_.path() / "outside.txt", "outside");
  std::filesystem::remove(dir_.path() / "postcodes.csv");
  ASSERT_EQ(::symlink("outside.txt", (dir_.path() / "postcodes.csv").c_str()), 0);
  const net::Response r = get("postcodes.csv");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("outside"), std::string::npos);
}

}  // namespace
}  // namespace gridgate::resource
