#include "actors/store/store.hpp"

#include <set>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/store/storage.hpp"

namespace hub {

namespace {

using steady = std::chrono::steady_clock;

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string seconds_text(steady::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s",
                std::chrono::duration_cast<std::chrono::duration<double>>(d).count());
  return buf;
}

struct pending_doc {
  caf::typed_response_promise<document_commit> rp;
  caf::actor_addr from;
};

struct pending_ops {
  size_t count;
  caf::typed_response_promise<uint64_t> rp;
  caf::actor_addr from;
};

struct pending_set {
  size_t first_notice; ///< index of its first notice in the batch
  size_t notices;
  caf::typed_response_promise<write_result> rp;
  caf::actor_addr from;
};

struct store_state {
  static inline const char* name = "store";
  store_config cfg;
  std::shared_ptr<storage> backend;
  std::shared_ptr<store_metrics> metrics;
  write_batch batch;
  std::vector<pending_doc> doc_waiters;
  std::vector<pending_ops> op_waiters;
  std::vector<pending_set> set_waiters;
  bool flush_scheduled = false;
  // Not ready: why, since when, the probe's next delay, and what to log on return.
  bool ready = true;
  caf::error not_ready_cause;  ///< the failure that made it not ready
  caf::error not_ready_reason; ///< what holds it back now (the last probe's answer)
  steady::time_point not_ready_since;
  steady::time_point reminded;
  caf::timespan next_probe{0};
  uint64_t refused_before = 0;
  uint64_t probes = 0;
  /// Writers that keep state ahead of their commits (they sent resync once), and those
  /// of them whose writes are refused until they have rolled that state back.
  std::set<caf::actor_addr> stateful;
  std::set<caf::actor_addr> fenced;

  size_t pending() const {
    return batch.docs.size() + batch.ops.size() + batch.decisions.size() + batch.notices.size();
  }

  caf::error refusal() const {
    return caf::make_error(ec::hub_not_ready,
                           "store is not ready: " + context_text(not_ready_reason));
  }
};

using store_ptr = store_actor::stateful_pointer<store_state>;

caf::actor_addr sender_of(store_ptr self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

/// A stateful writer whose write was refused may have planned later writes on what it
/// believed would be stored: refuse everything it sends until it says it rolled back.
void fence(store_state& st, const caf::actor_addr& from) {
  if (from && st.stateful.count(from) != 0)
    st.fenced.insert(from);
}

/// Refuses the current message's write while not ready or fenced; none if admitted.
caf::error admit(store_ptr self) {
  auto& st = self->state;
  auto from = sender_of(self);
  if (!st.ready) {
    st.metrics->refused++;
    fence(st, from);
    return st.refusal();
  }
  if (from && st.fenced.count(from) != 0)
    return caf::make_error(ec::hub_not_ready,
                           "an earlier write of this writer was refused; it must roll back first");
  return caf::none;
}

void schedule_probe(store_ptr self) {
  self->delayed_send(self, self->state.next_probe, atom::tick_v);
}

/// Logged once: the cause, and what the store does about it.
void enter_not_ready(store_ptr self, const caf::error& cause) {
  auto& st = self->state;
  st.ready = false;
  st.metrics->ready = false;
  st.not_ready_cause = st.not_ready_reason = cause;
  st.not_ready_since = st.reminded = steady::now();
  st.refused_before = st.metrics->refused.load();
  st.probes = 0;
  st.next_probe = st.cfg.retry_min;
  log::error("store", "commit failed, store not ready: " + context_text(cause)
                        + "; writes are refused with hub_not_ready (retryable) and a probe "
                          "commit is tried every "
                        + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           st.cfg.retry_min).count())
                        + " ms, doubling up to "
                        + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           st.cfg.retry_max).count())
                        + " ms");
  schedule_probe(self);
}

/// One write transaction for everything pending. It begins and commits inside the
/// current handler, so it runs on one thread, as LMDB requires; every waiting caller is
/// answered after it, with the result or the error.
void commit_pending(store_ptr self) {
  auto& st = self->state;
  if (st.pending() == 0)
    return;
  auto docs = std::move(st.doc_waiters);
  auto ops = std::move(st.op_waiters);
  auto sets = std::move(st.set_waiters);
  write_batch b = std::move(st.batch);
  st.batch = write_batch{};
  st.doc_waiters.clear();
  st.op_waiters.clear();
  st.set_waiters.clear();
  auto res = st.backend->commit(b, now_ms());
  if (!res) {
    st.metrics->failed_commits++;
    auto code = code_of(res.error());
    if (code == ec::storage_full || code == ec::store_failure)
      enter_not_ready(self, res.error());
    else
      log::error("store", "commit failed: " + context_text(res.error()));
    auto err = caf::make_error(ec::hub_not_ready, "storage cannot commit: "
                                                    + context_text(res.error()));
    for (auto& w : docs) {
      fence(st, w.from);
      w.rp.deliver(err);
    }
    for (auto& w : ops) {
      fence(st, w.from);
      w.rp.deliver(err);
    }
    for (auto& w : sets) {
      fence(st, w.from);
      w.rp.deliver(err);
    }
    return;
  }
  st.metrics->commits++;
  st.metrics->records += b.docs.size() + b.ops.size();
  for (size_t i = 0; i < docs.size(); ++i)
    docs[i].rp.deliver(std::move(res->docs[i]));
  for (auto& w : ops)
    w.rp.deliver(res->commit);
  for (auto& w : sets) {
    write_result wr;
    wr.commit = res->commit;
    auto first = res->notice_ids.begin() + static_cast<ptrdiff_t>(w.first_notice);
    wr.notice_ids.assign(first, first + static_cast<ptrdiff_t>(w.notices));
    w.rp.deliver(std::move(wr));
  }
}

/// While not ready: one probe, then ready again (logged once, with how long and how
/// many writes were refused) or the next probe after a longer delay.
void probe(store_ptr self) {
  auto& st = self->state;
  if (st.ready)
    return;
  ++st.probes;
  auto err = st.backend->probe();
  auto now = steady::now();
  auto refused = st.metrics->refused.load() - st.refused_before;
  if (!err) {
    log::info("store", "store ready again after " + seconds_text(now - st.not_ready_since)
                         + " not ready (" + context_text(st.not_ready_cause) + "); "
                         + std::to_string(refused) + " writes refused meanwhile, "
                         + std::to_string(st.probes) + " probes");
    st.ready = true;
    st.metrics->ready = true;
    st.not_ready_cause = st.not_ready_reason = caf::none;
    return;
  }
  st.not_ready_reason = err; // refusals name what holds the store back now
  if (now - st.reminded >= st.cfg.remind_every) {
    st.reminded = now;
    log::warn("store", "store still not ready after " + seconds_text(now - st.not_ready_since)
                         + ": " + context_text(err) + "; " + std::to_string(refused)
                         + " writes refused so far");
  }
  st.next_probe = std::min<caf::timespan>(st.next_probe * 2, st.cfg.retry_max);
  schedule_probe(self);
}

void schedule_or_commit(store_ptr self) {
  auto& st = self->state;
  if (st.pending() >= st.cfg.max_batch) {
    commit_pending(self);
  } else if (!st.flush_scheduled) {
    st.flush_scheduled = true;
    self->delayed_send(self, st.cfg.interval, atom::flush_v);
  }
}

store_actor::behavior_type store(store_ptr self, store_config cfg,
                                 std::shared_ptr<storage> backend,
                                 std::shared_ptr<store_metrics> metrics) {
  self->state.cfg = cfg;
  self->state.backend = std::move(backend);
  self->state.metrics = std::move(metrics);
  // No broken_promise in CAF 0.17: answer every held promise before quitting.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    commit_pending(self);
    // A clean stop leaves the whole evidence chain under a signed checkpoint.
    if (st.ready) {
      write_batch last;
      last.checkpoint = true;
      if (auto res = st.backend->commit(last, now_ms()); !res)
        log::warn("store", "final checkpoint not written: " + context_text(res.error()));
    }
    self->quit(msg.reason);
  });
  return {
    [self](atom::status) {
      auto& st = self->state;
      return std::string{"store "} + (st.ready ? "ready" : "not-ready") + " commits="
             + std::to_string(st.metrics->commits.load())
             + " records=" + std::to_string(st.metrics->records.load())
             + (st.ready ? std::string{} : " reason=" + context_text(st.not_ready_reason));
    },
    [self](atom::put, document_write& w) -> caf::result<document_commit> {
      auto& st = self->state;
      if (auto err = admit(self))
        return err;
      auto from = sender_of(self); // before the promise takes the sender over
      auto rp = self->make_response_promise<document_commit>();
      st.batch.docs.push_back(std::move(w));
      st.doc_waiters.push_back({rp, from});
      schedule_or_commit(self);
      return rp;
    },
    [self](atom::write, std::vector<table_op>& ops,
           std::vector<decision_record>& decisions) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (auto err = admit(self))
        return err;
      auto from = sender_of(self); // before the promise takes the sender over
      auto rp = self->make_response_promise<uint64_t>();
      st.op_waiters.push_back({ops.size(), rp, from});
      for (auto& op : ops)
        st.batch.ops.push_back(std::move(op));
      for (auto& d : decisions)
        st.batch.decisions.push_back(std::move(d));
      schedule_or_commit(self);
      return rp;
    },
    [self](atom::write, write_set& ws) -> caf::result<write_result> {
      auto& st = self->state;
      if (auto err = admit(self))
        return err;
      auto from = sender_of(self); // before the promise takes the sender over
      auto rp = self->make_response_promise<write_result>();
      st.set_waiters.push_back({st.batch.notices.size(), ws.notices.size(), rp, from});
      for (auto& op : ws.ops)
        st.batch.ops.push_back(std::move(op));
      for (auto& d : ws.decisions)
        st.batch.decisions.push_back(std::move(d));
      for (auto& n : ws.notices)
        st.batch.notices.push_back(std::move(n));
      schedule_or_commit(self);
      return rp;
    },
    [self](atom::ready) { return self->state.ready; },
    [self](atom::resync) {
      // Messages from one sender arrive in order: every write it planned before its
      // rollback came before this and was refused; what follows builds on the store.
      auto from = sender_of(self);
      if (!from)
        return;
      self->state.stateful.insert(from);
      self->state.fenced.erase(from);
    },
    [self](atom::flush) {
      self->state.flush_scheduled = false;
      commit_pending(self);
    },
    [self](atom::tick) { probe(self); },
  };
}

} // namespace

caf::error validate(const store_config& cfg) {
  if (cfg.max_batch == 0)
    return caf::make_error(ec::invalid_config, "store.commit-max-batch must be > 0");
  if (cfg.interval.count() <= 0)
    return caf::make_error(ec::invalid_config, "store.commit-interval-us must be > 0");
  if (cfg.retry_min.count() <= 0 || cfg.retry_max < cfg.retry_min)
    return caf::make_error(ec::invalid_config, "store retry: need 0 < retry_min <= retry_max");
  return caf::none;
}

caf::expected<store_actor> spawn_store(caf::actor_system& sys, const store_config& cfg,
                                       std::shared_ptr<storage> backend,
                                       std::shared_ptr<store_metrics> metrics) {
  if (auto err = validate(cfg))
    return err;
  if (!backend)
    return caf::make_error(ec::invalid_config, "store backend missing");
  if (!metrics)
    metrics = std::make_shared<store_metrics>();
  return sys.spawn(store, cfg, std::move(backend), std::move(metrics));
}

} // namespace hub
