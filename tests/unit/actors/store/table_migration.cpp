// Schema version 3 prefixed the module tables with the module's name ("customs.cases").
// A data directory written before (version 2) must keep every row: a writer moves the
// rows in the opening transaction, a reader reads them where they are, and a directory
// from a newer build is refused rather than misread.

#include <catch2/catch.hpp>

#include <filesystem>

#include <lmdb.h>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "actors/store/storage.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// Writes a bare LMDB environment as an older build left it: meta's schema version and
/// `rows` in named tables.
void write_raw(const std::string& dir, uint64_t version,
               const std::vector<std::tuple<std::string, std::string, std::string>>& rows) {
  std::filesystem::create_directories(dir);
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 40);
  REQUIRE(mdb_env_open(env, dir.c_str(), 0, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, 0, &txn) == 0);
  auto put = [&](const std::string& table, const bytes& k, const bytes& v) {
    MDB_dbi dbi;
    REQUIRE(mdb_dbi_open(txn, table.c_str(), MDB_CREATE, &dbi) == 0);
    MDB_val kv{k.size(), const_cast<uint8_t*>(k.data())};
    MDB_val vv{v.size(), const_cast<uint8_t*>(v.data())};
    REQUIRE(mdb_put(txn, dbi, &kv, &vv, 0) == 0);
  };
  std::string vkey = "schema-version";
  put("meta", bytes(vkey.begin(), vkey.end()), be64(version));
  for (auto& [table, k, v] : rows)
    put(table, bytes(k.begin(), k.end()), bytes(v.begin(), v.end()));
  REQUIRE(mdb_txn_commit(txn) == 0);
  mdb_env_close(env);
}

bool has_table(const std::string& dir, const std::string& name) {
  MDB_env* env = nullptr;
  REQUIRE(mdb_env_create(&env) == 0);
  mdb_env_set_maxdbs(env, 40);
  REQUIRE(mdb_env_open(env, dir.c_str(), MDB_RDONLY, 0640) == 0);
  MDB_txn* txn = nullptr;
  REQUIRE(mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0);
  MDB_dbi dbi;
  bool found = mdb_dbi_open(txn, name.c_str(), 0, &dbi) == 0;
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return found;
}

std::string text(const bytes& b) {
  return std::string(b.begin(), b.end());
}

bytes key(const std::string& s) {
  return bytes(s.begin(), s.end());
}

} // namespace

TEST_CASE("a version-2 data directory keeps every row of a module's tables: a writer moves "
          "them under the prefixed names and drops the old tables",
          "[store][lmdb][modules]") {
  REQUIRE_FALSE(modules().empty()); // the test main registered the built-in modules
  temp_dir dir;
  write_raw(dir.path(), 2,
            {{"cases", "220120260000000001", "case one"},
             {"cases", "220120260000000002", "case two"},
             {"case_refs", std::string{"ENT-A"} + '\0' + "D-1", "220120260000000001"},
             {"enterprises", "PLAIN-ENT", "{\"reserved\":0}"}});
  lmdb_options o;
  o.dir = dir.path();
  o.map_size_mb = 16;
  {
    auto db = lmdb_storage::open(o);
    REQUIRE(db);
    CHECK((*db)->migrated_rows() == 4);
    auto c = (*db)->get("customs.cases", key("220120260000000002"));
    REQUIRE(c);
    CHECK(text(*c) == "case two");
    auto ref = (*db)->get("customs.case_refs", key(std::string{"ENT-A"} + '\0' + "D-1"));
    REQUIRE(ref);
    CHECK(text(*ref) == "220120260000000001");
    CHECK((*db)->get("customs.enterprises", key("PLAIN-ENT")));
  }
  CHECK_FALSE(has_table(dir.path(), "cases"));
  CHECK_FALSE(has_table(dir.path(), "case_refs"));
  // Opened again: already version 3, nothing left to move, the rows are still there.
  auto again = lmdb_storage::open(o);
  REQUIRE(again);
  CHECK((*again)->migrated_rows() == 0);
  CHECK((*again)->counts()["customs.cases"] == 2);
  auto v = (*again)->get(table::meta, key("schema-version"));
  REQUIRE(v);
  CHECK(from_be64(*v) == storage_schema_version);
}

TEST_CASE("a read-only open of a version-2 copy reads the module rows where they are and "
          "changes nothing",
          "[store][lmdb][modules]") {
  temp_dir dir;
  write_raw(dir.path(), 2, {{"cases", "220120260000000001", "case one"}});
  lmdb_options o;
  o.dir = dir.path();
  o.read_only = true;
  auto db = lmdb_storage::open(o);
  REQUIRE(db);
  auto c = (*db)->get("customs.cases", key("220120260000000001"));
  REQUIRE(c);
  CHECK(text(*c) == "case one");
  CHECK(has_table(dir.path(), "cases"));
  CHECK_FALSE(has_table(dir.path(), "customs.cases"));
}

TEST_CASE("a data directory of an unknown schema version is refused, naming both versions",
          "[store][lmdb][modules]") {
  temp_dir dir;
  write_raw(dir.path(), 9, {});
  lmdb_options o;
  o.dir = dir.path();
  auto db = lmdb_storage::open(o);
  REQUIRE_FALSE(db);
  CHECK(is(db.error(), ec::store_failure));
  CHECK_THAT(context_text(db.error()), Catch::Contains("schema version 9")
                                         && Catch::Contains("versions 2 and 3"));
}

TEST_CASE("registering a module that claims another's name, document kind or error codes, "
          "an unprefixed table or a core error code fails and changes nothing",
          "[modules]") {
  auto before = modules().size();
  REQUIRE(before >= 1);
  auto& customs = modules().front();
  auto copy_named = [](std::string name) {
    domain_module m;
    m.name = std::move(name);
    return m;
  };
  CHECK(is(register_module(copy_named(customs.name)), ec::invalid_config));
  auto kind_taken = copy_named("zz1");
  kind_taken.documents.push_back(customs.documents.front());
  CHECK_THAT(context_text(register_module(kind_taken)),
             Catch::Contains("document kind " + customs.documents.front().name));
  auto codes_taken = copy_named("zz2");
  codes_taken.errors = error_range{"zz2", 40, 50, customs.errors->name};
  CHECK_THAT(context_text(register_module(codes_taken)), Catch::Contains("overlap module customs"));
  auto core_codes = copy_named("zz3");
  core_codes.errors = error_range{"zz3", 120, 130, customs.errors->name};
  CHECK_THAT(context_text(register_module(core_codes)), Catch::Contains("the core's"));
  auto bad_table = copy_named("zz4");
  bad_table.tables.push_back({"cases", {}, nullptr});
  CHECK_THAT(context_text(register_module(bad_table)), Catch::Contains("not prefixed"));
  CHECK(is(register_module(copy_named("a.b")), ec::invalid_config));
  CHECK(modules().size() == before);
}
