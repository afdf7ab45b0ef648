#include "actors/store/store.hpp"

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/store/storage.hpp"

namespace hub {

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct pending_doc {
  caf::typed_response_promise<document_commit> rp;
};

struct pending_ops {
  size_t count;
  caf::typed_response_promise<uint64_t> rp;
};

struct pending_set {
  size_t first_notice; ///< index of its first notice in the batch
  size_t notices;
  caf::typed_response_promise<write_result> rp;
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
  bool ready = true;
  caf::error not_ready_reason;

  size_t pending() const {
    return batch.docs.size() + batch.ops.size() + batch.decisions.size() + batch.notices.size();
  }

  /// One write transaction for everything pending. It begins and commits inside the
  /// current handler, so it runs on one thread, as LMDB requires; every waiting
  /// caller is answered after it, with the result or the error.
  void commit_pending() {
    if (pending() == 0)
      return;
    auto docs = std::move(doc_waiters);
    auto ops = std::move(op_waiters);
    auto sets = std::move(set_waiters);
    write_batch b = std::move(batch);
    batch = write_batch{};
    doc_waiters.clear();
    op_waiters.clear();
    set_waiters.clear();
    auto res = backend->commit(b, now_ms());
    if (!res) {
      metrics->failed_commits++;
      auto code = code_of(res.error());
      log::error("store", "commit failed, store not ready: " + context_text(res.error()));
      if (code == ec::storage_full || code == ec::store_failure) {
        ready = false;
        metrics->ready = false;
        not_ready_reason = res.error();
      }
      auto err = caf::make_error(ec::hub_not_ready, "storage cannot commit: "
                                                      + context_text(res.error()));
      for (auto& w : docs)
        w.rp.deliver(err);
      for (auto& w : ops)
        w.rp.deliver(err);
      for (auto& w : sets)
        w.rp.deliver(err);
      return;
    }
    metrics->commits++;
    metrics->records += b.docs.size() + b.ops.size();
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

  caf::error refuse() const {
    return caf::make_error(ec::hub_not_ready,
                           "store is not ready: " + context_text(not_ready_reason));
  }
};

using store_ptr = store_actor::stateful_pointer<store_state>;

void schedule_or_commit(store_ptr self) {
  auto& st = self->state;
  if (st.pending() >= st.cfg.max_batch) {
    st.commit_pending();
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
    st.commit_pending();
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
             + " records=" + std::to_string(st.metrics->records.load());
    },
    [self](atom::put, document_write& w) -> caf::result<document_commit> {
      auto& st = self->state;
      if (!st.ready)
        return st.refuse();
      auto rp = self->make_response_promise<document_commit>();
      st.batch.docs.push_back(std::move(w));
      st.doc_waiters.push_back({rp});
      schedule_or_commit(self);
      return rp;
    },
    [self](atom::write, std::vector<table_op>& ops,
           std::vector<decision_record>& decisions) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (!st.ready)
        return st.refuse();
      auto rp = self->make_response_promise<uint64_t>();
      st.op_waiters.push_back({ops.size(), rp});
      for (auto& op : ops)
        st.batch.ops.push_back(std::move(op));
      for (auto& d : decisions)
        st.batch.decisions.push_back(std::move(d));
      schedule_or_commit(self);
      return rp;
    },
    [self](atom::write, write_set& ws) -> caf::result<write_result> {
      auto& st = self->state;
      if (!st.ready)
        return st.refuse();
      auto rp = self->make_response_promise<write_result>();
      st.set_waiters.push_back({st.batch.notices.size(), ws.notices.size(), rp});
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
    [self](atom::flush) {
      self->state.flush_scheduled = false;
      self->state.commit_pending();
    },
  };
}

} // namespace

caf::error validate(const store_config& cfg) {
  if (cfg.max_batch == 0)
    return caf::make_error(ec::invalid_config, "store.commit-max-batch must be > 0");
  if (cfg.interval.count() <= 0)
    return caf::make_error(ec::invalid_config, "store.commit-interval-us must be > 0");
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
