// Naming a failed LMDB write: a full map, a full disk (also when LMDB says EIO for a
// page write a full filesystem cut short), or another failure.

#include <catch2/catch.hpp>

#include <cerrno>
#include <limits>

#include <lmdb.h>

#include "actors/core/error.hpp"
#include "actors/store/write_errors.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

TEST_CASE("EIO is a full disk only when the data directory has less free than needed",
          "[store][fault]") {
  temp_dir dir;
  auto all = std::numeric_limits<int64_t>::max();
  CHECK(classify_write_error(EIO, dir.path(), all) == write_failure::disk_full);
  CHECK(classify_write_error(EIO, dir.path(), 0) == write_failure::other);
  CHECK(classify_write_error(ENOSPC, dir.path(), 0) == write_failure::disk_full);
  CHECK(classify_write_error(EDQUOT, dir.path(), 0) == write_failure::disk_full);
  CHECK(classify_write_error(MDB_MAP_FULL, dir.path(), 0) == write_failure::map_full);
  CHECK(classify_write_error(MDB_PANIC, dir.path(), all) == write_failure::other);
}

TEST_CASE("a full disk is named as such with the free space and LMDB's own message",
          "[store][fault]") {
  temp_dir dir;
  auto full = write_error("mdb_txn_commit", EIO, dir.path(), std::numeric_limits<int64_t>::max(), 64);
  CHECK(is(full, ec::storage_full));
  CHECK_THAT(context_text(full), Catch::StartsWith("disk full: " + dir.path() + " has "));
  CHECK_THAT(context_text(full), Catch::Contains("mdb_txn_commit: Input/output error"));
  auto io = write_error("mdb_txn_commit", EIO, dir.path(), 0, 64);
  CHECK(is(io, ec::store_failure));
  CHECK_THAT(context_text(io), Catch::Contains("not a full disk"));
  auto map = write_error("mdb_put documents", MDB_MAP_FULL, dir.path(), 0, 64);
  CHECK(is(map, ec::storage_full));
  CHECK_THAT(context_text(map), Catch::Contains("map full"));
  CHECK_THAT(context_text(map), Catch::Contains("MDB_MAP_FULL"));
  CHECK(format_bytes(12 * 1024) == "12 KiB");
  CHECK(format_bytes(6920601) == "6.6 MiB");
}
