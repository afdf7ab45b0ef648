// The LMDB storage: one transaction per batch, dedupe in the same transaction,
// counters that survive a reopen, a full map that refuses without harm, and the probe
// that tells when writes work again.

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

namespace {

document_write doc(const std::string& sender, uint8_t id, size_t payload = 100,
                   bool deliver = false) {
  document_write w;
  w.sender = sender;
  w.message_id = bytes(16, id);
  w.digest = bytes(32, id);
  w.document_type = "customs.declaration";
  w.recipient = deliver ? "ENT-B" : "hub";
  w.frame = bytes(payload, 0xab);
  w.deliver = deliver;
  return w;
}

std::shared_ptr<lmdb_storage> open_db(const std::string& dir, size_t map_mb = 16) {
  lmdb_options o;
  o.dir = dir;
  o.map_size_mb = map_mb;
  auto db = lmdb_storage::open(o);
  REQUIRE(db);
  return *db;
}

} // namespace

TEST_CASE("a batch commits documents with consecutive sequences and dedupe records",
          "[store][lmdb]") {
  temp_dir dir;
  auto db = open_db(dir.path());
  write_batch b;
  b.docs = {doc("A", 1), doc("A", 2), doc("B", 1, 100, true)};
  auto res = db->commit(b, 1000);
  REQUIRE(res);
  REQUIRE(res->docs.size() == 3);
  CHECK(res->docs[0].sequence == 1);
  CHECK(res->docs[1].sequence == 2);
  CHECK(res->docs[2].sequence == 3);
  CHECK(res->docs[2].notification_id == 1);
  CHECK_FALSE(res->docs[0].existed);
  auto counts = db->counts();
  CHECK(counts["documents"] == 3);
  CHECK(counts["dedupe"] == 3);
  CHECK(counts["outbox"] == 1);
}

TEST_CASE("a stored (sender, message id) is reported as existing with its original "
          "sequence, also within one batch", "[store][lmdb]") {
  temp_dir dir;
  auto db = open_db(dir.path());
  write_batch b1;
  b1.docs = {doc("A", 7)};
  REQUIRE(db->commit(b1, 1000));
  write_batch b2;
  auto other = doc("A", 7);
  other.digest = bytes(32, 0xee);
  b2.docs = {other, doc("A", 8), doc("A", 8)};
  auto res = db->commit(b2, 2000);
  REQUIRE(res);
  CHECK(res->docs[0].existed);
  CHECK(res->docs[0].sequence == 1);
  CHECK(res->docs[0].hub_time == 1000);
  CHECK(res->docs[0].digest == bytes(32, 7)); // the stored digest, not the new one
  CHECK_FALSE(res->docs[1].existed);
  CHECK(res->docs[2].existed);
  CHECK(res->docs[2].sequence == res->docs[1].sequence);
  CHECK(db->counts()["documents"] == 2);
}

TEST_CASE("a document's commit names its evidence record, a duplicate the original one, "
          "and the store keeps the chain head beside it", "[store][lmdb][evidence]") {
  temp_dir dir;
  auto db = open_db(dir.path());
  write_batch b1;
  b1.docs = {doc("A", 1), doc("A", 2)};
  auto res = db->commit(b1, 1000);
  REQUIRE(res);
  auto record = [&db](uint64_t index) {
    auto raw = db->get("evidence", be64(index));
    REQUIRE(raw);
    auto e = decode_evidence(*raw);
    REQUIRE(e);
    return *e;
  };
  CHECK(res->docs[0].evidence_index == 1);
  CHECK(res->docs[0].evidence_hash == record(1).hash);
  CHECK(res->docs[1].evidence_index == 2);
  CHECK(res->docs[1].evidence_hash == record(2).hash);
  write_batch again;
  again.docs = {doc("A", 1)};
  auto dup = db->commit(again, 2000);
  REQUIRE(dup);
  CHECK(dup->docs[0].existed);
  CHECK(dup->docs[0].evidence_index == 1);
  CHECK(dup->docs[0].evidence_hash == record(1).hash);
  auto head = db->get("meta", bytes(evidence_head_key.begin(), evidence_head_key.end()));
  REQUIRE(head);
  auto h = decode_head(*head);
  REQUIRE(h);
  CHECK(h->index == 2);
  CHECK(h->hash == record(2).hash);
}

TEST_CASE("sequences and notification ids continue after a reopen", "[store][lmdb]") {
  temp_dir dir;
  {
    auto db = open_db(dir.path());
    write_batch b;
    b.docs = {doc("A", 1, 10, true), doc("A", 2, 10, true)};
    REQUIRE(db->commit(b, 1));
    // Acknowledged notifications are erased; their ids must never come back.
    write_batch erase;
    erase.ops = {table_op{"outbox", be64(1), {}, true}, table_op{"outbox", be64(2), {}, true}};
    REQUIRE(db->commit(erase, 2));
  }
  auto db = open_db(dir.path());
  CHECK(db->last_sequence() == 2);
  write_batch b;
  b.docs = {doc("A", 3, 10, true)};
  auto res = db->commit(b, 3);
  REQUIRE(res);
  CHECK(res->docs[0].sequence == 3);
  CHECK(res->docs[0].notification_id == 3);
}

TEST_CASE("a full map refuses the batch with storage_full and keeps what was committed",
          "[store][lmdb][fault]") {
  temp_dir dir;
  auto db = open_db(dir.path(), 1); // 1 MiB map
  uint64_t committed = 0;
  caf::error err;
  for (uint8_t i = 1; i < 250 && !err; ++i) {
    write_batch b;
    b.docs = {doc("A", i, 64 * 1024)};
    auto res = db->commit(b, i);
    if (res)
      ++committed;
    else
      err = res.error();
  }
  REQUIRE(err);
  CHECK(is(err, ec::storage_full));
  CHECK_THAT(context_text(err), Catch::Contains("MDB_MAP_FULL"));
  CHECK(committed > 0);
  CHECK(db->counts()["documents"] == committed);
  CHECK(db->last_sequence() == committed); // the failed batch used no sequence
  db.reset();
  auto again = open_db(dir.path(), 1);
  CHECK(again->counts()["documents"] == committed);
  for (uint64_t s = 1; s <= committed; ++s)
    CHECK(again->get(table::documents, be64(s)));
}

TEST_CASE("a full map stays full for the probe: freeing disk does not help, the cause is named",
          "[store][lmdb][fault]") {
  temp_dir dir;
  auto db = open_db(dir.path(), 1);
  caf::error err;
  for (uint8_t i = 1; i < 250 && !err; ++i) {
    write_batch b;
    b.docs = {doc("A", i, 64 * 1024)};
    if (auto res = db->commit(b, i); !res)
      err = res.error();
  }
  REQUIRE(is(err, ec::storage_full));
  CHECK_THAT(context_text(err), Catch::Contains("map full"));
  auto probed = db->probe();
  REQUIRE(probed);
  CHECK(is(probed, ec::storage_full));
  CHECK_THAT(context_text(probed), Catch::Contains("MDB_MAP_FULL"));
  CHECK_THAT(context_text(probed), Catch::Contains("raise store.map-size-mb"));
}

TEST_CASE("a probe commit changes no record, uses no sequence and appends no evidence",
          "[store][lmdb][fault]") {
  temp_dir dir;
  auto db = open_db(dir.path());
  write_batch b;
  b.docs = {doc("A", 1), doc("A", 2, 100, true)};
  REQUIRE(db->commit(b, 1));
  auto before = db->counts();
  auto txn_before = db->env_info()["last-transaction"];
  CHECK_FALSE(db->probe());
  CHECK(db->env_info()["last-transaction"] == txn_before + 1); // it did commit
  CHECK(db->counts() == before);
  write_batch next;
  next.docs = {doc("A", 3)};
  auto res = db->commit(next, 2);
  REQUIRE(res);
  CHECK(res->docs[0].sequence == 3);
  auto rep = audit_evidence(*db, nullptr);
  CHECK(rep.documents == 3);
  CHECK(db->counts()["evidence"] == 3);
  for (auto& p : rep.problems) { // the test frames are no real frames: only they are named
    INFO(p.what);
    CHECK((p.what.find("frame is unreadable") != std::string::npos
           || p.what.find("digest") != std::string::npos));
  }
}

TEST_CASE("a read-only open of a directory that is no swhub database fails clearly",
          "[store][lmdb]") {
  temp_dir dir;
  lmdb_options o;
  o.dir = dir.path();
  o.read_only = true;
  auto db = lmdb_storage::open(o);
  REQUIRE_FALSE(db);
}

TEST_CASE("a read-only open sees every table of a database another writer holds open",
          "[store][lmdb]") {
  temp_dir dir;
  auto writer = open_db(dir.path());
  write_batch b;
  b.docs = {doc("A", 1), doc("A", 2, 100, true)};
  REQUIRE(writer->commit(b, 1));
  lmdb_options o;
  o.dir = dir.path();
  o.read_only = true;
  auto reader = lmdb_storage::open(o);
  REQUIRE(reader);
  auto counts = (*reader)->counts();
  CHECK(counts["documents"] == 2);
  CHECK(counts["dedupe"] == 2);
  CHECK(counts["outbox"] == 1);
  CHECK((*reader)->get(table::documents, be64(2)));
  CHECK((*reader)->last_sequence() == 2);
}

TEST_CASE("a second writer on the same data directory is refused while the first holds it",
          "[store][lmdb]") {
  temp_dir dir;
  auto first = open_db(dir.path());
  lmdb_options o;
  o.dir = dir.path();
  auto second = lmdb_storage::open(o);
  REQUIRE_FALSE(second);
  CHECK_THAT(context_text(second.error()), Catch::Contains("in use by another swhubd"));
  o.read_only = true; // readers (swhub db stat, audit) are always welcome
  CHECK(lmdb_storage::open(o));
  first.reset();
  o.read_only = false;
  CHECK(lmdb_storage::open(o)); // released with the first writer
}
