// Clearance, part 2: what each customs document does to its case, the outcomes of the
// tax centres' reviews, and payment deadlines (see clearance_state.hpp).

#include <algorithm>
#include <map>
#include <optional>

#include "actors/customs/customs_actors.hpp"
#include "actors/core/error.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/notification.capnp.h"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/customs/customs_errors.hpp"

namespace hub::customs::detail {

// -- document handlers ---------------------------------------------------------

namespace {

/// The end of every case change: the declarant's notification, the new record, and the
/// change installed in memory (the commit that follows makes it true; a failed one
/// drops it again).
void finish_case(plan& p, case_record* cp, case_record&& c, bytes subject, int64_t now) {
  p.notices.push_back(status_notice(c.declarant, c, subject, c.status, c.history.back().detail, now));
  p.case_key = c.case_id;
  put_case(p, c);
  *cp = std::move(c);
}

/// Drops charges with nothing left to match or to assess.
void prune_claims(case_record& c) {
  c.claims.erase(std::remove_if(c.claims.begin(), c.claims.end(),
                                [](auto& x) { return x.open <= 0 && x.not_assessed <= 0; }),
                 c.claims.end());
}

/// The case an officer's document is about, if the officer may act on it.
caf::expected<case_record*> officer_case(clearance_state& st, const party& officer, const std::string& declarant,
                                         const std::string& decl_id) {
  auto* cp = case_by_ref(st, declarant, decl_id);
  if (cp == nullptr)
    return no_case(declarant, decl_id);
  if (auto e = officer_scope(st, officer, *cp))
    return e;
  return cp;
}

std::vector<evidence_ref> evidence_of(capnp::List<wire::EvidenceRef>::Reader list) {
  std::vector<evidence_ref> out;
  for (auto e : list)
    out.push_back({static_cast<uint16_t>(e.getKind()), text(e.getReference()),
                   to_hex(bytes(e.getSha256().begin(), e.getSha256().end()))});
  return out;
}

} // namespace

caf::expected<plan> on_declaration(clearance_state& st, const document_write& w, const prepared* pre) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::Declaration>(w, [&](wire::Declaration::Reader d) -> caf::error {
    auto decl_id = text(d.getDeclarationId());
    if (case_by_ref(st, w.sender, decl_id) != nullptr)
      return caf::make_error(errc::declaration_id_reused,
                             "declarationId \"" + decl_id.substr(0, 64) + "\" is already lodged by " + w.sender
                               + "; send a customs.amendment to change it, or use a new declarationId");
    std::optional<prepared> local;
    if (pre != nullptr && credit_tier(st, pre->l.enterprise, pre->at) != pre->credit)
      pre = nullptr; // assessed on a tier clearance no longer holds (a credit commit was refused): again
    if (pre == nullptr) {
      auto pr = prepare_declaration(st.d, *st.board, d, w.sender, st.seeds(), now);
      if (!pr)
        return pr.error();
      local = std::move(*pr);
      pre = &*local;
    }
    const auto& l = pre->l;
    case_record c;
    char serial[32];
    std::snprintf(serial, sizeof serial, "%09llu", static_cast<unsigned long long>(st.next_serial % 1000000000));
    c.case_id = l.unit + std::to_string(year_of(now)) + (l.import ? "1" : "0") + serial;
    c.declarant = w.sender;
    c.declaration_id = decl_id;
    c.message_id = w.message_id;
    c.enterprise = l.enterprise;
    c.customs_unit = l.unit;
    c.import = l.import;
    c.credit = pre->credit;
    c.lodged_at = now;
    if (l.settle == settlement::consolidated)
      if (!tier_in(st.d.cfg->release.consolidated_tiers, c.credit))
        return caf::make_error(ec::invalid_field, "settlement: consolidated payment (汇总征税) is not open to tier "
                                                    + std::string{to_string(c.credit)} + "; use payment or guarantee");
    if (l.settle != settlement::payment && !tier_in(st.d.cfg->release.guarantee_tiers, c.credit))
      return caf::make_error(ec::invalid_field, "settlement: release on guarantee is not open to tier "
                                                  + std::string{to_string(c.credit)} + "; use payment");
    auto dd = check_licences(st, l, now, {});
    if (!dd)
      return dd.error();
    set_status(c, "accepted", "lodged", now);
    apply_step1(st, c, *pre, p, w.message_id, now);
    if (c.at != stage::rejected)
      draw_licences(st, c, std::move(*dd), p, w.message_id);
    enterprise_of(st, c.enterprise).declarations++;
    put_enterprise(st, p, c.enterprise);
    ++st.next_serial;
    p.notices.push_back(status_notice(c.declarant, c, w.message_id, c.status, c.history.back().detail, now));
    auto ref = case_ref_key(c.declarant, c.declaration_id);
    p.ops.push_back({std::string{tables::case_refs}, as_bytes(ref), as_bytes(c.case_id), false});
    p.case_key = c.case_id;
    put_case(p, c);
    st.refs[ref] = c.case_id;
    st.cases[c.case_id] = std::move(c);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_amendment(clearance_state& st, const document_write& w) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::Amendment>(w, [&](wire::Amendment::Reader a) -> caf::error {
    auto decl_id = text(a.getDeclarationId());
    auto* cp = case_by_ref(st, w.sender, decl_id);
    if (cp == nullptr)
      return no_case(w.sender, decl_id);
    case_record c = *cp; // changed on a copy; installed only if everything holds
    if (c.final())
      return caf::make_error(errc::invalid_case_state, "declaration " + decl_id + " is " + to_string(c.at)
                                                       + "; it cannot be changed");
    auto kind = a.getKind();
    if (kind == wire::AmendmentKind::CANCEL) {
      if (c.released_already())
        return caf::make_error(errc::invalid_case_state, "declaration " + decl_id
                                                         + " is released; it cannot be cancelled (send a correction)");
      restore_reservation(st, c, p, w.message_id, "declaration cancelled");
      return_licences(st, c, p, w.message_id, "declaration cancelled");
      c.at = stage::cancelled;
      c.due = 0;
      c.waiting_on.clear();
      c.closed_at = now;
      set_status(c, "closed", "cancelled by the declarant: " + text(a.getReason()), now);
      p.decisions.push_back(decision_for(c, w.message_id, "cancelled before release: " + text(a.getReason())));
      release_held(st, c.enterprise, c.case_id, p, now);
    } else {
      bool correct = kind == wire::AmendmentKind::CORRECT;
      if (correct && !c.released_already())
        return caf::make_error(errc::invalid_case_state, "declaration " + decl_id
                                                         + " is not released yet; send kind amend");
      if (!correct && c.released_already())
        return caf::make_error(errc::invalid_case_state, "declaration " + decl_id
                                                         + " is released; send kind correct");
      if (correct && now - c.released_at > st.d.cfg->release.correction_window.count())
        return caf::make_error(errc::amendment_window_closed,
                               "declaration " + decl_id + " was released more than "
                                 + std::to_string(st.d.cfg->release.correction_window.count() / 86400000)
                                 + " days ago; corrections are closed (use voluntary disclosure)");
      auto l = read_declaration(st.d, a.getReplacement());
      if (!l)
        return prefixed("replacement.", l.error());
      if (l->enterprise != c.enterprise || l->unit != c.customs_unit || l->import != c.import)
        return caf::make_error(ec::invalid_field, "replacement: importer/exporter, customsUnit and type "
                                                    "cannot change; cancel and lodge a new declaration");
      std::vector<drawdown> dd;
      if (!correct) {
        auto checked = check_licences(st, *l, now, c.drawdowns);
        if (!checked)
          return prefixed("replacement.", checked.error());
        dd = std::move(*checked);
      }
      c.amendments++;
      c.message_id = w.message_id;
      if (!correct) {
        // Everything that can refuse runs before the licences and the guarantee are
        // given back: a refused amendment changes nothing in memory either.
        auto pr = prepare_step1(st.d, *st.board, *l, c.declarant, st.seeds(), now);
        if (!pr)
          return pr.error();
        return_licences(st, c, p, w.message_id, "declaration amended");
        restore_reservation(st, c, p, w.message_id, "declaration amended");
        c.paid = std::min(c.paid, l->assessed.total);
        set_status(c, "accepted", "amended: " + text(a.getReason()), now);
        p.decisions.push_back(decision_for(c, w.message_id, "amended before release: " + text(a.getReason())));
        c.credit = pr->credit;
        apply_step1(st, c, *pr, p, w.message_id, now);
        if (c.at != stage::rejected)
          draw_licences(st, c, std::move(dd), p, w.message_id);
      } else {
        cents before = c.assessed.total;
        auto deviations = ruling_deviations(st.rulings, *l, now);
        if (!deviations)
          return deviations.error();
        // Tax charged after release (an adjustment, a disclosure) for an item whose tax
        // the correction raises is in the assessment now: owed once. A later review
        // cannot find it there either, so a disclosure's claim on it is matched too.
        for (size_t i = 0; i < l->assessed.items.size() && i < c.assessed.items.size(); ++i) {
          auto tax_of = [](const item_tax& t) { return t.duty + t.consumption_tax + t.vat; };
          cents rise = tax_of(l->assessed.items[i]) - tax_of(c.assessed.items[i]);
          for (auto& cl : c.claims) {
            if (rise <= 0)
              break;
            if (cl.not_assessed <= 0 || std::find(cl.items.begin(), cl.items.end(), i) == cl.items.end())
              continue;
            cents take = std::min(rise, cl.not_assessed);
            cl.not_assessed -= take;
            cl.open = std::max<cents>(0, cl.open - take);
            rise -= take;
          }
        }
        prune_claims(c);
        c.items = l->items;
        c.assessed = l->assessed;
        c.amendment_required = false;
        cents diff = c.assessed.total - before;
        // The guarantee secures no more than the corrected tax: a lower tax gives that
        // part of the reservation back; what was paid beyond it is refunded on request.
        cents give = diff < 0 ? std::min(-diff, c.reserved) : 0;
        // What the case owes: the corrected tax plus what was charged after release,
        // less what is paid or still secured by the guarantee.
        auto owed = within_limit(wide_cents{c.assessed.total} + c.charged() - c.paid - (c.reserved - give),
                                 "the amount due after the correction");
        if (!owed)
          return owed.error();
        reduce_reservation(st, c, p, w.message_id, give, "corrected: the tax is lower");
        c.due = std::max<cents>(0, *owed);
        std::string what = "corrected after release: tax " + format_amount(before) + " -> "
                           + format_amount(c.assessed.total)
                           + (diff > 0 ? ", CNY " + format_amount(diff) + " more due"
                              : diff < 0 ? ", CNY " + format_amount(-diff) + " less"
                                             + (give > 0 ? " (CNY " + format_amount(give) + " of the guarantee given back)" : "")
                                             + (-diff > give ? " (CNY " + format_amount(-diff - give) + " refunded on request)" : "")
                                         : "");
        if (!c.review_under_way()) { // a verification's or an audit's wait stays
          c.waiting_on = c.due > 0 ? "payment of CNY " + format_amount(c.due) + " after the correction" : "";
          if (c.status == "auditPending" && c.due == 0)
            c.status = "released"; // it waited only for a payment the correction made nothing
        }
        p.decisions.push_back(decision_for(c, w.message_id, what));
        if (!close_if_settled(c, now, what))
          set_status(c, c.status, what, now);
      }
    }
    finish_case(p, cp, std::move(c), w.message_id, now);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_inspection(clearance_state& st, const document_write& w, const party& officer) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::InspectionResult>(w, [&](wire::InspectionResult::Reader r) -> caf::error {
    auto decl_id = text(r.getDeclarationId());
    auto found = officer_case(st, officer, text(r.getDeclarant()), decl_id);
    if (!found)
      return found.error();
    auto* cp = *found;
    case_record c = *cp;
    auto findings = text(r.getFindings());
    auto ev = evidence_of(r.getEvidence());
    if (c.review_under_way() && c.at == stage::released) {
      // The one result of a post-release verification or audit closes the review; the
      // case closes with it unless tax is still to pay.
      c.waiting_on = c.due > 0 ? "payment of CNY " + format_amount(c.due) : std::string{};
      set_status(c, "released", "post-release review closed by " + officer.id + ": " + findings, now);
      close_if_settled(c, now, "post-release review closed by " + officer.id + ": " + findings);
      p.decisions.push_back(decision_for(c, w.message_id, "review closed by " + officer.id + ": " + findings));
    } else if (c.at != stage::inspection) {
      return caf::make_error(errc::invalid_case_state, "declaration " + decl_id + " is not awaiting inspection (it is "
                                                       + c.status + ")");
    } else {
      auto outcome = r.getOutcome();
      c.evidence = ev;
      if (outcome == wire::InspectionOutcome::REFUSED) {
        c.inspection = "refused";
        return_licences(st, c, p, w.message_id, "goods refused at inspection");
        c.at = stage::rejected;
        c.waiting_on.clear();
        c.closed_at = now;
        set_status(c, "rejected", "refused at inspection: " + findings, now);
        p.decisions.push_back(decision_for(c, w.message_id, "inspection by " + officer.id + " refused the goods: " + findings));
        count_violation(st, c.enterprise, officer.id, "goods of " + c.case_id + " refused at inspection: " + findings, p,
                        now);
      } else {
        bool errors_only = outcome == wire::InspectionOutcome::DOCUMENTARY_ERRORS;
        for (auto& a : c.agencies) // one inspection, its one result recorded for all who asked
          if (a.state == "inspection") {
            a.state = "approved";
            a.reason = "inspected jointly by " + officer.id + (findings.empty() ? "" : ": " + findings);
          }
        c.inspection = errors_only ? "documentaryErrors" : "cleared";
        c.amendment_required = errors_only;
        p.decisions.push_back(decision_for(c, w.message_id, "inspection by " + officer.id + ": "
                                                              + (errors_only ? "documentary errors only, release first and amend after: "
                                                                             : "cleared")
                                                              + findings));
        advance(st, c, p, c.message_id, now);
      }
    }
    finish_case(p, cp, std::move(c), c.message_id, now);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_evidence(clearance_state& st, const document_write& w, const party& officer) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::ValuationEvidence>(w, [&](wire::ValuationEvidence::Reader r) -> caf::error {
    auto decl_id = text(r.getDeclarationId());
    auto found = officer_case(st, officer, text(r.getDeclarant()), decl_id);
    if (!found)
      return found.error();
    auto* cp = *found;
    if (cp->released_already() || cp->final())
      return caf::make_error(errc::invalid_case_state, "declaration " + decl_id + " is " + cp->status
                                                       + "; evidence is taken before release");
    case_record c = *cp;
    for (auto& e : evidence_of(r.getEvidence()))
      c.evidence.push_back(std::move(e));
    p.decisions.push_back(decision_for(c, w.message_id, std::to_string(r.getEvidence().size())
                                                          + " valuation evidence attachment(s) recorded by " + officer.id));
    if (c.at == stage::evidence)
      advance(st, c, p, c.message_id, now);
    else
      c.history.push_back({now, c.status, "valuation evidence recorded"});
    finish_case(p, cp, std::move(c), c.message_id, now);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_payment(clearance_state& st, const document_write& w) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::TaxPayment>(w, [&](wire::TaxPayment::Reader r) -> caf::error {
    auto amount = parse_amount(text(r.getAmount()));
    if (!amount)
      return amount.error();
    auto ref = text(r.getPaymentReference());
    if (r.getPeriod().size() > 0) { // a consolidated statement (汇总征税)
      auto period = text(r.getPeriod()), ent = text(r.getEnterprise());
      auto& e = enterprise_of(st, ent);
      auto s = e.statements.find(period);
      if (s == e.statements.end() || s->second == 0)
        return caf::make_error(errc::invalid_case_state, "no consolidated statement " + period + " outstanding for " + ent);
      if (*amount != s->second)
        return caf::make_error(errc::payment_mismatch, "amount CNY " + format_amount(*amount)
                                                       + " differs from statement " + period + " of " + ent
                                                       + ": CNY " + format_amount(s->second));
      bool mine = false; // the payer must have declared on this statement
      for (auto& [id, c] : st.cases)
        mine = mine || (c.enterprise == ent && c.period == period && c.reserved > 0 && c.declarant == w.sender);
      if (!mine)
        return caf::make_error(errc::unknown_declaration, "statement " + period + " of " + ent
                                                          + " holds no declaration lodged by " + w.sender);
      for (auto& [id, c] : st.cases)
        if (c.enterprise == ent && c.period == period && c.reserved > 0) {
          c.paid += c.reserved;
          restore_reservation(st, c, p, w.message_id, "statement " + period + " paid, ref " + ref);
          if (!close_if_settled(c, now, "tax paid with statement " + period + ", review done"))
            c.history.push_back({now, c.status, "paid with statement " + period});
          p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
          put_case(p, c);
        }
      e.statements.erase(period);
      put_enterprise(st, p, ent);
      release_held(st, ent, "", p, now);
      decision_record dr;
      dr.party = w.sender;
      dr.message_id = w.message_id;
      dr.detail = "consolidated statement " + period + " of " + ent + " paid: CNY " + format_amount(*amount) + ", ref " + ref;
      p.decisions.push_back(std::move(dr));
      return caf::none;
    }
    auto decl_id = text(r.getDeclarationId());
    auto* cp = case_by_ref(st, w.sender, decl_id);
    if (cp == nullptr)
      return no_case(w.sender, decl_id);
    case_record c = *cp;
    if (c.at == stage::rejected || c.at == stage::cancelled || (c.at == stage::closed && c.due <= 0 && c.reserved <= 0))
      return caf::make_error(errc::invalid_case_state, "nothing is due on declaration " + decl_id + " (" + c.status + ")");
    if (c.settle == settlement::consolidated && c.reserved > 0 && c.due <= 0)
      return caf::make_error(errc::invalid_case_state, "declaration " + decl_id + " is on consolidated statement "
                                                       + c.period + "; pay the statement");
    // After release a payment settles what is due (a correction, an adjustment, a
    // disclosure) on its own, or together with the tax the guarantee secures; the
    // reservation is given back only when that tax is in the payment.
    cents owed = c.payable();
    bool due_only = c.at >= stage::released && c.due > 0 && owed != c.due && *amount == c.due;
    if (owed <= 0)
      return caf::make_error(errc::invalid_case_state, "nothing is due on declaration " + decl_id + " (" + c.status + ")");
    if (*amount != owed && !due_only)
      return caf::make_error(errc::payment_mismatch, "amount CNY " + format_amount(*amount)
                                                     + " differs from the amount due on " + decl_id + ": CNY "
                                                     + format_amount(owed)
                                                     + (c.at >= stage::released && c.due > 0 && owed != c.due
                                                          ? " (or CNY " + format_amount(c.due)
                                                              + " without the tax the guarantee secures)"
                                                          : ""));
    c.paid += *amount;
    c.due = 0;
    p.decisions.push_back(decision_for(c, w.message_id, "tax paid: CNY " + format_amount(*amount) + ", ref " + ref));
    if (c.at == stage::settlement) {
      advance(st, c, p, c.message_id, now);
    } else {
      if (!due_only && c.settle != settlement::consolidated) { // the secured tax was in this payment
        restore_reservation(st, c, p, w.message_id, "tax paid, ref " + ref);
        release_held(st, c.enterprise, c.case_id, p, now);
      }
      bool adjustment_paid = c.status == "auditPending" && c.waiting_on.rfind("payment", 0) == 0;
      if (c.waiting_on.rfind("payment", 0) == 0) // a verification or audit still waits on its own
        c.waiting_on.clear();
      auto what = "tax paid: CNY " + format_amount(*amount)
                  + (c.reserved > 0 ? "; CNY " + format_amount(c.reserved) + " secured by the guarantee is still to pay"
                                    : "");
      if (adjustment_paid)
        set_status(c, "released", "tax due after release paid: CNY " + format_amount(*amount), now);
      if (!close_if_settled(c, now, adjustment_paid ? "tax due after release paid" : "tax paid, review done"))
        c.history.push_back({now, c.status, what});
    }
    finish_case(p, cp, std::move(c), w.message_id, now);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_ruling(clearance_state& st, const document_write& w) {
  plan p;
  caf::error err = with_document<wire::AdvanceRuling>(w, [&](wire::AdvanceRuling::Reader r) -> caf::error {
    advance_ruling ru;
    ru.id = text(r.getRulingId());
    ru.holder = text(r.getHolder());
    ru.kind = r.getKind() == wire::RulingKind::VALUATION ? advance_ruling::valuation : advance_ruling::classification;
    ru.description = text(r.getDescription());
    ru.hs = text(r.getHsCode());
    ru.valid_from_ms = r.getValidFrom();
    ru.valid_until_ms = r.getValidUntil();
    if (st.d.cfg->enterprise(ru.holder) == nullptr)
      return caf::make_error(errc::unknown_enterprise, "holder: \"" + ru.holder.substr(0, 64) + "\" is not registered with customs");
    if (st.d.ref->line(ru.hs) == nullptr)
      return caf::make_error(errc::unknown_hs_code, "hsCode: " + ru.hs + " is not in the tariff");
    if (st.rulings.count(ru.id) != 0)
      return caf::make_error(ec::invalid_field, "rulingId: " + ru.id + " exists; a changed ruling gets a new id");
    if (ru.kind == advance_ruling::valuation) {
      auto lo = parse_amount(text(r.getMinUnitValue())), hi = parse_amount(text(r.getMaxUnitValue()));
      if (!lo || !hi)
        return caf::make_error(ec::invalid_amount, "minUnitValue/maxUnitValue: not CNY amounts");
      ru.min_unit_value = *lo;
      ru.max_unit_value = *hi;
    }
    auto j = ruling_to_bytes(ru);
    p.ops.push_back({std::string{tables::rulings}, as_bytes(ru.id), j, false});
    decision_record dr;
    dr.party = w.sender;
    dr.message_id = w.message_id;
    dr.digest = sha256(reinterpret_cast<const uint8_t*>(j.data()), j.size());
    dr.detail = "advance ruling " + ru.id + " registered for " + ru.holder + ": " + ru.description.substr(0, 80)
                + " -> " + ru.hs;
    p.decisions.push_back(std::move(dr));
    st.rulings[ru.id] = std::move(ru);
    st.board->set_rulings(st.rulings);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

// -- post-release review outcomes ------------------------------------------------

namespace {

/// How much of a review's raised adjustments the open disclosure claims on the same
/// items cover (taken off the claims), whether every claim used was voluntary, and what
/// each finding's item is charged beyond them.
struct claim_match {
  cents covered = 0;
  bool voluntary = true;
  std::map<uint16_t, cents> rest; ///< item -> charged beyond the claims
};

claim_match match_claims(case_record& c, const json& findings) {
  claim_match m;
  if (!findings.is_array())
    return m;
  for (auto& f : findings) {
    if (f.value("outcome", "") != to_string(audit_outcome::tax_adjustment))
      continue;
    cents need = f.value("adjustment", cents{0});
    auto item = f.value("item", uint16_t{0});
    for (auto& cl : c.claims) {
      if (need <= 0)
        break;
      if (cl.from_review || cl.open <= 0 || std::find(cl.items.begin(), cl.items.end(), item) == cl.items.end())
        continue;
      cents take = std::min(need, cl.open);
      cl.open -= take;
      need -= take;
      m.covered += take;
      m.voluntary = m.voluntary && cl.voluntary;
    }
    if (need > 0)
      m.rest[item] += need;
  }
  return m;
}

/// Records a review's charge by item (what a correction of those items may use up);
/// `charge` is what was charged, spread over the findings' items as they were found.
void record_review_charge(case_record& c, const std::string& centre, const std::map<uint16_t, cents>& rest,
                          cents charge) {
  for (auto& [item, amount] : rest) {
    if (charge <= 0)
      break;
    cents take = std::min(amount, charge);
    c.claims.push_back({"review:" + centre, {item}, 0, false, take, true});
    charge -= take;
  }
  if (charge > 0) { // not attributed to an item by the findings: any item
    disclosure_claim all{"review:" + centre, {}, 0, false, charge, true};
    for (uint16_t i = 0; i < c.items.size(); ++i)
      all.items.push_back(i);
    c.claims.push_back(std::move(all));
  }
}

} // namespace

void apply_review(clearance_state& st, const std::string& centre, const review_result& r, plan& p, int64_t now) {
  auto* cp = case_by_id(st, r.case_id);
  if (cp == nullptr)
    return;
  auto& c = *cp;
  p.ops.push_back({std::string{tables::audit_queue}, as_bytes(audit_queue_key(centre, c.case_id)), {}, true});
  auto& pend = c.audits_pending;
  if (std::find(pend.begin(), pend.end(), centre) == pend.end())
    return; // applied before (the centre re-sent its batch after a timeout): nothing twice
  pend.erase(std::remove(pend.begin(), pend.end(), centre), pend.end());
  auto history_before = c.history.size();
  auto findings = json::parse(r.findings, nullptr, false);
  auto found = static_cast<audit_outcome>(r.outcome);
  auto outcome = found; // what the case does about it
  std::string summary;
  if (!findings.is_discarded())
    for (auto& f : findings)
      summary += (summary.empty() ? "" : "; ") + f.value("reason", std::string{});
  p.decisions.push_back(decision_for(c, c.message_id, "post-release review by " + centre + ": "
                                                        + to_string(outcome)
                                                        + (r.adjustment != 0 ? ", adjustment CNY " + format_amount(r.adjustment) : "")
                                                        + (summary.empty() ? "" : " (" + summary + ")")));
  // Tax the declarant disclosed (customs.disclosure) for the same items is not charged
  // again when the review finds it; an adjustment that is all tax disclosed before
  // customs knew is no violation (the tier is kept). Anything beyond it, findings on
  // other items and every other kind of finding count.
  cents charge = r.adjustment;
  bool excused = false;
  std::map<uint16_t, cents> rest;
  if (outcome == audit_outcome::tax_adjustment && r.adjustment > 0) {
    auto m = match_claims(c, findings);
    cents covered = std::min(m.covered, r.adjustment);
    rest = std::move(m.rest);
    charge -= covered;
    excused = covered > 0 && charge == 0 && m.voluntary;
    if (covered > 0)
      summary += (summary.empty() ? "" : "; ") + std::string{"CNY "} + format_amount(covered)
                 + " of it disclosed by the declarant already";
    if (charge == 0)
      outcome = audit_outcome::no_action; // nothing new to collect: the case goes on as it was
  }
  prune_claims(c);
  bool all_disclosed = r.adjustment > 0 && charge == 0;
  // `excused`: what it found was disclosed before customs knew (not "customs knew first"
  // for a later disclosure either).
  c.audit.push_back(json{{"centre", centre}, {"outcome", to_string(found)},
                          {"adjustment", r.adjustment}, {"charged", charge}, {"excused", excused},
                          {"findings", findings.is_discarded() ? json::array() : findings}, {"at", now}}
                       .dump());
  if (found != audit_outcome::no_action && !excused)
    count_violation(st, c.enterprise, centre,
                    "post-release review of " + c.case_id + ": " + to_string(found)
                      + (summary.empty() ? "" : " (" + summary + ")"),
                    p, now);
  auto due_after = within_limit(wide_cents{c.due} + charge, "the amount due after the adjustment");
  auto charged = within_limit(wide_cents{c.charged()} + charge, "the tax charged after release");
  if (due_after && !charged)
    due_after = charged.error();
  if (outcome == audit_outcome::tax_adjustment && r.adjustment > 0 && !due_after) {
    outcome = audit_outcome::verification; // cannot be paid in one amount: customs verifies
    summary += (summary.empty() ? "" : "; ") + context_text(due_after.error());
  }
  // A verification or audit under way (another tax centre's) keeps the case: what this
  // review adds is owed or noted, the officer's result still ends it. An audit covers a
  // verification, so it takes over from one.
  bool under_way = c.review_under_way();
  bool auditing = under_way && c.waiting_on.rfind("audit", 0) == 0;
  if (outcome == audit_outcome::tax_adjustment && r.adjustment > 0) {
    c.due = *due_after;
    record_review_charge(c, centre, rest, charge); // what charged() sums
    auto what = "tax adjustment by " + centre + ": " + summary;
    if (under_way) {
      c.history.push_back({now, c.status, what + "; CNY " + format_amount(c.due) + " due, the review goes on"});
    } else {
      c.waiting_on = "payment of the tax adjustment, CNY " + format_amount(c.due);
      set_status(c, "auditPending", what, now);
    }
  } else if (outcome == audit_outcome::verification) {
    auto what = "post-release verification ordered by " + centre + ": " + summary;
    if (under_way) {
      c.history.push_back({now, c.status, what + " (joins the one under way)"});
    } else {
      c.waiting_on = "post-release verification (核查) by customs";
      set_status(c, "auditPending", what, now);
    }
  } else if (outcome == audit_outcome::audit_instruction) {
    auto* ent = st.d.cfg->enterprise(c.enterprise);
    auto inland = ent && !ent->inland_customs.empty() ? ent->inland_customs : c.customs_unit;
    auto what = "audit instruction issued by " + centre + " to " + inland + ": " + summary;
    if (auditing) {
      c.history.push_back({now, c.status, what + " (joins the audit under way)"});
    } else {
      c.waiting_on = "audit (稽查) by customs unit " + inland;
      set_status(c, "auditPending", what, now);
      auto reg = st.d.registry->get();
      for (auto& officer : reg->parties())
        if (unit_of(officer) == inland && officer.enabled)
          p.notices.push_back(status_notice(officer.id, c, c.message_id, "auditPending",
                                            "audit instruction (稽查指令) from tax centre " + centre
                                              + " for declaration " + c.case_id + " of " + c.enterprise + ": "
                                              + summary,
                                            now));
    }
  }
  auto done = all_disclosed ? "post-release review by " + centre + ": adjustment CNY " + format_amount(r.adjustment)
                                + ", all of it disclosed already"
                              : std::string{"post-release review found nothing to act on"};
  bool closed = c.status == "released" && pend.empty() && close_if_settled(c, now, done);
  if (!closed && c.history.size() == history_before && (pend.empty() || all_disclosed))
    c.history.push_back({now, c.status, done
                                          + (c.reserved > 0 ? "; CNY " + format_amount(c.reserved)
                                                                + " secured by the guarantee is still to pay"
                                                            : std::string{})});
  if (c.history.size() != history_before)
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
  put_case(p, c);
}

plan deadline_plan(clearance_state& st, int64_t now) {
  plan p;
  for (auto& [id, c] : st.cases) { // agencies past their deadline: escalate, once
    if (c.final() || c.released_already())
      continue;
    bool changed = false;
    for (auto& t : c.agencies) {
      if (t.state != "pending" || t.escalated || now < t.deadline)
        continue;
      t.escalated = true;
      changed = true;
      auto* a = st.d.cfg->agency(t.agency);
      auto what = "agency " + t.agency + " did not answer by its deadline: escalated";
      p.decisions.push_back(decision_for(c, c.message_id, what));
      if (a != nullptr) {
        capnp::MallocMessageBuilder mb;
        auto n = mb.initRoot<wire::Notification>();
        n.setCreatedAt(now);
        auto sn = n.initStatus();
        sn.setCaseId(c.case_id);
        sn.setStatus(wire::DocumentStatus::RECEIVED);
        sn.setReason("overdue: your decision on declaration " + c.case_id + " was due at " + std::to_string(t.deadline));
        sn.setAt(now);
        p.notices.push_back(notice{a->party, to_bytes(mb)});
      }
      auto reg = st.d.registry->get(); // and the declaring office's officers
      for (auto& officer : reg->parties())
        if (officer.enabled && officer.role == "customs-officer" && unit_of(officer) == c.customs_unit)
          p.notices.push_back(status_notice(officer.id, c, c.message_id, c.status, what, now));
    }
    if (changed) {
      if (c.at == stage::evidence)
        advance(st, c, p, c.message_id, now); // waitingOn now says "overdue, escalated"
      p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
      put_case(p, c);
    }
  }
  for (auto& [id, c] : st.cases) {
    // Closed cases too: data stored before closing waited for the guaranteed tax.
    if (c.at < stage::released || c.at == stage::rejected || c.at == stage::cancelled || c.reserved <= 0
        || c.settle != settlement::guarantee)
      continue;
    if (now - c.released_at <= st.d.cfg->release.payment_deadline.count())
      continue;
    auto& e = enterprise_of(st, c.enterprise);
    e.reserved = std::max<cents>(0, e.reserved - c.reserved);
    e.consumed += c.reserved;
    auto what = "payment deadline passed: CNY " + format_amount(c.reserved) + " called from the guarantee of " + c.enterprise;
    p.decisions.push_back(decision_for(c, c.message_id, what));
    c.paid += c.reserved;
    c.reserved = 0;
    if (!close_if_settled(c, now, what))
      c.history.push_back({now, c.status, what});
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, what, now));
    put_enterprise(st, p, c.enterprise);
    put_case(p, c);
  }
  return p;
}

caf::expected<plan> on_licence(clearance_state& st, const document_write& w, const party& sender) {
  plan p;
  caf::error err = with_document<wire::Licence>(w, [&](wire::Licence::Reader r) -> caf::error {
    licence_state l;
    l.id = text(r.getLicenceId());
    l.type = text(r.getLicenceType());
    l.holder = text(r.getHolder());
    l.issuer = sender.id;
    for (auto h : r.getHsPrefixes())
      l.hs_prefixes.push_back(text(h));
    auto q = to_units(r.getQuantity(), "quantity");
    if (!q)
      return q.error();
    l.quantity = l.remaining = *q;
    l.unit = text(r.getUnit());
    l.valid_from = r.getValidFrom();
    l.valid_until = r.getValidUntil();
    auto* agency = st.d.cfg->agency_of_party(sender.id);
    if (agency == nullptr)
      return caf::make_error(errc::out_of_scope, sender.id + " speaks for no licensing agency");
    if (std::find(agency->licence_types.begin(), agency->licence_types.end(), l.type) == agency->licence_types.end())
      return caf::make_error(errc::out_of_scope, "agency " + agency->id + " does not issue " + l.type);
    if (st.d.cfg->enterprise(l.holder) == nullptr)
      return caf::make_error(errc::unknown_enterprise, "holder: \"" + l.holder.substr(0, 64) + "\" is not registered with customs");
    if (st.licences.count(l.id) != 0)
      return caf::make_error(ec::invalid_field, "licenceId: " + l.id + " is already registered");
    auto v = encode(l);
    p.ops.push_back({std::string{tables::licences}, as_bytes(l.id), v, false});
    decision_record dr;
    dr.party = sender.id;
    dr.message_id = w.message_id;
    dr.digest = sha256(v.data(), v.size());
    dr.detail = l.type + " " + l.id + " registered by " + agency->id + " for " + l.holder;
    p.decisions.push_back(std::move(dr));
    st.licences[l.id] = std::move(l);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

caf::expected<plan> on_agency_decision(clearance_state& st, const document_write& w, const party& sender) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::AgencyDecision>(w, [&](wire::AgencyDecision::Reader r) -> caf::error {
    auto* agency = st.d.cfg->agency_of_party(sender.id);
    if (agency == nullptr)
      return caf::make_error(errc::out_of_scope, sender.id + " speaks for no agency");
    auto id = text(r.getCaseId());
    auto* cp = case_by_id(st, id);
    if (cp == nullptr)
      return caf::make_error(errc::unknown_declaration, "caseId: no declaration " + id.substr(0, 18));
    auto task = std::find_if(cp->agencies.begin(), cp->agencies.end(),
                             [&](const agency_task& t) { return t.agency == agency->id; });
    if (task == cp->agencies.end())
      return caf::make_error(errc::not_routed, "declaration " + id + " was not routed to agency " + agency->id);
    if (task->state != "pending" && task->state != "documents")
      return caf::make_error(errc::invalid_case_state, "agency " + agency->id + " already decided on " + id + " ("
                                                       + task->state + ")");
    if (cp->final() || cp->released_already())
      return caf::make_error(errc::invalid_case_state, "declaration " + id + " is " + cp->status);
    case_record c = *cp;
    auto& t = *std::find_if(c.agencies.begin(), c.agencies.end(),
                            [&](const agency_task& x) { return x.agency == agency->id; });
    auto reason = text(r.getReason());
    static const char* names[] = {"approved", "rejected", "inspection", "documents"};
    t.state = names[static_cast<unsigned>(r.getVerdict())];
    t.reason = reason;
    c.history.push_back({now, c.status, "agency " + agency->id + ": " + t.state + (reason.empty() ? "" : " (" + reason + ")")});
    p.decisions.push_back(decision_for(c, w.message_id, "agency " + agency->id + " decided " + t.state
                                                          + (reason.empty() ? "" : ": " + reason)));
    if (c.at == stage::evidence || c.at == stage::inspection)
      advance(st, c, p, c.message_id, now);
    finish_case(p, cp, std::move(c), c.message_id, now);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

} // namespace hub::customs::detail
