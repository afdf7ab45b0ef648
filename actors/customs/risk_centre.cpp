#include "actors/customs/risk_centre.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/frame.capnp.h"
#include "schemas/notification.capnp.h"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/customs/customs_errors.hpp"

namespace hub::customs {


namespace {

using json = nlohmann::json;

struct risk_state {
  static inline const char* name = "risk-centre";
  std::string unit;   ///< "0000" (level 1) or "XX00" (level 2)
  customs_deps d;
  lodge_actor national; ///< level 2: the level-1 centre
  rule_set pending;     ///< level 1: the rule set including changes not yet committed
  /// Bumped when a refused commit sets `pending` back to the rules in force; a refusal
  /// of a change made under an older generation needs nothing more.
  uint64_t generation = 0;
};

using risk_ptr = lodge_actor::stateful_pointer<risk_state>;

std::string text(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

std::vector<std::string> texts(capnp::List<capnp::Text>::Reader l) {
  std::vector<std::string> out;
  for (auto t : l)
    out.push_back(text(t));
  return out;
}

condition condition_of(wire::RiskCondition::Reader w) {
  condition c;
  c.hs_prefixes = texts(w.getHsPrefixes());
  c.origins = texts(w.getOrigins());
  c.enterprises = texts(w.getEnterprises());
  c.transport_documents = texts(w.getTransportDocuments());
  for (auto& t : texts(w.getTiers()))
    if (tier_from_string(t))
      c.classes.push_back(t);
  return c;
}

/// A status notification to an officer about an instruction or proposal.
notice officer_notice(const std::string& to, const std::string& id, const std::string& reason, int64_t now) {
  capnp::MallocMessageBuilder mb;
  auto n = mb.initRoot<wire::Notification>();
  n.setCreatedAt(now);
  auto s = n.initStatus();
  s.setCaseId(id);
  s.setStatus(wire::DocumentStatus::RECEIVED);
  s.setReason(reason);
  s.setAt(now);
  return notice{to, to_bytes(mb)};
}

/// What one control-instruction document changes (level 1 only).
struct change {
  rule_set next;
  bool rules_changed = false;
  std::vector<table_op> ops;
  std::string detail;
  std::vector<notice> notices;
};

caf::expected<change> plan_change(risk_state& st, const party& officer, wire::ControlInstruction::Reader ci) {
  auto direct = st.d.cfg->direct_of(unit_of(officer));
  bool national = direct == "0000";
  auto id = text(ci.getInstructionId());
  auto now = now_ms();
  change ch;
  ch.next = st.pending;
  auto& ins = ch.next.instructions;
  auto existing = std::find_if(ins.begin(), ins.end(), [&](auto& x) { return x.id == id; });
  auto make = [&](int level) {
    control_instruction x;
    x.id = id;
    x.level = level;
    x.scope = level == 2 ? direct.substr(0, 2) : std::string{};
    x.issuer = officer.id;
    x.valid_from_ms = ci.getValidFrom() > 0 ? ci.getValidFrom() : now;
    x.valid_until_ms = ci.getValidUntil();
    x.when = condition_of(ci.getWhen());
    x.lane = text(ci.getLane()) == "red" ? lane::red : lane::yellow;
    x.reason = text(ci.getReason());
    return x;
  };
  switch (ci.getAction()) {
    case wire::ControlAction::ISSUE: {
      if (existing != ins.end())
        return caf::make_error(ec::invalid_field, "instructionId: " + id + " exists; revoke it or use a new id");
      auto x = make(national ? 1 : 2);
      if (x.valid_until_ms <= x.valid_from_ms)
        return caf::make_error(ec::invalid_field, "validUntil: the instruction would never be valid");
      ch.detail = "control instruction " + id + " issued by " + officer.id + " ("
                  + (national ? std::string{"level 1, national"} : "level 2, district " + x.scope) + "): "
                  + to_string(x.lane) + " until " + std::to_string(x.valid_until_ms) + ", " + x.reason;
      ins.push_back(std::move(x));
      ch.rules_changed = true;
      return ch;
    }
    case wire::ControlAction::PROPOSE: {
      if (national)
        return caf::make_error(errc::out_of_scope, "the national risk centre issues instructions directly; propose is for level 2");
      if (existing != ins.end() || st.d.reader->get(tables::proposals, bytes(id.begin(), id.end())))
        return caf::make_error(ec::invalid_field, "instructionId: " + id + " is already used");
      auto x = make(1);
      json j = json::parse(encode(rule_set{0, {}, {x}, {}}));
      json prop{{"instruction", j}, {"proposer", officer.id}, {"district", direct}, {"status", "pending"}, {"at", now}};
      auto v = prop.dump();
      ch.ops.push_back({std::string{tables::proposals}, bytes(id.begin(), id.end()), bytes(v.begin(), v.end()), false});
      ch.detail = "control instruction " + id + " proposed to level 1 by " + officer.id + " of " + direct + ": "
                  + to_string(x.lane) + ", " + x.reason;
      auto reg = st.d.registry->get();
      for (auto& p : reg->parties())
        if (unit_of(p) == "0000" && p.enabled && p.role == officer.role)
          ch.notices.push_back(officer_notice(p.id, id, "proposal " + id + " from risk centre " + direct
                                                          + " awaits approval: " + x.reason, now));
      return ch;
    }
    case wire::ControlAction::APPROVE: {
      if (!national)
        return caf::make_error(errc::out_of_scope, "only the national (level 1) risk centre approves proposals");
      auto stored = st.d.reader->get(tables::proposals, bytes(id.begin(), id.end()));
      auto prop = stored ? json::parse(stored->begin(), stored->end(), nullptr, false) : json{};
      if (!stored || prop.is_discarded() || prop.value("status", "") != "pending")
        return caf::make_error(errc::unknown_ruling, "instructionId: no pending proposal " + id);
      auto one = decode_rule_set(prop["instruction"].dump());
      if (!one || one->instructions.size() != 1)
        return caf::make_error(ec::store_failure, "proposal " + id + " unreadable");
      auto x = one->instructions.front();
      x.level = 1;
      x.scope.clear();
      x.issuer = officer.id;
      prop["status"] = "approved";
      prop["approvedBy"] = officer.id;
      auto v = prop.dump();
      ch.ops.push_back({std::string{tables::proposals}, bytes(id.begin(), id.end()), bytes(v.begin(), v.end()), false});
      ch.detail = "proposal " + id + " of " + prop.value("proposer", "") + " approved by " + officer.id
                  + ": national " + to_string(x.lane) + " instruction, " + x.reason;
      ch.notices.push_back(officer_notice(prop.value("proposer", ""), id, "proposal " + id + " approved by "
                                                                            + officer.id + "; in force nationally", now));
      ins.push_back(std::move(x));
      ch.rules_changed = true;
      return ch;
    }
    case wire::ControlAction::REVOKE: {
      if (existing == ins.end())
        return caf::make_error(errc::unknown_ruling, "instructionId: no instruction " + id + " in force");
      if (!national && (existing->level != 2 || existing->scope != direct.substr(0, 2)))
        return caf::make_error(errc::out_of_scope, "a level-2 centre revokes only its own district's instructions");
      ch.detail = "control instruction " + id + " revoked by " + officer.id;
      ins.erase(existing);
      ch.rules_changed = true;
      return ch;
    }
  }
  return caf::make_error(ec::invalid_field, "action: unknown");
}

caf::result<document_commit> publish(risk_ptr self, document_write& w) {
  auto& st = self->state;
  auto reg = st.d.registry->get();
  auto* officer = reg->by_id(w.sender);
  if (officer == nullptr)
    return caf::make_error(ec::role_not_allowed, "unknown sender " + w.sender);
  auto frame = aligned_message::copy(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  caf::expected<change> ch = caf::make_error(ec::malformed_payload, "no control instruction");
  auto err = with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
    auto p = f.getEnvelope().getPayload();
    auto msg = aligned_message::copy(p.begin(), p.size(), ec::malformed_payload);
    if (!msg)
      return msg.error();
    return with_root<wire::ControlInstruction>(*msg, ec::malformed_payload, [&](wire::ControlInstruction::Reader ci) {
      ch = plan_change(st, *officer, ci);
      return caf::error{};
    });
  });
  if (err)
    return err;
  if (!ch)
    return ch.error();
  if (ch->rules_changed) {
    ch->next.version = st.pending.version + 1;
    auto enc = encode(ch->next);
    ch->ops.push_back({std::string{rule_book_table}, rule_book_storage_key(ch->next.version), bytes(enc.begin(), enc.end()), false});
    ch->detail += "; rule set version " + std::to_string(ch->next.version);
    st.pending = ch->next;
  }
  decision_record dr;
  dr.party = w.sender;
  dr.message_id = w.message_id;
  dr.digest = sha256(reinterpret_cast<const uint8_t*>(ch->detail.data()), ch->detail.size());
  dr.detail = ch->detail;
  w.ops = std::move(ch->ops);
  w.decisions = {std::move(dr)};
  w.notices = ch->notices;
  auto rp = self->make_response_promise<document_commit>();
  auto next = ch->rules_changed ? std::make_shared<rule_set>(std::move(ch->next)) : nullptr;
  auto notices = ch->notices;
  auto generation = st.generation;
  self->request(st.d.store, st.d.store_timeout, atom::put_v, std::move(w))
    .then(
      [self, rp, next, notices](document_commit& dc) mutable {
        auto& st = self->state;
        if (!dc.existed) {
          if (next)
            st.d.rules->set(std::make_shared<const risk_engine>(customs_risk_engine(*next)));
          for (size_t i = 0; i < notices.size() && i < dc.notice_ids.size(); ++i)
            self->send(st.d.outbox, atom::deliver_v, dc.notice_ids[i], notices[i].recipient, notices[i].notification);
        } else {
          st.pending = st.d.rules->get()->rules();
        }
        rp.deliver(std::move(dc));
      },
      [self, rp, generation](caf::error& e) mutable {
        auto& st = self->state;
        if (generation == st.generation) {
          // Back to what is in force. Changes planned on the refused one are refused
          // too (the store fenced this centre) until resync.
          st.pending = st.d.rules->get()->rules();
          ++st.generation;
          self->send(st.d.store, atom::resync_v);
        }
        rp.deliver(std::move(e));
      });
  return rp;
}

lodge_actor::behavior_type national_centre(risk_ptr self, customs_deps deps) {
  self->state.unit = "0000";
  self->state.d = std::move(deps);
  self->state.pending = self->state.d.rules->get()->rules();
  self->send(self->state.d.store, atom::resync_v); // fence the centre after each refused write
  return {
    [self](atom::status) {
      return "risk-centre 0000 rule-set=" + std::to_string(self->state.pending.version);
    },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> { return publish(self, w); },
  };
}

lodge_actor::behavior_type district_centre(risk_ptr self, std::string unit, customs_deps deps, lodge_actor national) {
  self->state.unit = std::move(unit);
  self->state.d = std::move(deps);
  self->state.national = std::move(national);
  return {
    [self](atom::status) { return "risk-centre " + self->state.unit; },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> {
      auto& st = self->state;
      auto reg = st.d.registry->get();
      auto* officer = reg->by_id(w.sender);
      if (officer == nullptr || st.d.cfg->direct_of(unit_of(*officer)) != st.unit)
        return caf::make_error(errc::out_of_scope, "risk centre " + st.unit + " takes instructions from its own officers only");
      // The district centre has its officers' instructions published by the national
      // one, which keeps the single versioned rule book (SR-05.2).
      auto rp = self->make_response_promise<document_commit>();
      self->request(st.national, st.d.store_timeout * 2, atom::lodge_v, std::move(w))
        .then([rp](document_commit& dc) mutable { rp.deliver(std::move(dc)); },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
      return rp;
    },
  };
}

} // namespace

caf::error load_rule_book(customs_deps& deps, const store_actor& store) {
  rule_set stored;
  bool have = false;
  deps.reader->for_each(rule_book_table, [&](const bytes&, const bytes& val) {
    auto r = decode_rule_set(std::string(val.begin(), val.end()));
    if (r) {
      stored = std::move(*r);
      have = true;
    }
    return true;
  });
  rule_set merged = deps.cfg->rules;
  merged.instructions = stored.instructions;
  merged.version = stored.version;
  if (!have || encode(merged) != encode(stored)) {
    merged.version = stored.version + 1;
    auto enc = encode(merged);
    caf::scoped_actor self{store->home_system()};
    caf::error err;
    write_set ws;
    ws.ops.push_back({std::string{rule_book_table}, rule_book_storage_key(merged.version), bytes(enc.begin(), enc.end()), false});
    decision_record dr;
    dr.party = "hub";
    dr.digest = sha256(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
    dr.detail = "risk rule set version " + std::to_string(merged.version) + " from " + deps.cfg->risk_file + ": "
                + std::to_string(merged.parameters.size()) + " parameters, " + std::to_string(merged.instructions.size())
                + " control instructions";
    ws.decisions.push_back(std::move(dr));
    self->request(store, std::chrono::seconds{30}, atom::write_v, std::move(ws))
      .receive([](write_result&) {}, [&err](caf::error& e) { err = std::move(e); });
    if (err)
      return err;
  }
  log::info("risk-centre", "rule set version " + std::to_string(merged.version) + ": "
                             + std::to_string(merged.parameters.size()) + " risk parameters, "
                             + std::to_string(merged.instructions.size()) + " control instructions");
  deps.rules = std::make_shared<rule_book>(std::string{risk_domain},
                                           std::make_shared<const risk_engine>(customs_risk_engine(std::move(merged))));
  return caf::none;
}

std::map<std::string, lodge_actor> spawn_risk_centres(caf::actor_system& sys, customs_deps deps) {
  std::map<std::string, lodge_actor> out;
  auto national = sys.spawn(national_centre, deps);
  out.emplace("0000", national);
  for (auto& [code, u] : deps.cfg->units)
    if (u.kind == customs_unit::direct)
      out.emplace(code, sys.spawn(district_centre, code, deps, national));
  return out;
}

} // namespace hub::customs
