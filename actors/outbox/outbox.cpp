#include "actors/outbox/outbox.hpp"

#include <map>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/core/partner_link.hpp"
#include "actors/store/storage.hpp"
#include "schemas/frame.capnp.h"
#include "schemas/stored.capnp.h"

namespace hub {

namespace {

using clock = std::chrono::steady_clock;

struct entry {
  std::string recipient;
  int64_t created_at = 0;
  uint64_t delivery_sequence = 0; ///< 0 for prebuilt notifications
  bytes notification;             ///< prebuilt wire Notification, if any
  clock::time_point last_sent{};
  bool acking = false;            ///< erase in flight; do not re-send meanwhile
};

struct outbox_state {
  static inline const char* name = "outbox";
  outbox_config cfg;
  store_actor store;
  std::shared_ptr<const store_reader> reader;
  std::shared_ptr<partner_link> link;
  std::shared_ptr<outbox_metrics> metrics;
  std::map<uint64_t, entry> entries;
  /// Acknowledgements taken but not yet committed. Every ack that reaches the mailbox
  /// before the outbox's own flush message joins one store write: a partner that acks
  /// a hundred notifications costs one write, not a hundred requests.
  std::vector<uint64_t> ack_ids;
  std::vector<table_op> ack_ops;
  std::vector<decision_record> ack_decisions;
  bool ack_flush_scheduled = false;
};

/// Past this many acknowledgements the outbox writes them without waiting for its flush.
constexpr size_t max_ack_batch = 4096;

using outbox_ptr = outbox_actor::stateful_pointer<outbox_state>;

/// Reads a stored document's Frame and calls fn(envelope reader).
template <class F>
caf::error with_stored_envelope(const store_reader& reader, uint64_t seq, F&& fn) {
  auto raw = reader.get(table::documents, be64(seq));
  if (!raw)
    return raw.error();
  auto msg = aligned_message::copy(raw->data(), raw->size(), ec::store_failure);
  if (!msg)
    return msg.error();
  return with_root<stored::StoredDocument>(
    *msg, ec::store_failure, [&fn](stored::StoredDocument::Reader doc) {
      auto fr = doc.getFrame();
      auto inner = aligned_message::copy(fr.begin(), fr.size(), ec::store_failure);
      if (!inner)
        return inner.error();
      return with_root<wire::Frame>(*inner, ec::store_failure, [&](wire::Frame::Reader f) {
        return fn(doc, f.getEnvelope());
      });
    });
}

caf::expected<bytes> build_frame(const outbox_state& st, uint64_t nid, const entry& e) {
  capnp::MallocMessageBuilder mb;
  if (e.delivery_sequence != 0) {
    auto n = mb.initRoot<wire::Frame>().initNotification();
    n.setNotificationId(nid);
    n.setCreatedAt(e.created_at);
    auto err = with_stored_envelope(*st.reader, e.delivery_sequence,
                                    [&n, &e](stored::StoredDocument::Reader,
                                             wire::Envelope::Reader env) {
                                      auto d = n.initDelivery();
                                      d.setSequence(e.delivery_sequence);
                                      d.setEnvelope(env);
                                      return caf::error{};
                                    });
    if (err)
      return err;
    return to_bytes(mb);
  }
  auto msg = aligned_message::copy(e.notification.data(), e.notification.size(),
                                   ec::store_failure);
  if (!msg)
    return msg.error();
  // Whatever a module prebuilt (a status change, a case routed to an agency, ...),
  // copied whole; only the id and time are the outbox's.
  auto err = with_root<wire::Notification>(*msg, ec::store_failure,
                                           [&mb, nid, &e](wire::Notification::Reader pre) {
                                             auto f = mb.initRoot<wire::Frame>();
                                             f.setNotification(pre);
                                             auto out = f.getNotification();
                                             out.setNotificationId(nid);
                                             out.setCreatedAt(e.created_at);
                                             return caf::error{};
                                           });
  if (err)
    return err;
  return to_bytes(mb);
}

void send_entry(outbox_ptr self, uint64_t nid, entry& e) {
  auto frame = build_frame(self->state, nid, e);
  if (!frame) {
    log::error("outbox", "notification " + std::to_string(nid)
                           + " cannot be built: " + context_text(frame.error()));
    return;
  }
  e.last_sent = clock::now();
  self->state.link->to_party(e.recipient, std::move(*frame));
  self->state.metrics->sent++;
}

void load(outbox_state& st) {
  st.reader->for_each(table::outbox, [&st](const bytes& key, const bytes& val) {
    auto msg = aligned_message::copy(val.data(), val.size(), ec::store_failure);
    if (!msg)
      return true;
    with_root<stored::OutboxEntry>(*msg, ec::store_failure,
                                   [&st, &key](stored::OutboxEntry::Reader r) {
                                     entry e;
                                     e.recipient = r.getRecipient();
                                     e.created_at = r.getCreatedAt();
                                     if (r.isDeliverySequence()) {
                                       e.delivery_sequence = r.getDeliverySequence();
                                     } else {
                                       auto n = r.getNotification();
                                       e.notification.assign(n.begin(), n.end());
                                     }
                                     st.entries.emplace(from_be64(key), std::move(e));
                                     return caf::error{};
                                   });
    return true;
  });
  st.metrics->pending = st.entries.size();
}

/// The erase of an acknowledged entry, plus "delivered" on the sender's dedupe record
/// so that its status query answers "delivered", and the decision for the evidence log.
std::vector<table_op> ack_ops(const outbox_state& st, uint64_t nid, const entry& e,
                              std::vector<decision_record>& decisions) {
  std::vector<table_op> ops;
  ops.push_back(table_op{std::string{table::outbox}, be64(nid), {}, true});
  decision_record dr;
  dr.party = e.recipient;
  dr.sequence = e.delivery_sequence;
  dr.detail = "notification " + std::to_string(nid) + " acknowledged by " + e.recipient;
  if (e.delivery_sequence == 0) {
    decisions.push_back(std::move(dr));
    return ops;
  }
  with_stored_envelope(
    *st.reader, e.delivery_sequence,
    [&st, &ops, &dr](stored::StoredDocument::Reader doc, wire::Envelope::Reader) {
      auto id = doc.getMessageId();
      dr.message_id.assign(id.begin(), id.end());
      auto dg = doc.getDigest();
      dr.digest.assign(dg.begin(), dg.end());
      dr.detail = "document " + std::to_string(doc.getSequence()) + " from "
                  + std::string{doc.getSender().cStr()} + " delivered to " + dr.party;
      auto key = dedupe_key(doc.getSender().cStr(), bytes(id.begin(), id.end()));
      auto raw = st.reader->get(table::dedupe, key);
      if (!raw)
        return raw.error();
      auto msg = aligned_message::copy(raw->data(), raw->size(), ec::store_failure);
      if (!msg)
        return msg.error();
      return with_root<stored::DedupeEntry>(*msg, ec::store_failure,
                                            [&ops, &key](stored::DedupeEntry::Reader old) {
                                              capnp::MallocMessageBuilder mb;
                                              mb.setRoot(old);
                                              mb.getRoot<stored::DedupeEntry>().setDelivered(true);
                                              ops.push_back(table_op{std::string{table::dedupe},
                                                                     key, to_bytes(mb), false});
                                              return caf::error{};
                                            });
    });
  decisions.push_back(std::move(dr));
  return ops;
}

/// One store write for the gathered acknowledgements; their entries are erased once it
/// is committed. If it fails they stay pending and are re-sent: the partner acks again.
void commit_acks(outbox_ptr self) {
  auto& st = self->state;
  if (st.ack_ids.empty())
    return;
  auto ids = std::move(st.ack_ids);
  st.ack_ids.clear();
  auto ops = std::move(st.ack_ops);
  st.ack_ops.clear();
  auto decisions = std::move(st.ack_decisions);
  st.ack_decisions.clear();
  self->request(st.store, std::chrono::seconds{30}, atom::write_v, std::move(ops),
                std::move(decisions))
    .then(
      [self, ids](uint64_t) {
        auto& st = self->state;
        for (auto nid : ids)
          st.entries.erase(nid);
        st.metrics->pending = st.entries.size();
        st.metrics->acknowledged += ids.size();
      },
      [self, ids](caf::error& err) {
        auto& st = self->state;
        for (auto nid : ids)
          if (auto i = st.entries.find(nid); i != st.entries.end())
            i->second.acking = false;
        // While the store is not ready (it logged why) every ack is refused: one line
        // per write would flood the log.
        auto line = "ack of " + std::to_string(ids.size()) + " notification(s) (first "
                    + std::to_string(ids.front()) + ") not committed: " + context_text(err);
        if (code_of(err) == ec::hub_not_ready)
          log::debug("outbox", line);
        else
          log::warn("outbox", line);
      });
}

outbox_actor::behavior_type outbox(outbox_ptr self, outbox_config cfg, store_actor store,
                                   std::shared_ptr<const store_reader> reader,
                                   std::shared_ptr<partner_link> link,
                                   std::shared_ptr<outbox_metrics> metrics) {
  auto& st = self->state;
  st.cfg = cfg;
  st.store = std::move(store);
  st.reader = std::move(reader);
  st.link = std::move(link);
  st.metrics = std::move(metrics);
  load(st);
  // A clean stop hands the gathered acknowledgements to the store before quitting
  // (swhubd stops the store only after the outbox is gone).
  self->set_exit_handler([self](caf::exit_msg& msg) {
    commit_acks(self);
    self->quit(msg.reason);
  });
  self->delayed_send(self, cfg.resend_interval, atom::resend_v);
  return {
    [self](atom::status) {
      return "outbox pending=" + std::to_string(self->state.entries.size());
    },
    [self](atom::deliver, uint64_t nid, std::string& recipient, uint64_t seq) {
      auto& st = self->state;
      entry e;
      e.recipient = std::move(recipient);
      e.created_at = now_ms();
      e.delivery_sequence = seq;
      auto [i, fresh] = st.entries.emplace(nid, std::move(e));
      if (!fresh)
        return; // loaded at start already
      st.metrics->pending = st.entries.size();
      send_entry(self, nid, i->second);
    },
    [self](atom::deliver, uint64_t nid, std::string& recipient, bytes& notification) {
      auto& st = self->state;
      entry e;
      e.recipient = std::move(recipient);
      e.created_at = now_ms();
      e.notification = std::move(notification);
      auto [i, fresh] = st.entries.emplace(nid, std::move(e));
      if (!fresh)
        return; // loaded at start already
      st.metrics->pending = st.entries.size();
      send_entry(self, nid, i->second);
    },
    [self](atom::ack, std::string& party, std::vector<uint64_t>& ids, bytes& route) {
      auto& st = self->state;
      for (auto nid : ids) {
        auto i = st.entries.find(nid);
        if (i == st.entries.end() || i->second.recipient != party) {
          receipt_info r;
          r.party = party;
          r.code = wire_code(ec::unknown_notification);
          r.reason = "no pending notification " + std::to_string(nid) + " for " + party;
          st.link->receipt(route, r);
          continue;
        }
        if (i->second.acking)
          continue; // its erase is already gathered or being committed
        i->second.acking = true;
        for (auto& op : ack_ops(st, nid, i->second, st.ack_decisions))
          st.ack_ops.push_back(std::move(op));
        st.ack_ids.push_back(nid);
      }
      if (st.ack_ids.size() >= max_ack_batch) {
        commit_acks(self);
      } else if (!st.ack_ids.empty() && !st.ack_flush_scheduled) {
        st.ack_flush_scheduled = true;
        self->send(self, atom::flush_v);
      }
    },
    [self](atom::flush) {
      self->state.ack_flush_scheduled = false;
      commit_acks(self);
    },
    [self](atom::online, std::string& party, bytes& route) {
      auto& st = self->state;
      uint32_t count = 0;
      for (auto& [nid, e] : st.entries)
        if (e.recipient == party)
          ++count;
      capnp::MallocMessageBuilder mb;
      auto w = mb.initRoot<wire::Frame>().initWelcome();
      w.setParty(party);
      w.setHubId(st.cfg.hub_id);
      w.setPendingNotifications(count);
      st.link->reply(route, to_bytes(mb));
      for (auto& [nid, e] : st.entries)
        if (e.recipient == party && !e.acking)
          send_entry(self, nid, e);
    },
    [self](atom::resend) {
      auto& st = self->state;
      auto due = clock::now() - st.cfg.resend_interval;
      for (auto& [nid, e] : st.entries)
        if (!e.acking && e.last_sent <= due)
          send_entry(self, nid, e);
      self->delayed_send(self, st.cfg.resend_interval, atom::resend_v);
    },
  };
}

} // namespace

caf::error validate(const outbox_config& cfg) {
  if (cfg.resend_interval.count() <= 0)
    return caf::make_error(ec::invalid_config, "outbox.resend-interval-ms must be > 0");
  return caf::none;
}

caf::expected<outbox_actor> spawn_outbox(caf::actor_system& sys, const outbox_config& cfg,
                                         store_actor store,
                                         std::shared_ptr<const store_reader> reader,
                                         std::shared_ptr<partner_link> link,
                                         std::shared_ptr<outbox_metrics> metrics) {
  if (auto err = validate(cfg))
    return err;
  if (!reader || !link)
    return caf::make_error(ec::invalid_config, "outbox dependencies missing");
  if (!metrics)
    metrics = std::make_shared<outbox_metrics>();
  return sys.spawn(outbox, cfg, std::move(store), std::move(reader), std::move(link),
                   std::move(metrics));
}

} // namespace hub
