// A failed meta-page write leaves LMDB's environment unusable (MDB_FATAL_ERROR: every
// later transaction, read or write, fails with MDB_PANIC). A full disk does not cause it
// on tmpfs, ext4 or xfs (the meta pages are overwritten in place), but a copy-on-write
// filesystem or a real I/O error can. This binary interposes pwrite to fail exactly that
// write, and checks that the probe reopens the environment and nothing is lost.

#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <thread>

#include "actors/core/error.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/support.hpp"

namespace {

std::atomic<bool> fail_meta_write{false};
std::atomic<int> meta_writes_failed{0};

} // namespace

// LMDB (a shared library) resolves pwrite to this definition in the executable.
// Meta pages are pages 0 and 1; with 4 KiB pages every meta write starts below 8 KiB.
extern "C" ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  using fn = ssize_t (*)(int, const void*, size_t, off_t);
  static fn real = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "pwrite"));
  if (off < 8192 && fail_meta_write.exchange(false)) {
    meta_writes_failed++;
    errno = EIO;
    return -1;
  }
  return real(fd, buf, n, off);
}

using namespace hub;
using namespace hub::test;

namespace {

document_write doc(uint8_t id) {
  document_write w;
  w.sender = "A";
  w.message_id = bytes(16, id);
  w.digest = bytes(32, id);
  w.document_type = "trade.message";
  w.recipient = "hub";
  w.frame = bytes(200, id);
  return w;
}

} // namespace

TEST_CASE("after a failed meta-page write (MDB_PANIC) the probe reopens the environment "
          "and the store continues where it was", "[store][lmdb][fault]") {
  temp_dir dir;
  lmdb_options o;
  o.dir = dir.path();
  o.map_size_mb = 16;
  auto opened = lmdb_storage::open(o);
  REQUIRE(opened);
  auto db = *opened;
  write_batch b1;
  b1.docs = {doc(1), doc(2)};
  REQUIRE(db->commit(b1, 1));
  // Readers on other threads, as intake and the outbox are, while the environment is
  // reopened under them.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader{[&] {
    while (!stop) {
      (void)db->get(table::documents, be64(1));
      reads++;
    }
  }};
  // The reader must be running before the fault, and still after the reopen: on a busy
  // machine it may not have been scheduled at all within the few milliseconds below.
  auto reads_after = [&](int seen) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (reads.load() <= seen && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    return reads.load() > seen;
  };
  REQUIRE(reads_after(0));
  fail_meta_write = true;
  write_batch b2;
  b2.docs = {doc(3)};
  auto failed = db->commit(b2, 2);
  REQUIRE_FALSE(failed);
  CHECK(meta_writes_failed == 1);
  auto again = db->commit(b2, 3);
  REQUIRE_FALSE(again);
  CHECK_THAT(context_text(again.error()), Catch::Contains("MDB_PANIC"));
  CHECK_FALSE(db->get(table::documents, be64(1))); // reads fail too until the reopen
  auto probed = db->probe();
  INFO(context_text(probed));
  CHECK_FALSE(probed);
  CHECK(db->reopens() == 1);
  auto res = db->commit(b2, 4);
  REQUIRE(res);
  CHECK(res->docs[0].sequence == 3); // the refused batch used no sequence
  CHECK_FALSE(res->docs[0].existed);
  CHECK(reads_after(reads.load())); // it reads on through the reopened environment
  stop = true;
  reader.join();
  CHECK(db->get(table::documents, be64(1)));
  auto counts = db->counts();
  CHECK(counts["documents"] == 3);
  CHECK(counts["dedupe"] == 3);
  CHECK(counts["evidence"] == 3); // one record per document, the chain unbroken:
  auto rep = audit_evidence(*db, nullptr);
  CHECK(rep.documents == 3);
  for (auto& p : rep.problems) { // (the test frames are no real frames: only they are named)
    INFO(p.what);
    CHECK((p.what.find("frame is unreadable") != std::string::npos
           || p.what.find("digest") != std::string::npos));
  }
}
