#include "actors/customs/clearance.hpp"

#include <map>
#include <string_view>

#include <caf/all.hpp>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/customs_documents.hpp"
#include "actors/customs/tax_centre.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/customs/customs_errors.hpp"

namespace hub::customs {

namespace {

using namespace detail;

/// What clearance does with each customs document kind it decides itself (control
/// instructions go on to the officer's risk centre).
using case_handler = caf::expected<plan> (*)(clearance_state&, const document_write&, const party&);

const std::map<std::string_view, case_handler>& case_handlers() {
  static const std::map<std::string_view, case_handler> handlers{
    {doc::declaration,
     [](clearance_state& st, const document_write& w, const party&) { return on_declaration(st, w, nullptr); }},
    {doc::amendment, [](clearance_state& st, const document_write& w, const party&) { return on_amendment(st, w); }},
    {doc::inspection_result, &on_inspection},
    {doc::valuation_evidence, &on_evidence},
    {doc::tax_payment, [](clearance_state& st, const document_write& w, const party&) { return on_payment(st, w); }},
    {doc::advance_ruling, [](clearance_state& st, const document_write& w, const party&) { return on_ruling(st, w); }},
    {doc::agency_licence, &on_licence},
    {doc::credit_decision, &on_credit_decision},
    {doc::disclosure, &on_disclosure},
    {doc::agency_decision, &on_agency_decision},
  };
  return handlers;
}

using clearance_ptr = clearance_actor::stateful_pointer<clearance_state>;

// -- commit and follow-ups -----------------------------------------------------

void reload(clearance_state& st);

/// Forgets cached state of a plan that changed nothing (its document was committed
/// before); it is re-read from LMDB.
void invalidate(clearance_state& st, const plan& p) {
  for (auto& id : p.touched_cases) {
    auto i = st.cases.find(id);
    if (i != st.cases.end()) {
      st.refs.erase(case_ref_key(i->second.declarant, i->second.declaration_id));
      st.cases.erase(i);
    }
  }
  for (auto& code : p.touched_enterprises)
    st.enterprises.erase(code);
}

/// Tells the customs offices about tasks a case now needs or no longer needs.
void announce_task(clearance_state& st, const case_record& c) {
  auto want = task_of(st, c);
  auto had = st.tasked.find(c.case_id);
  if (had != st.tasked.end() && had->second == want)
    return;
  if (had != st.tasked.end()) {
    if (auto o = st.offices.find(had->second.first); o != st.offices.end())
      caf::anon_send(o->second, atom::task_v, c.case_id, had->second.second, false);
    st.tasked.erase(had);
  }
  if (want.first.empty())
    return;
  if (auto o = st.offices.find(want.first); o != st.offices.end())
    caf::anon_send(o->second, atom::task_v, c.case_id, want.second, true);
  st.tasked[c.case_id] = std::move(want);
}

void after_commit(clearance_ptr self, const plan& p, const std::vector<uint64_t>& ids) {
  auto& st = self->state;
  for (size_t i = 0; i < p.notices.size() && i < ids.size(); ++i)
    self->send(st.d.outbox, atom::deliver_v, ids[i], p.notices[i].recipient, p.notices[i].notification);
  for (auto& [centre, id] : p.reviews)
    if (auto c = st.centres.find(centre); c != st.centres.end())
      self->send(c->second, atom::review_v, id);
  for (auto& id : p.touched_cases) {
    auto i = st.cases.find(id);
    if (i == st.cases.end())
      continue;
    announce_task(st, i->second);
    // Final cases leave memory (LMDB has them) once nothing is owed or reviewed.
    if (i->second.settled()) {
      st.refs.erase(case_ref_key(i->second.declarant, i->second.declaration_id));
      st.cases.erase(i);
    }
  }
}

/// After a refused commit (or a desk failure): memory becomes what LMDB holds. Every
/// plan still in flight was made on the memory being discarded, and the store refuses
/// it (it fenced clearance at the refusal); resync tells the store that what clearance
/// sends from now on builds on what is stored.
void rollback(clearance_ptr self, const caf::error& why) {
  auto& st = self->state;
  reload(st);
  ++st.generation;
  self->send(st.d.store, atom::resync_v);
  log::warn("clearance", "cases, accounts, licences, rulings and credit reloaded from LMDB after: "
                           + context_text(why));
}

using steady = std::chrono::steady_clock;

uint32_t micros_since(steady::time_point t0) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t0).count());
}

caf::result<document_commit> commit_document(clearance_ptr self, document_write& w, plan p,
                                             steady::time_point t0) {
  auto& st = self->state;
  bool declaration = w.document_type == doc::declaration;
  auto decide_us = micros_since(t0);
  w.ops = std::move(p.ops);
  w.decisions = std::move(p.decisions);
  w.notices = p.notices;
  w.case_key = p.case_key;
  auto rp = self->make_response_promise<document_commit>();
  auto generation = st.generation;
  self->request(st.d.store, st.d.store_timeout, atom::put_v, std::move(w))
    .then(
      [self, rp, p, t0, declaration, decide_us](document_commit& dc) mutable {
        if (dc.existed) {
          invalidate(self->state, p); // committed before (a replay): nothing of this plan applied
        } else {
          if (declaration && self->state.d.metrics)
            self->state.d.metrics->step1(decide_us, micros_since(t0));
          after_commit(self, p, dc.notice_ids);
        }
        rp.deliver(std::move(dc));
      },
      [self, rp, generation](caf::error& err) mutable {
        if (generation == self->state.generation)
          rollback(self, err);
        rp.deliver(std::move(err));
      });
  return rp;
}

void commit_set(clearance_ptr self, plan p, caf::typed_response_promise<bool> rp) {
  auto& st = self->state;
  write_set ws{std::move(p.ops), std::move(p.decisions), p.notices};
  auto generation = st.generation;
  self->request(st.d.store, st.d.store_timeout, atom::write_v, std::move(ws))
    .then(
      [self, rp, p](write_result& wr) mutable {
        after_commit(self, p, wr.notice_ids);
        rp.deliver(true);
      },
      [self, rp, generation](caf::error& err) mutable {
        if (generation == self->state.generation)
          rollback(self, err);
        rp.deliver(std::move(err));
      });
}

void check_deadlines(clearance_ptr self) {
  auto p = deadline_plan(self->state, now_ms());
  if (p.ops.empty())
    return;
  auto rp = self->make_response_promise<bool>();
  commit_set(self, std::move(p), rp);
}

// -- start ---------------------------------------------------------------------

void load(clearance_state& st) {
  uint64_t max_serial = 0;
  st.d.reader->for_each(tables::cases, [&](const bytes& key, const bytes& val) {
    auto id = as_string(key);
    if (id.size() == 18)
      max_serial = std::max<uint64_t>(max_serial, std::stoull(id.substr(9)));
    auto c = decode_case(val);
    if (c && !c->settled()) {
      st.refs[case_ref_key(c->declarant, c->declaration_id)] = id;
      st.cases.emplace(id, std::move(*c));
    }
    return true;
  });
  st.next_serial = max_serial + 1;
  std::map<std::string, std::pair<uint32_t, uint32_t>> history;
  st.d.reader->for_each(tables::enterprises, [&](const bytes& key, const bytes& val) {
    auto& e = st.enterprises[as_string(key)] = decode_enterprise(val);
    history[as_string(key)] = {e.declarations, e.violations};
    return true;
  });
  st.board->set_histories(std::move(history)); // assessors read it
  load_rulings(st);
  load_licences(st);
  load_credit(st);
}

/// Drops every cached case, account and ruling and reads them again from LMDB.
void reload(clearance_state& st) {
  st.cases.clear();
  st.refs.clear();
  st.enterprises.clear();
  st.disclosures.clear(); // LMDB has the committed ones
  load(st);
}

clearance_actor::behavior_type clearance(clearance_ptr self, customs_deps deps,
                                         std::map<std::string, lodge_actor> risk_centres,
                                         std::map<std::string, office_actor> offices,
                                         std::shared_ptr<step1_board> board) {
  auto& st = self->state;
  st.d = std::move(deps);
  st.risk_centres = std::move(risk_centres);
  st.offices = std::move(offices);
  st.board = std::move(board);
  load(st);
  self->send(st.d.store, atom::resync_v); // fence clearance after each refused write
  for (auto& [id, c] : st.cases) // offices ignore tasks they have already assigned
    announce_task(st, c);
  auto me = caf::actor_cast<clearance_actor>(self);
  for (auto& tc : st.d.cfg->tax_centres) {
    auto h = spawn_tax_centre(self->system(), tc, st.d, me);
    self->link_to(h);
    st.centres.emplace(tc.id, h);
  }
  self->delayed_send(self, st.d.cfg->release.check_interval, atom::tick_v);
  log::info("clearance", "customs cases open: " + std::to_string(st.cases.size()) + ", next serial "
                           + std::to_string(st.next_serial));
  return {
    [self](atom::status) {
      return "clearance open-cases=" + std::to_string(self->state.cases.size());
    },
    [self](atom::lodge, document_write& w) -> caf::result<document_commit> {
      auto t0 = steady::now();
      auto& st = self->state;
      auto reg = st.d.registry->get();
      auto* sender = reg->by_id(w.sender);
      if (sender == nullptr)
        return caf::make_error(ec::role_not_allowed, "unknown sender " + w.sender);
      caf::expected<plan> p = caf::make_error(ec::unknown_document_type, w.document_type);
      const auto& t = w.document_type;
      try {
        if (auto h = case_handlers().find(t); h != case_handlers().end())
          p = h->second(st, w, *sender);
      } catch (const std::exception& e) {
        // Never take the desk down on one document: forget what it may have half
        // changed in memory (LMDB is unchanged) and refuse it.
        log::error("clearance", t + " from " + w.sender + " failed: " + e.what());
        rollback(self, caf::make_error(ec::hub_busy, t + " failed: " + e.what()));
        return caf::make_error(ec::hub_busy, "the customs desk could not decide this document; retry later");
      }
      if (t == doc::control_instruction) {
        auto direct = st.d.cfg->direct_of(unit_of(*sender));
        auto rc = st.risk_centres.find(direct);
        if (rc == st.risk_centres.end())
          return caf::make_error(errc::out_of_scope, "officer " + w.sender + " belongs to no risk centre (customs unit \""
                                                     + unit_of(*sender) + "\")");
        auto rp = self->make_response_promise<document_commit>();
        self->request(rc->second, st.d.store_timeout * 2, atom::lodge_v, std::move(w))
          .then([rp](document_commit& dc) mutable { rp.deliver(std::move(dc)); },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      }
      if (!p)
        return p.error();
      return commit_document(self, w, std::move(*p), t0);
    },
    [self](atom::lodge, document_write& w, prepared_ref& pre) -> caf::result<document_commit> {
      auto t0 = steady::now();
      auto& st = self->state;
      auto* prep = static_cast<const prepared*>(pre.ptr.get());
      if (prep == nullptr || w.document_type != doc::declaration)
        return caf::make_error(ec::hub_busy, "customs desk: no prepared declaration");
      caf::expected<plan> p = caf::make_error(ec::hub_busy, "customs desk failed");
      try {
        p = on_declaration(st, w, prep);
      } catch (const std::exception& e) {
        log::error("clearance", "customs.declaration from " + w.sender + " failed: " + e.what());
        rollback(self, caf::make_error(ec::hub_busy, std::string{"customs.declaration failed: "} + e.what()));
        return caf::make_error(ec::hub_busy, "the customs desk could not decide this document; retry later");
      }
      if (!p)
        return p.error();
      return commit_document(self, w, std::move(*p), t0);
    },
    [self](atom::audited, review_report& rep) -> caf::result<bool> {
      plan p;
      auto now = now_ms();
      for (auto& r : rep.results)
        apply_review(self->state, rep.centre, r, p, now);
      if (self->state.d.metrics)
        self->state.d.metrics->reviewed += rep.results.size();
      auto key = audit_queue_key(rep.centre, "") + std::string(reinterpret_cast<const char*>(be64(static_cast<uint64_t>(now)).data()), 8);
      p.ops.push_back({std::string{tables::reports}, as_bytes(key), as_bytes(rep.report), false});
      auto rp = self->make_response_promise<bool>();
      commit_set(self, std::move(p), rp);
      return rp;
    },
    [self](atom::tick) {
      check_deadlines(self);
      self->delayed_send(self, self->state.d.cfg->release.check_interval, atom::tick_v);
    },
  };
}

} // namespace

caf::expected<clearance_actor> spawn_clearance(caf::actor_system& sys, customs_deps deps,
                                               std::map<std::string, lodge_actor> risk_centres,
                                               std::map<std::string, office_actor> offices,
                                               std::shared_ptr<detail::step1_board> board) {
  if (!deps.cfg || !deps.ref || !deps.rules || !deps.registry || !deps.reader)
    return caf::make_error(ec::invalid_config, "clearance dependencies missing");
  if (!board)
    board = std::make_shared<detail::step1_board>();
  return sys.spawn(clearance, std::move(deps), std::move(risk_centres), std::move(offices), std::move(board));
}

} // namespace hub::customs
