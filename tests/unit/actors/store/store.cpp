// The store actor's group commit, driven by CAF's deterministic scheduler: batches by
// count and by time, answers only after the commit, and turns not-ready on a full disk.

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "actors/core/add_message_types.hpp"
#include "actors/core/error.hpp"
#include "actors/store/storage.hpp"
#include "actors/store/store.hpp"

using namespace hub;
using namespace std::chrono_literals;

namespace {

/// What the fake saw; outlives the actor.
struct probe {
  int batches = 0;
  size_t last_batch_size = 0;
  bool fail_next = false;
};

/// In-memory storage: assigns sequences like LMDB would, or fails on demand.
class fake_storage : public storage {
public:
  explicit fake_storage(std::shared_ptr<probe> p) : probe_(std::move(p)) {}
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

private:
  std::shared_ptr<probe> probe_;
  uint64_t seq_ = 0;
};

struct fixture {
  static caf::actor_system_config& prepare(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    add_message_types(cfg);
    return cfg;
  }
  caf::actor_system_config cfg;
  caf::actor_system sys{prepare(cfg)};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::scoped_actor self{sys};
  std::shared_ptr<probe> seen = std::make_shared<probe>();
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
                          "refuses later writes", "[store][fault]") {
  auto st = spawn(store_config{100, 2ms});
  seen->fail_next = true;
  auto r1 = self->request(st, 10s, atom::put_v, doc(1));
  sched.run();
  sched.advance_time(2ms);
  sched.run();
  r1.receive([](document_commit&) { FAIL("a failed commit must not be answered with a value"); },
             [](caf::error& e) { CHECK(is(e, ec::hub_not_ready)); });
  CHECK_FALSE(metrics->ready);
  seen->fail_next = false; // even if the disk recovers, the store stays not ready
  auto r2 = self->request(st, 10s, atom::put_v, doc(2));
  sched.run();
  r2.receive([](document_commit&) { FAIL("a not-ready store must refuse"); },
             [](caf::error& e) { CHECK(is(e, ec::hub_not_ready)); });
  CHECK(seen->batches == 0);
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
