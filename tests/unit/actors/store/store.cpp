// The store actor's group commit, driven by CAF's deterministic scheduler: batches by
// count and by time, answers only after the commit, turns not-ready on a full disk and
// ready again when a probe (retried with backoff) succeeds, and fences writers that
// keep state ahead of their commits.

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/core/add_message_types.hpp"
#include "actors/core/error.hpp"
#include "actors/store/storage.hpp"
#include "actors/store/store.hpp"
#include "tests/support/deterministic_system.hpp"

using namespace hub;
using namespace std::chrono_literals;

namespace {

/// What the fake saw; outlives the actor.
struct observed {
  int batches = 0;
  size_t last_batch_size = 0;
  bool fail_next = false;
  int probes = 0;
  int probe_failures = 0; ///< how many probes fail before one succeeds
};

/// In-memory storage: assigns sequences like LMDB would, or fails on demand.
class fake_storage : public storage {
public:
  explicit fake_storage(std::shared_ptr<observed> p) : probe_(std::move(p)) {}
  caf::expected<batch_result> commit(const write_batch& b, int64_t hub_time) override {
    if (b.docs.empty() && b.ops.empty() && b.decisions.empty())
      return batch_result{}; // like LMDB: nothing to write, no transaction (final checkpoint)
    if (probe_->fail_next)
      return caf::make_error(ec::storage_full, "MDB_MAP_FULL: injected");
    probe_->batches++;
    probe_->last_batch_size = b.docs.size() + b.ops.size();
    batch_result r;
    r.commit = static_cast<uint64_t>(probe_->batches);
    for (auto& d : b.docs) {
      document_commit dc;
      dc.sequence = ++seq_;
      dc.hub_time = hub_time;
      dc.digest = d.digest;
      r.docs.push_back(dc);
    }
    return r;
  }
  caf::error probe() override {
    probe_->probes++;
    if (probe_->probe_failures > 0) {
      probe_->probe_failures--;
      return caf::make_error(ec::storage_full, "disk full: injected");
    }
    return caf::none;
  }

private:
  std::shared_ptr<observed> probe_;
  uint64_t seq_ = 0;
};

struct fixture : test::deterministic_system {
  caf::scoped_actor self{sys};
  std::shared_ptr<observed> seen = std::make_shared<observed>();
  std::shared_ptr<store_metrics> metrics = std::make_shared<store_metrics>();
  store_actor spawn(store_config c) {
    auto s = spawn_store(sys, c, std::make_shared<fake_storage>(seen), metrics);
    REQUIRE(s);
    return *s;
  }
  ~fixture() { sched.run(); }
};

document_write doc(uint8_t id) {
  document_write w;
  w.sender = "A";
  w.message_id = bytes(16, id);
  w.digest = bytes(32, id);
  return w;
}

} // namespace

TEST_CASE_METHOD(fixture, "puts within one interval are committed as one batch and "
                          "answered only after it", "[store]") {
  auto st = spawn(store_config{100, 2ms});
  auto r1 = self->request(st, 10s, atom::put_v, doc(1));
  auto r2 = self->request(st, 10s, atom::put_v, doc(2));
  sched.run();
  CHECK(seen->batches == 0); // nothing committed, nobody answered yet
  sched.advance_time(2ms);
  sched.run();
  CHECK(seen->batches == 1);
  CHECK(seen->last_batch_size == 2);
  r1.receive([](document_commit& dc) { CHECK(dc.sequence == 1); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  r2.receive([](document_commit& dc) { CHECK(dc.sequence == 2); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  self->send_exit(st, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "a full batch commits at once without waiting for the timer",
                 "[store]") {
  auto st = spawn(store_config{3, 1s});
  for (uint8_t i = 1; i <= 3; ++i)
    self->send(st, atom::put_v, doc(i));
  sched.run();
  CHECK(seen->batches == 1);
  CHECK(seen->last_batch_size == 3);
  self->send_exit(st, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "a failed commit answers every waiter with hub_not_ready and "
                          "refuses later writes until a probe succeeds", "[store][fault]") {
  auto st = spawn(store_config{100, 2ms});
  seen->fail_next = true;
  seen->probe_failures = 1;
  auto r1 = self->request(st, 10s, atom::put_v, doc(1));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r1.receive([](document_commit&) { FAIL("a failed commit must not be answered with a value"); },
             [](caf::error& e) { CHECK(is(e, ec::hub_not_ready)); });
  CHECK_FALSE(metrics->ready);
  seen->fail_next = false;
  auto r2 = self->request(st, 10s, atom::put_v, doc(2));
  sched.run();
  r2.receive([](document_commit&) { FAIL("a not-ready store must refuse"); },
             [](caf::error& e) {
               CHECK(is(e, ec::hub_not_ready));
               CHECK_THAT(context_text(e), Catch::Contains("MDB_MAP_FULL: injected"));
             });
  CHECK(seen->batches == 0);
  CHECK(metrics->refused == 1);
  // First probe after 50 ms fails (and the refusals now name its cause), the second
  // 100 ms later succeeds.
  sched.advance_time(49ms);
  sched.run();
  CHECK(seen->probes == 0);
  sched.advance_time(1ms);
  sched.run();
  CHECK(seen->probes == 1);
  CHECK_FALSE(metrics->ready);
  auto r3 = self->request(st, 10s, atom::put_v, doc(3));
  sched.run();
  r3.receive([](document_commit&) { FAIL("a not-ready store must refuse"); },
             [](caf::error& e) { CHECK_THAT(context_text(e), Catch::Contains("disk full: injected")); });
  sched.advance_time(99ms);
  sched.run();
  CHECK(seen->probes == 1);
  sched.advance_time(1ms);
  sched.run();
  CHECK(seen->probes == 2);
  CHECK(metrics->ready);
  auto r4 = self->request(st, 10s, atom::put_v, doc(2)); // the refused write, again
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r4.receive([](document_commit& dc) { CHECK(dc.sequence == 1); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  sched.advance_time(3s);
  sched.run();
  CHECK(seen->probes == 2); // no probe once ready
  self->send_exit(st, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "probes back off exponentially up to retry_max and never busy-loop",
                 "[store][fault]") {
  auto st = spawn(store_config{100, 2ms, 50ms, 400ms});
  seen->fail_next = true;
  seen->probe_failures = 1000;
  self->send(st, atom::put_v, doc(1));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  REQUIRE_FALSE(metrics->ready);
  // 50, 100, 200, 400, 400, 400 ms: six probes in 1.55 s.
  for (int i = 0; i < 1560; ++i) {
    sched.advance_time(1ms);
    sched.run();
  }
  CHECK(seen->probes == 6);
  CHECK_FALSE(metrics->ready);
  self->send_exit(st, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "a stateful writer whose write was refused stays fenced after the "
                          "store recovers until it resyncs", "[store][fault]") {
  auto st = spawn(store_config{100, 2ms});
  caf::scoped_actor writer{sys}; // keeps state ahead of its commits, as clearance does
  writer->send(st, atom::resync_v); // registers it as stateful
  sched.run();
  seen->fail_next = true;
  auto r1 = writer->request(st, 10s, atom::put_v, doc(1));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r1.receive([](document_commit&) { FAIL("must fail"); }, [](caf::error&) {});
  seen->fail_next = false;
  sched.advance_time(50ms); // the probe succeeds
  sched.run();
  REQUIRE(metrics->ready);
  // A write planned before the writer learnt of the refusal is refused...
  auto r2 = writer->request(st, 10s, atom::put_v, doc(2));
  sched.run();
  r2.receive([](document_commit&) { FAIL("a fenced writer must be refused"); },
             [](caf::error& e) { CHECK(is(e, ec::hub_not_ready)); });
  // ...others are not...
  auto r3 = self->request(st, 10s, atom::put_v, doc(3));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r3.receive([](document_commit& dc) { CHECK(dc.sequence == 1); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  // ...and after its rollback the writer's writes go through again.
  writer->send(st, atom::resync_v);
  auto r4 = writer->request(st, 10s, atom::put_v, doc(2));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r4.receive([](document_commit& dc) { CHECK(dc.sequence == 2); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
  self->send_exit(st, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(fixture, "an exit commits what is pending and answers its waiters",
                 "[store]") {
  auto st = spawn(store_config{100, 1s});
  auto r1 = self->request(st, 10s, atom::put_v, doc(1));
  sched.run();
  self->send_exit(st, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(seen->batches == 1);
  r1.receive([](document_commit& dc) { CHECK(dc.sequence == 1); },
             [&](caf::error& e) { FAIL(sys.render(e)); });
}
