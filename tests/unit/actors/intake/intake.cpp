// The INTAKE actor on CAF's deterministic scheduler, over a real store and LMDB in a
// fresh directory, with a recording partner_link in place of the ZeroMQ gateway: a
// valid envelope is committed and only then answered with its receipt, copies of it
// get the original receipt, a reused message id with other content is refused, and a
// document for a hub desk goes to the desk instead of the store (docs/protocol.md,
// "Receipts" and "Duplicates").

#include <catch2/catch.hpp>

#include <optional>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/core/admission.hpp"
#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/intake/intake.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "actors/store/store.hpp"
#include "adapters/zmq/client.hpp"
#include "tests/support/actor_mocks.hpp"
#include "tests/support/deterministic_system.hpp"
#include "tests/support/samples.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace std::chrono_literals;

namespace {

/// What a mock desk was handed, and what it answers; outlives the mock.
struct desk_probe {
  std::vector<document_write> lodged;
  caf::error refuse; ///< set: the desk refuses with it (and stores nothing)
  bool hold = false; ///< set: the desk answers only when the test releases `held`
  std::vector<caf::typed_response_promise<document_commit>> held;
  /// Set, the desk's next status message answers the first held lodge with it: a
  /// promise is delivered inside its actor (from the test thread CAF 0.17 crashes).
  std::optional<document_commit> release;
};

/// Mock CUSTOMS DESK: records the document and answers like a desk that committed it
/// as sequence 1000 + n.
lodge_actor::behavior_type recording_desk(lodge_actor::pointer self, std::shared_ptr<desk_probe> seen) {
  return {
    [seen](atom::status) {
      if (seen->release && !seen->held.empty()) {
        seen->held.front().deliver(*seen->release);
        seen->held.erase(seen->held.begin());
        seen->release.reset();
      }
      return std::string{"recording desk"};
    },
    [self, seen](atom::lodge, document_write& w) -> caf::result<document_commit> {
      seen->lodged.push_back(w);
      if (seen->refuse)
        return seen->refuse;
      if (seen->hold) {
        seen->held.push_back(self->make_response_promise<document_commit>());
        return seen->held.back();
      }
      document_commit dc;
      dc.sequence = 1000 + seen->lodged.size();
      dc.hub_time = 1234;
      dc.digest = w.digest;
      dc.evidence_index = 77;
      dc.evidence_hash = bytes(32, 7);
      return dc;
    },
  };
}

bytes route(uint8_t n) {
  return bytes{'r', 'o', 'u', 't', 'e', n};
}

struct fixture : test::deterministic_system {
  test::temp_dir dir;
  test::test_party a = test::make_party("ENT-A", "enterprise");
  test::test_party b = test::make_party("ENT-B", "enterprise");
  std::shared_ptr<lmdb_storage> db;
  std::shared_ptr<store_metrics> stats = std::make_shared<store_metrics>();
  std::shared_ptr<intake_metrics> counted = std::make_shared<intake_metrics>();
  std::shared_ptr<test::outbox_probe> delivered = std::make_shared<test::outbox_probe>();
  std::shared_ptr<test::recording_link> link = std::make_shared<test::recording_link>();
  std::shared_ptr<desk_probe> desk_saw = std::make_shared<desk_probe>();
  /// Taken per submitted frame as the gateway does; intake gives each back once.
  std::shared_ptr<admission> admitted = std::make_shared<admission>(1000);
  std::shared_ptr<registry_holder> registry;
  store_actor store;
  outbox_actor outbox;
  lodge_actor desk;
  intake_actor intake;

  fixture() {
    auto cfg = load_config(test::write_hub_config(dir, {a, b}));
    REQUIRE(cfg);
    lmdb_options o;
    o.dir = dir.file("data");
    o.map_size_mb = 16;
    auto opened = lmdb_storage::open(o);
    REQUIRE(opened);
    db = *opened;
    auto reg = party_registry::build(*cfg, db.get());
    REQUIRE(reg);
    registry = std::make_shared<registry_holder>(*reg);
    store_config sc; // group commit: what is pending commits when its 2 ms are up
    sc.interval = std::chrono::microseconds{2000};
    auto st = spawn_store(sys, sc, db, stats);
    REQUIRE(st);
    store = *st;
    outbox = sys.spawn(test::recording_outbox, delivered);
    desk = sys.spawn(recording_desk, desk_saw);
    intake_deps d;
    d.store = store;
    d.outbox = outbox;
    d.registry = registry;
    d.reader = db;
    d.link = link;
    d.store_stats = stats;
    d.metrics = counted;
    d.admitted = admitted;
    d.desks.emplace("customs.declaration", desk);
    auto in = spawn_intake(sys, intake_config{}, std::move(d));
    REQUIRE(in);
    intake = *in;
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(intake, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(desk, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(outbox, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// ENT-A hands the gateway `frame` on connection `r` (not yet run).
  void submit(const bytes& frame, const bytes& r) {
    REQUIRE(admitted->try_admit());
    caf::anon_send(intake, atom::submit_v, submission{a.id, r, frame});
  }

  /// Runs everything, including the store's group commit.
  void settle() {
    sched.run();
    sched.advance_time(2ms);
    sched.run();
  }

  uint64_t stored_documents() { return db->counts()["documents"]; }
};

test::envelope_spec message(const bytes& id, const std::string& subject) {
  return {"ENT-A", "ENT-B", "trade.message", test::trade_message_payload(subject, "body"), id};
}

} // namespace

TEST_CASE_METHOD(fixture, "a valid envelope is committed, then answered with a receipt on its connection and "
                          "routed to its recipient", "[intake]") {
  auto id = random_message_id();
  auto spec = message(id, "order 1");
  submit(test::envelope_frame(spec), route(1));
  sched.run();
  CHECK(link->receipts().empty()); // the store has not committed yet: no receipt
  CHECK(stored_documents() == 0);
  sched.advance_time(2ms);
  sched.run();
  auto rs = link->receipts();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].route == route(1));
  auto& r = rs[0].r;
  CHECK(r.status == receipt_info::accepted);
  CHECK(r.party == "ENT-A");
  CHECK(r.message_id == id);
  CHECK(r.sequence == 1);
  CHECK(r.digest == content_digest("trade.message", "ENT-B", {}, spec.payload.data(), spec.payload.size()));
  CHECK(r.hub_time > 0);
  CHECK(r.evidence_index > 0); // the receipt points into the evidence log
  CHECK(r.evidence_hash.size() == 32);
  // What the receipt promises is in LMDB: the document and its dedupe record.
  CHECK(stored_documents() == 1);
  CHECK(db->get(table::dedupe, dedupe_key("ENT-A", id)));
  // The recipient's delivery was committed with it and handed to the outbox.
  REQUIRE(delivered->documents.size() == 1);
  CHECK(delivered->documents[0].to == "ENT-B");
  CHECK(delivered->documents[0].sequence == 1);
  CHECK(delivered->documents[0].id > 0);
  CHECK(counted->accepted.load() == 1);
  CHECK(desk_saw->lodged.empty());
}

TEST_CASE_METHOD(fixture, "a copy of an accepted envelope gets the original receipt, and nothing is stored "
                          "twice", "[intake][dedupe]") {
  auto id = random_message_id();
  auto spec = message(id, "order 1");
  submit(test::envelope_frame(spec), route(1));
  settle();
  REQUIRE(link->receipts().size() == 1);
  auto first = link->receipts()[0].r;
  REQUIRE(first.status == receipt_info::accepted);
  // A retry after a lost receipt: same id and content, new connection and clock.
  submit(test::envelope_frame(spec), route(2));
  settle();
  auto rs = link->receipts();
  REQUIRE(rs.size() == 2);
  CHECK(rs[1].route == route(2));
  auto& dup = rs[1].r;
  CHECK(dup.status == receipt_info::duplicate);
  CHECK(dup.message_id == id);
  CHECK(dup.sequence == first.sequence);
  CHECK(dup.hub_time == first.hub_time);
  CHECK(dup.digest == first.digest);
  CHECK(dup.evidence_index == first.evidence_index);
  CHECK(dup.evidence_hash == first.evidence_hash);
  CHECK(stored_documents() == 1);
  CHECK(delivered->documents.size() == 1); // the recipient gets it once
  CHECK(counted->duplicates.load() == 1);
}

TEST_CASE_METHOD(fixture, "a copy that arrives while the original is being committed waits for it and gets "
                          "the original receipt", "[intake][dedupe]") {
  auto spec = message(random_message_id(), "order 1");
  auto frame = test::envelope_frame(spec);
  submit(frame, route(1));
  submit(frame, route(2));
  settle();
  auto rs = link->receipts();
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].route == route(1));
  CHECK(rs[0].r.status == receipt_info::accepted);
  CHECK(rs[1].route == route(2));
  CHECK(rs[1].r.status == receipt_info::duplicate);
  CHECK(rs[1].r.sequence == rs[0].r.sequence);
  CHECK(stored_documents() == 1);
}

TEST_CASE_METHOD(fixture, "a message id reused with other content is refused with reused_message_id and the "
                          "stored document stays", "[intake][dedupe]") {
  auto id = random_message_id();
  submit(test::envelope_frame(message(id, "order 1")), route(1));
  settle();
  REQUIRE(link->receipts().size() == 1);
  auto first = link->receipts()[0].r;
  submit(test::envelope_frame(message(id, "order 2")), route(2));
  settle();
  auto rs = link->receipts();
  REQUIRE(rs.size() == 2);
  auto& r = rs[1].r;
  CHECK(r.status == receipt_info::rejected);
  CHECK(r.code == wire_code(ec::reused_message_id));
  CHECK(r.digest != first.digest); // the digest of what was sent now
  CHECK_THAT(r.reason, Catch::Contains("sequence " + std::to_string(first.sequence)));
  CHECK(stored_documents() == 1);
  CHECK(delivered->documents.size() == 1);
  // The original is still what a copy of it is answered with.
  submit(test::envelope_frame(message(id, "order 1")), route(3));
  settle();
  REQUIRE(link->receipts().size() == 3);
  CHECK(link->receipts()[2].r.status == receipt_info::duplicate);
  CHECK(link->receipts()[2].r.digest == first.digest);
}

TEST_CASE_METHOD(fixture, "SR-07.1 a declaration for the hub is handed to its customs desk, and the "
                          "receipt carries the desk's commit", "[intake][desk]") {
  auto id = random_message_id();
  test::envelope_spec spec{"ENT-A", "hub", "customs.declaration", test::declaration_payload(), id};
  submit(test::envelope_frame(spec), route(1));
  settle();
  REQUIRE(desk_saw->lodged.size() == 1);
  auto& w = desk_saw->lodged[0];
  CHECK(w.sender == "ENT-A");
  CHECK(w.message_id == id);
  CHECK(w.document_type == "customs.declaration");
  CHECK(w.recipient == "hub");
  CHECK_FALSE(w.deliver);
  CHECK(w.digest == content_digest("customs.declaration", "hub", {}, spec.payload.data(), spec.payload.size()));
  CHECK_FALSE(w.frame.empty());
  auto rs = link->receipts();
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].route == route(1));
  CHECK(rs[0].r.status == receipt_info::accepted);
  CHECK(rs[0].r.sequence == 1001);
  CHECK(rs[0].r.evidence_index == 77);
  CHECK(stored_documents() == 0); // the desk commits it, not intake through the store
  CHECK(delivered->documents.empty());
}

TEST_CASE_METHOD(fixture, "a declaration the desk refuses is rejected with the desk's code, and the corrected "
                          "resend under the same id is decided again", "[intake][desk]") {
  desk_saw->refuse = caf::make_error(ec::invalid_field, "settlement: release on guarantee is not open to tier");
  auto id = random_message_id();
  test::envelope_spec spec{"ENT-A", "hub", "customs.declaration", test::declaration_payload(), id};
  submit(test::envelope_frame(spec), route(1));
  settle();
  REQUIRE(link->receipts().size() == 1);
  auto r = link->receipts()[0].r;
  CHECK(r.status == receipt_info::rejected);
  CHECK(r.code == wire_code(ec::invalid_field));
  CHECK_THAT(r.reason, Catch::Contains("settlement"));
  desk_saw->refuse = caf::none;
  submit(test::envelope_frame(spec), route(2));
  settle();
  REQUIRE(desk_saw->lodged.size() == 2); // nothing was stored: not a duplicate
  REQUIRE(link->receipts().size() == 2);
  CHECK(link->receipts()[1].r.status == receipt_info::accepted);
}

TEST_CASE_METHOD(fixture, "a commit not done within intake.store-timeout-ms is answered hub_busy once, "
                          "its late outcome sends nothing more", "[intake][desk][timeout]") {
  // Answered in time: the sweep later finds nothing to refuse.
  test::envelope_spec first{"ENT-A", "hub", "customs.declaration", test::declaration_payload(),
                            random_message_id()};
  submit(test::envelope_frame(first), route(1));
  settle();
  REQUIRE(link->receipts().size() == 1);
  CHECK(link->receipts()[0].r.status == receipt_info::accepted);
  // The desk holds the second: nothing is said before the deadline (10 s by default).
  desk_saw->hold = true;
  test::envelope_spec second{"ENT-A", "hub", "customs.declaration", test::declaration_payload(),
                             random_message_id()};
  submit(test::envelope_frame(second), route(2));
  settle();
  REQUIRE(desk_saw->held.size() == 1);
  sched.advance_time(9s);
  sched.run();
  CHECK(link->receipts().size() == 1);
  sched.advance_time(2s);
  sched.run();
  REQUIRE(link->receipts().size() == 2);
  auto busy = link->receipts()[1];
  CHECK(busy.route == route(2));
  CHECK(busy.r.status == receipt_info::rejected);
  CHECK(busy.r.code == wire_code(ec::hub_busy));
  CHECK(busy.r.message_id == second.message_id);
  CHECK_THAT(busy.r.reason, Catch::Contains("store-timeout-ms"));
  // The desk's answer after the deadline: no second receipt for that message.
  // What the commit owes is still done: its notification goes to the outbox.
  document_commit late;
  late.sequence = 5000;
  late.notification_id = 42;
  late.digest = desk_saw->lodged.back().digest;
  auto delivered_before = delivered->documents.size();
  desk_saw->release = late;
  caf::anon_send(desk, atom::status_v);
  settle();
  sched.advance_time(2s);
  sched.run();
  CHECK(link->receipts().size() == 2);
  REQUIRE(delivered->documents.size() == delivered_before + 1);
  CHECK(delivered->documents.back().id == 42);
  CHECK(delivered->documents.back().sequence == 5000);
  // A resend is decided again and answered normally.
  desk_saw->hold = false;
  submit(test::envelope_frame(second), route(3));
  settle();
  REQUIRE(link->receipts().size() == 3);
  CHECK(link->receipts()[2].route == route(3));
  CHECK(link->receipts()[2].r.status == receipt_info::accepted);
  CHECK(admitted->in_flight() == 0); // three frames, three answers, none twice
}
