// A customs office against a store that refuses writes (a full disk): an assignment or
// a close the store refused is written again on the office's retry timer, so a task
// clearance announced once is neither lost nor left open after the store recovers.

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/customs/customs_actors.hpp"
#include "actors/core/add_message_types.hpp"
#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/customs/customs_office.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/support.hpp"
#include "tests/support/deterministic_system.hpp"
#include "actors/customs/customs_tables.hpp"

using namespace hub;
using namespace hub::customs;
using namespace std::chrono_literals;

namespace {

/// What the mocks saw; outlives them.
struct observed {
  int refuse = 0; ///< how many of the next writes the store refuses
  std::vector<write_set> committed;
  int refused = 0;
  std::vector<std::string> delivered; ///< recipients of delivered notices
};

store_actor::behavior_type mock_store(store_actor::pointer, std::shared_ptr<observed> seen) {
  return {
    [](atom::status) { return std::string{"mock store"}; },
    [](atom::put, document_write&) -> caf::result<document_commit> {
      FAIL("unexpected put");
      return document_commit{};
    },
    [](atom::write, std::vector<table_op>&, std::vector<decision_record>&) -> caf::result<uint64_t> {
      FAIL("unexpected write of table ops");
      return uint64_t{0};
    },
    [seen](atom::write, write_set& ws) -> caf::result<write_result> {
      if (seen->refuse > 0) {
        seen->refuse--;
        seen->refused++;
        return caf::make_error(ec::hub_not_ready, "store is not ready: disk full: injected");
      }
      write_result wr;
      wr.commit = seen->committed.size() + 1;
      for (size_t i = 0; i < ws.notices.size(); ++i)
        wr.notice_ids.push_back(100 + i);
      seen->committed.push_back(std::move(ws));
      return wr;
    },
    [](atom::ready) { return true; },
    [](atom::resync) {},
    [](atom::flush) {},
    [](atom::tick) {},
  };
}

outbox_actor::behavior_type mock_outbox(outbox_actor::pointer, std::shared_ptr<observed> seen) {
  return {
    [](atom::status) { return std::string{"mock outbox"}; },
    [](atom::deliver, uint64_t, std::string&, uint64_t) { FAIL("unexpected delivery"); },
    [seen](atom::deliver, uint64_t, std::string& to, bytes&) { seen->delivered.push_back(to); },
    [](atom::ack, std::string&, std::vector<uint64_t>&, bytes&) { FAIL("unexpected ack"); },
    [](atom::flush) { FAIL("unexpected flush"); },
    [](atom::online, std::string&, bytes&) { FAIL("unexpected online"); },
    [](atom::resend) {},
  };
}

struct fixture : test::deterministic_system {
  test::temp_dir dir;
  std::shared_ptr<observed> seen = std::make_shared<observed>();
  std::map<std::string, office_actor> offices;
  store_actor store;
  outbox_actor outbox;

  fixture() {
    auto hub_cfg = parse_config(R"([roles.customs-officer]
send = ["customs.inspection-result"]

[[party]]
id = "CUS-2248"
role = "customs-officer"
customs-unit = "2248"
curve-public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
)", "test.toml");
    REQUIRE(hub_cfg);
    auto reg = party_registry::build(*hub_cfg, nullptr);
    REQUIRE(reg);
    auto customs = parse_customs_config(R"(
[organisation]
unit = [
  { code = "2200", name = "Shanghai", kind = "direct" },
  { code = "2248", name = "Yangshan", kind = "port" },
]
[[tax-centre]]
id = "a"
chapters = ["01-97"]
)", "customs.toml", ".");
    REQUIRE(customs);
    lmdb_options o;
    o.dir = dir.path();
    o.map_size_mb = 16;
    auto db = lmdb_storage::open(o);
    REQUIRE(db);
    store = sys.spawn(mock_store, seen);
    outbox = sys.spawn(mock_outbox, seen);
    customs_deps d;
    d.cfg = std::make_shared<const customs_config>(std::move(*customs));
    d.registry = std::make_shared<registry_holder>(*reg);
    d.reader = *db;
    d.store = store;
    d.outbox = outbox;
    offices = spawn_offices(sys, d);
    sched.run();
  }
  ~fixture() {
    for (auto& [unit, o] : offices)
      caf::anon_send_exit(o, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(outbox, caf::exit_reason::user_shutdown);
    sched.run();
  }
  void task(const std::string& case_id, const std::string& kind, bool open) {
    caf::anon_send(offices.at("2248"), atom::task_v, case_id, kind, open);
    sched.run();
  }
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "an assignment the store refused is made again once the store takes "
                          "writes, and notified once", "[customs][office][fault]") {
  seen->refuse = 2;
  task("220020261000000001", "examination", true);
  CHECK(seen->refused == 1);
  CHECK(seen->committed.empty());
  advance(50ms);
  CHECK(seen->refused == 2);
  advance(99ms);
  CHECK(seen->committed.empty()); // backing off: 50 ms, then 100 ms
  advance(1ms);
  REQUIRE(seen->committed.size() == 1);
  auto& ws = seen->committed.front();
  REQUIRE(ws.ops.size() == 1);
  CHECK(ws.ops[0].table == customs::tables::tasks);
  CHECK_FALSE(ws.ops[0].erase);
  CHECK(ws.decisions.size() == 1); // the draw that was stored, recorded once
  CHECK(seen->delivered == std::vector<std::string>{"CUS-2248"});
  // Announced again (a restart does this): already assigned, nothing written.
  task("220020261000000001", "examination", true);
  advance(5s);
  CHECK(seen->committed.size() == 1);
}

TEST_CASE_METHOD(fixture, "a close the store refused is written again: the task does not stay "
                          "open", "[customs][office][fault]") {
  task("220020261000000002", "documentary check", true);
  REQUIRE(seen->committed.size() == 1);
  seen->refuse = 1;
  task("220020261000000002", "documentary check", false);
  CHECK(seen->refused == 1);
  CHECK(seen->committed.size() == 1);
  advance(50ms);
  REQUIRE(seen->committed.size() == 2);
  REQUIRE(seen->committed.back().ops.size() == 1);
  CHECK(seen->committed.back().ops[0].erase);
  advance(5s);
  CHECK(seen->committed.size() == 2); // nothing more to retry
}

TEST_CASE_METHOD(fixture, "a task withdrawn while its refused assignment waits for the retry is "
                          "not assigned", "[customs][office][fault]") {
  seen->refuse = 1;
  task("220020261000000003", "examination", true);
  task("220020261000000003", "examination", false);
  advance(5s);
  CHECK(seen->committed.empty());
  CHECK(seen->delivered.empty());
}
