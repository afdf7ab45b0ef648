#include "actors/foreign/aeo_desk.hpp"

#include <algorithm>
#include <map>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/foreign/foreign_config.hpp"
#include "actors/foreign/foreign_errors.hpp"
#include "actors/foreign/foreign_tables.hpp"
#include "actors/mra/foreign_aeo.hpp"
#include "actors/store/storage.hpp"
#include "schemas/foreign.capnp.h"
#include "schemas/frame.capnp.h"
#include "schemas/notification.capnp.h"

namespace hub::foreign {

namespace wire = swhub::wire;
using json = nlohmann::json;

namespace {

/// What the hub holds of one arrangement's list.
struct partner_list {
  uint64_t highest = 0;   ///< highest record version applied
  uint64_t batches = 0;
  std::string last_batch;
  int64_t last_at = 0;
};

struct desk_state {
  static inline const char* name = "foreign.aeo-desk";
  aeo_desk_deps d;
  /// arrangement \0 id -> version applied. Runs ahead of the store (a batch's versions
  /// count before its commit, so the next batch builds on them); a refused commit
  /// reloads it from LMDB.
  std::map<std::string, uint64_t> versions;
  std::map<std::string, partner_list> lists; ///< by arrangement id
  std::map<std::string, size_t> counts;      ///< records held, by arrangement id
  uint64_t generation = 0;
  uint64_t batches = 0, applied = 0, unchanged = 0;
};

using desk_ptr = lodge_actor::stateful_pointer<desk_state>;

const char* status_name(wire::AeoStatus s) {
  switch (s) {
    case wire::AeoStatus::VALID: return "valid";
    case wire::AeoStatus::SUSPENDED: return "suspended";
    case wire::AeoStatus::REVOKED: return "revoked";
    case wire::AeoStatus::WITHDRAWN: return "withdrawn";
  }
  return "?";
}

bytes as_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

void load(desk_state& st) {
  st.versions.clear();
  st.lists.clear();
  st.counts.clear();
  st.d.reader->for_each(tables::partner_aeo, [&](const bytes& key, const bytes& val) {
    if (auto r = mra::decode(val)) {
      st.versions[std::string(key.begin(), key.end())] = r->version;
      st.counts[r->arrangement]++;
    }
    return true;
  });
  st.d.reader->for_each(tables::partner_state, [&](const bytes& key, const bytes& val) {
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (j.is_object()) {
      try {
        partner_list l;
        l.highest = j.value("highestVersion", uint64_t{0});
        l.batches = j.value("batches", uint64_t{0});
        l.last_batch = j.value("lastBatchId", "");
        l.last_at = j.value("lastBatchAt", int64_t{0});
        st.lists[std::string(key.begin(), key.end())] = l;
      } catch (const json::exception&) { // damaged: the next batch writes it again
      }
    }
    return true;
  });
}

notice receipt_notice(const std::string& recipient, const json& body, const std::string& reason, int64_t now) {
  auto text = body.dump();
  capnp::MallocMessageBuilder mb;
  auto n = mb.initRoot<wire::Notification>();
  n.setCreatedAt(now);
  auto d = n.initDocument();
  d.setFormat("json");
  d.setName("foreign.aeo-receipt");
  d.setContent(kj::arrayPtr(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  d.setStatus(wire::DocumentStatus::ACCEPTED);
  d.setReason(valid_utf8(reason));
  return notice{recipient, to_bytes(mb)};
}

/// Versions above this are refused: JSON readers keep integers exact up to 2^53.
constexpr uint64_t max_version = (uint64_t{1} << 53) - 1;

/// A record as read from the batch: every Cap'n Proto read happens before any state
/// changes (a read past the message's limits then refuses the batch, changing nothing).
mra::foreign_aeo read_record(wire::AeoRecord::Reader r) {
  mra::foreign_aeo rec;
  rec.id = r.getId().cStr();
  rec.name = r.getName().cStr();
  rec.address = r.getAddress().cStr();
  rec.status = status_name(r.getStatus());
  rec.validated_at = r.getValidatedAt();
  rec.programme = r.getProgramme().cStr();
  rec.version = r.getVersion();
  rec.changed_at = r.getChangedAt();
  rec.reason = r.getReason().cStr();
  for (auto x : r.getExtras())
    rec.extras.emplace_back(x.getKey().cStr(), x.getValue().cStr());
  return rec;
}

/// Decides one batch into `w` (ops, evidence, the receipt) and the desk's memory; an
/// error changes neither.
caf::error decide(desk_state& st, document_write& w, const mra_descriptor& mra, wire::AeoBatch::Reader b,
                  int64_t now) {
  std::string data_set = b.getDataSet().cStr();
  if (data_set != mra.data_set)
    return caf::make_error(errc::data_set_mismatch, "dataSet: \"" + data_set.substr(0, 32) + "\" is not arrangement "
                                                      + mra.id + "'s (" + mra.data_set + ")");
  auto cfg = st.d.cfg;
  if (b.getRecords().size() > cfg->max_records)
    return caf::make_error(ec::invalid_field, "records: more than " + std::to_string(cfg->max_records)
                                                + " (foreign.toml max-records-per-batch)");
  std::string batch_id = b.getBatchId().cStr();
  std::vector<mra::foreign_aeo> records;
  records.reserve(b.getRecords().size());
  for (auto r : b.getRecords())
    records.push_back(read_record(r));
  size_t fresh = 0;
  for (size_t i = 0; i < records.size(); ++i) { // every check before any change
    auto& rec = records[i];
    if (auto why = id_problem(mra.scheme, rec.id); !why.empty())
      return caf::make_error(errc::invalid_identifier, "records[" + std::to_string(i) + "].id: \""
                                                         + rec.id.substr(0, 35) + "\": " + why + " (arrangement "
                                                         + mra.id + ")");
    if (rec.version > max_version)
      return caf::make_error(ec::invalid_field, "records[" + std::to_string(i) + "].version: above 2^53 - 1");
    if (st.versions.count(mra::key_of(mra.id, rec.id)) == 0)
      ++fresh;
  }
  if (st.counts[mra.id] + fresh > cfg->max_held)
    return caf::make_error(ec::invalid_field, "records: the hub would hold " + std::to_string(st.counts[mra.id] + fresh)
                                                + " operators of arrangement " + mra.id + ", at most "
                                                + std::to_string(cfg->max_held)
                                                + " (foreign.toml max-records-per-arrangement)");
  auto& list = st.lists[mra.id];
  size_t applied = 0, unchanged = 0, ended = 0;
  std::vector<std::string> events;
  for (auto& rec : records) {
    auto key = mra::key_of(mra.id, rec.id);
    auto& held = st.versions[key];
    if (rec.version <= held) { // already applied, or an older word than the one held
      ++unchanged;
      continue;
    }
    bool is_new = held == 0;
    rec.arrangement = mra.id;
    rec.received_at = now;
    rec.batch_id = batch_id;
    rec.recognised = mra.we_recognise.empty()
                     || std::find(mra.we_recognise.begin(), mra.we_recognise.end(), rec.programme)
                          != mra.we_recognise.end();
    w.ops.push_back({tables::partner_aeo, as_bytes(key), mra::encode(rec), false});
    held = rec.version;
    list.highest = std::max(list.highest, rec.version);
    if (is_new)
      st.counts[mra.id]++;
    ++applied;
    if (!rec.valid()) {
      ++ended;
      if (events.size() < 20)
        events.push_back(rec.id + " " + rec.status
                         + (rec.reason.empty() ? "" : " (" + valid_utf8(rec.reason.substr(0, 80)) + ")"));
    }
  }
  list.batches++;
  list.last_batch = batch_id;
  list.last_at = now;
  auto state = json{{"arrangement", mra.id},        {"partner", mra.partner},
                    {"highestVersion", list.highest}, {"records", st.counts[mra.id]},
                    {"batches", list.batches},        {"lastBatchId", batch_id},
                    {"lastBatchAt", now}}
                 .dump();
  w.ops.push_back({tables::partner_state, as_bytes(mra.id), as_bytes(state), false});
  auto body = json{{"arrangement", mra.id},     {"batchId", batch_id},       {"records", records.size()},
                   {"applied", applied},        {"unchanged", unchanged},    {"notValid", ended},
                   {"highestVersion", list.highest}, {"held", st.counts[mra.id]}};
  std::string what = "AEO batch " + batch_id + " of arrangement " + mra.id + ": " + std::to_string(applied)
                     + " applied, " + std::to_string(unchanged) + " unchanged, highest version "
                     + std::to_string(list.highest);
  decision_record dr;
  dr.party = w.sender;
  dr.message_id = w.message_id;
  dr.digest = sha256(reinterpret_cast<const uint8_t*>(state.data()), state.size());
  dr.detail = what;
  for (size_t k = 0; k < events.size(); ++k)
    dr.detail += (k == 0 ? "; not valid now: " : ", ") + events[k];
  if (ended > events.size())
    dr.detail += ", and " + std::to_string(ended - events.size()) + " more";
  w.decisions.push_back(std::move(dr));
  w.notices.push_back(receipt_notice(w.sender, body, what, now));
  st.applied += applied;
  st.unchanged += unchanged;
  return caf::none;
}

/// Memory becomes what LMDB holds, and the store is told that what the desk sends from
/// now on builds on it (it fences the desk after each refused write until then).
void resync(desk_ptr self, const std::string& why) {
  load(self->state);
  ++self->state.generation;
  self->send(self->state.d.store, atom::resync_v);
  log::warn("foreign", "AEO records reloaded from LMDB after: " + why);
}

caf::result<document_commit> lodge(desk_ptr self, document_write& w) {
  auto& st = self->state;
  auto* mra = st.d.cfg->mra_of_party(w.sender);
  if (mra == nullptr)
    return caf::make_error(errc::no_arrangement, "party " + w.sender
                                                   + " is not the partner of any mutual-recognition arrangement "
                                                     "(foreign.toml [[mra]] partner)");
  auto frame = aligned_message::copy(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  auto now = now_ms();
  caf::error err;
  try {
    err = with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
      auto p = f.getEnvelope().getPayload();
      auto msg = aligned_message::copy(p.begin(), p.size(), ec::malformed_payload);
      if (!msg)
        return msg.error();
      return with_root<wire::AeoBatch>(*msg, ec::malformed_payload,
                                       [&](wire::AeoBatch::Reader b) { return decide(st, w, *mra, b, now); });
    });
  } catch (const std::exception& e) { // never leave memory half-changed, never stop the desk
    resync(self, e.what());
    return caf::make_error(ec::hub_busy, std::string{"the AEO desk failed on this batch: "} + e.what());
  }
  if (err)
    return err; // decide checks everything before it changes anything
  st.batches++;
  auto notices = w.notices;
  auto rp = self->make_response_promise<document_commit>();
  auto generation = st.generation;
  // No timeout: a late commit is not a refused one (it may still land).
  self->request(st.d.store, caf::infinite, atom::put_v, std::move(w))
    .then(
      [self, rp, notices](document_commit& c) mutable {
        // `existed`: the same message was committed before (a resend); what this
        // decision found was already applied by the original, so memory is right.
        if (!c.existed)
          for (size_t i = 0; i < notices.size() && i < c.notice_ids.size(); ++i)
            self->send(self->state.d.outbox, atom::deliver_v, c.notice_ids[i], notices[i].recipient,
                       notices[i].notification);
        rp.deliver(std::move(c));
      },
      [self, rp, generation](caf::error& e) mutable {
        if (generation == self->state.generation)
          resync(self, context_text(e));
        rp.deliver(std::move(e));
      });
  return rp;
}

lodge_actor::behavior_type aeo_desk(desk_ptr self, aeo_desk_deps deps) {
  self->state.d = std::move(deps);
  load(self->state);
  self->send(self->state.d.store, atom::resync_v); // fence the desk after each refused write
  return {
    [self](atom::status) -> std::string {
      auto& st = self->state;
      return "aeo desk: " + std::to_string(st.batches) + " batches, " + std::to_string(st.applied)
             + " records applied, " + std::to_string(st.unchanged) + " unchanged, "
             + std::to_string(st.versions.size()) + " held";
    },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> { return lodge(self, w); },
  };
}

} // namespace

lodge_actor spawn_aeo_desk(caf::actor_system& sys, aeo_desk_deps deps) {
  return sys.spawn(aeo_desk, std::move(deps));
}

} // namespace hub::foreign
