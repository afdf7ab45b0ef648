#include "actors/customs/customs_office.hpp"

#include <set>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/notification.capnp.h"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"

namespace hub::customs {

namespace {

using json = nlohmann::json;

struct task {
  std::string kind;
  std::string officer;
  int64_t at = 0;
};

struct office_state {
  static inline const char* name = "customs-office";
  customs_unit unit;
  customs_deps d;
  /// Case id -> the assignment as stored (or being stored: `busy`).
  std::map<std::string, task> open;
  /// Case id -> the task kind clearance last announced and has not withdrawn.
  std::map<std::string, std::string> wanted;
  /// Cases with a write in flight: at most one per case, so `open` follows the store.
  std::set<std::string> busy;
  /// Cases whose last write the store refused; written again on the retry timer.
  std::set<std::string> retry;
  bool timer = false;
  std::chrono::milliseconds retry_delay{50}; ///< doubles while writes are refused
};

using office_ptr = office_actor::stateful_pointer<office_state>;

bytes key_of(const std::string& unit, const std::string& case_id) {
  std::string k = unit + std::string(1, '\0') + case_id;
  return bytes(k.begin(), k.end());
}

/// The unit's officers; a unit without its own falls back to its direct customs'.
std::vector<std::string> officers_of(const office_state& st) {
  auto reg = st.d.registry->get();
  std::vector<std::string> out;
  for (auto& p : reg->parties())
    if (p.enabled && p.role == "customs-officer" && unit_of(p) == st.unit.code)
      out.push_back(p.id);
  if (out.empty() && !st.unit.parent.empty())
    for (auto& p : reg->parties())
      if (p.enabled && p.role == "customs-officer" && unit_of(p) == st.unit.parent)
        out.push_back(p.id);
  return out;
}

notice task_notice(const std::string& officer, const std::string& case_id, const std::string& kind,
                   const std::string& unit, int64_t now) {
  capnp::MallocMessageBuilder mb;
  auto n = mb.initRoot<wire::Notification>();
  n.setCreatedAt(now);
  auto s = n.initStatus();
  s.setCaseId(case_id);
  s.setStatus(kind == "examination" ? wire::DocumentStatus::FOR_EXAMINATION
              : kind == "documentary check" ? wire::DocumentStatus::DOCUMENTARY_CHECK
                                            : wire::DocumentStatus::AUDIT_PENDING);
  s.setReason(kind + " of declaration " + case_id + " assigned to you by customs unit " + unit);
  s.setWaitingOn(kind + " by " + officer);
  s.setAt(now);
  return notice{officer, to_bytes(mb)};
}

void sync(office_ptr self, const std::string& case_id);

/// A refused write is tried again later (50 ms doubling to 2 s, like the store's
/// probe): clearance announces a task once, so the office must not drop it.
void retry_later(office_ptr self, const std::string& case_id) {
  auto& st = self->state;
  st.retry.insert(case_id);
  if (st.timer)
    return;
  st.timer = true;
  self->delayed_send(self, st.retry_delay, atom::tick_v);
  st.retry_delay = std::min(st.retry_delay * 2, std::chrono::milliseconds{2000});
}

/// Assigns the task to an officer at random and stores the assignment, its draw in the
/// evidence log and the officer's notification in one commit.
void assign(office_ptr self, const std::string& case_id, const std::string& kind) {
  auto& st = self->state;
  auto officers = officers_of(st);
  if (officers.empty()) {
    log::warn("customs-office", st.unit.code + ": no customs officer registered for " + kind + " of " + case_id);
    return;
  }
  auto now = now_ms();
  uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
    seed = static_cast<uint64_t>(now) ^ std::hash<std::string>{}(case_id);
  auto pick = static_cast<size_t>(risk::draw(seed, "assign") % static_cast<ppm>(officers.size()));
  task t{kind, officers[pick], now};
  st.open[case_id] = t;
  st.busy.insert(case_id);
  json j{{"kind", kind}, {"officer", t.officer}, {"at", now}, {"seed", std::to_string(seed)},
         {"candidates", officers}};
  auto v = j.dump();
  write_set ws;
  ws.ops.push_back({std::string{tables::tasks}, key_of(st.unit.code, case_id), bytes(v.begin(), v.end()), false});
  decision_record dr;
  dr.party = t.officer;
  auto detail = kind + " of case " + case_id + " assigned by unit " + st.unit.code + " to " + t.officer
                + " (random draw, seed " + std::to_string(seed) + ", " + std::to_string(officers.size())
                + " officers)";
  dr.digest = sha256(reinterpret_cast<const uint8_t*>(detail.data()), detail.size());
  dr.detail = detail;
  ws.decisions.push_back(std::move(dr));
  ws.notices.push_back(task_notice(t.officer, case_id, kind, st.unit.code, now));
  auto n = ws.notices.front();
  self->request(st.d.store, st.d.store_timeout, atom::write_v, std::move(ws))
    .then(
      [self, n, case_id](write_result& wr) {
        self->state.busy.erase(case_id);
        self->state.retry_delay = std::chrono::milliseconds{50};
        if (!wr.notice_ids.empty())
          self->send(self->state.d.outbox, atom::deliver_v, wr.notice_ids.front(), n.recipient, n.notification);
        sync(self, case_id); // clearance may have withdrawn or changed it meanwhile
      },
      [self, case_id](caf::error& err) {
        auto& st = self->state;
        st.busy.erase(case_id);
        st.open.erase(case_id); // not stored; the draw was not recorded: drawn again
        log::warn("customs-office", "assignment of " + case_id + " not committed, retried: " + context_text(err));
        retry_later(self, case_id);
      });
}

/// Erases a stored assignment; `open` keeps it until the erase is committed.
void unassign(office_ptr self, const std::string& case_id) {
  auto& st = self->state;
  st.busy.insert(case_id);
  write_set ws;
  ws.ops.push_back({std::string{tables::tasks}, key_of(st.unit.code, case_id), {}, true});
  self->request(st.d.store, st.d.store_timeout, atom::write_v, std::move(ws))
    .then(
      [self, case_id](write_result&) {
        self->state.busy.erase(case_id);
        self->state.retry_delay = std::chrono::milliseconds{50};
        self->state.open.erase(case_id);
        sync(self, case_id);
      },
      [self, case_id](caf::error& err) {
        self->state.busy.erase(case_id);
        log::warn("customs-office", "task close of " + case_id + " not committed, retried: " + context_text(err));
        retry_later(self, case_id);
      });
}

/// Brings the stored assignment of one case to what clearance wants: none, or one of
/// the wanted kind. A case already assigned that kind keeps its officer (a restart
/// re-announces open cases).
void sync(office_ptr self, const std::string& case_id) {
  auto& st = self->state;
  if (st.busy.count(case_id) != 0)
    return; // decided again when the write in flight returns
  auto w = st.wanted.find(case_id);
  auto o = st.open.find(case_id);
  if (o != st.open.end() && (w == st.wanted.end() || w->second != o->second.kind))
    return unassign(self, case_id);
  if (w != st.wanted.end() && o == st.open.end())
    return assign(self, case_id, w->second);
}

office_actor::behavior_type office(office_ptr self, customs_unit unit, customs_deps deps) {
  auto& st = self->state;
  st.unit = std::move(unit);
  st.d = std::move(deps);
  auto prefix = st.unit.code + std::string(1, '\0');
  st.d.reader->for_each(tables::tasks, [&](const bytes& key, const bytes& val) {
    std::string k(key.begin(), key.end());
    if (k.rfind(prefix, 0) != 0)
      return true;
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (!j.is_discarded())
      st.open[k.substr(prefix.size())] = task{j.value("kind", ""), j.value("officer", ""), j.value("at", int64_t{0})};
    return true;
  });
  // A task whose case moved on while the hub was down (the close was not committed).
  std::vector<std::string> stale;
  for (auto& [id, t] : st.open) {
    auto b = st.d.reader->get(tables::cases, bytes(id.begin(), id.end()));
    auto c = b ? decode_case(*b) : caf::expected<case_record>{b.error()};
    bool inspection = t.kind == "examination" || t.kind == "documentary check";
    if (!c || c->final() || (inspection && c->at != stage::inspection) || (!inspection && c->status != "auditPending"))
      stale.push_back(id);
  }
  for (auto& id : stale)
    sync(self, id); // not wanted: closed
  return {
    [self](atom::status) {
      return "customs-office " + self->state.unit.code + " open-tasks=" + std::to_string(self->state.open.size());
    },
    [self](atom::task, std::string& case_id, std::string& kind, bool open) {
      auto& st = self->state;
      if (open) {
        st.wanted[case_id] = kind;
      } else {
        auto w = st.wanted.find(case_id);
        if (w == st.wanted.end() || w->second == kind)
          st.wanted.erase(case_id);
      }
      sync(self, case_id);
    },
    [self](atom::tick) {
      auto& st = self->state;
      st.timer = false;
      auto due = std::move(st.retry);
      st.retry.clear();
      for (auto& id : due)
        sync(self, id); // a write refused again re-arms the timer, later each time
    },
  };
}

} // namespace

std::map<std::string, office_actor> spawn_offices(caf::actor_system& sys, const customs_deps& deps) {
  std::map<std::string, office_actor> out;
  for (auto& [code, u] : deps.cfg->units)
    out.emplace(code, sys.spawn(office, u, deps));
  return out;
}

} // namespace hub::customs
