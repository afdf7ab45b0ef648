// customs.disclosure (SR-14.3, 主动披露): a declarant discloses an error in one of its
// released declarations. The disclosure is kept with its time, the declaration, the
// error's date, the amounts, whether customs knew first and the outcome; the underpaid
// tax becomes due on the case (never charged again when a review finds it); the penalty
// is waived or lighter (disclosure_terms); a review that finds only what was disclosed
// before customs knew is no violation, so the credit tier is kept.

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/credit_record.hpp"
#include "actors/customs/customs_errors.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/disclosure_terms.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/customs.capnp.h"

namespace hub::customs {

disclosure_terms terms_of(const disclosure_config& cfg, int64_t elapsed_ms, cents underpaid, cents payable,
                          const std::string& aware) {
  disclosure_terms t;
  constexpr int64_t day = 86400LL * 1000;
  auto days = std::to_string(elapsed_ms / day);
  if (!aware.empty()) {
    t.voluntary = false;
    t.text = "not a voluntary disclosure: " + aware + "; the penalty follows the ordinary rules";
    return t;
  }
  // Small: below the share of the tax payable, or below the amount (128-bit products).
  bool small = underpaid < cfg.small_amount
               || (payable > 0
                   && wide_cents{underpaid} * 100 < wide_cents{payable} * cfg.small_share_percent);
  if (elapsed_ms <= cfg.free_days * day) {
    t.penalty_waived = true;
    t.text = "penalty waived: disclosed " + days + " days after the error (within " + std::to_string(cfg.free_days)
             + ")";
  } else if (elapsed_ms <= cfg.free_days_if_small * day && small) {
    t.penalty_waived = true;
    t.text = "penalty waived: disclosed " + days + " days after the error (within "
             + std::to_string(cfg.free_days_if_small) + ") and the underpaid tax is small";
  } else {
    t.text = "penalty lighter: disclosed " + days + " days after the error";
  }
  return t;
}

namespace detail {

namespace {

/// Why customs knew of an error in `c` before the declarant disclosed it, or "": a
/// review that acted, or a verification, audit or adjustment announced on the case.
std::string customs_knew(const case_record& c) {
  for (auto& a : c.audit) {
    auto j = json::parse(a, nullptr, false);
    if (!j.is_discarded() && j.value("outcome", "no-action") != "no-action" && !j.value("excused", false))
      return "the post-release review by " + j.value("centre", std::string{"a tax centre"}) + " found it first";
  }
  if (c.review_under_way())
    return "customs had already announced a review of declaration " + c.declaration_id + " (" + c.waiting_on + ")";
  return {};
}

} // namespace

caf::expected<plan> on_disclosure(clearance_state& st, const document_write& w, const party&) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::Disclosure>(w, [&](wire::Disclosure::Reader d) -> caf::error {
    auto id = text(d.getDisclosureId());
    auto decl_id = text(d.getDeclarationId());
    auto* cp = case_by_ref(st, w.sender, decl_id);
    if (cp == nullptr)
      return no_case(w.sender, decl_id);
    case_record c = *cp; // changed on a copy; installed only if everything holds
    if (!c.released_already())
      return caf::make_error(errc::invalid_case_state,
                             "declaration " + decl_id + " is not released (it is " + c.status
                               + "); before release correct it with a customs.amendment");
    auto key = w.sender + std::string(1, '\0') + id;
    if (st.disclosures.count(key) != 0 || st.d.reader->get(tables::disclosures, as_bytes(key)))
      return caf::make_error(ec::invalid_field,
                             "disclosureId: " + id.substr(0, 64) + " exists; a new disclosure gets a new id");
    cents underpaid = 0;
    if (auto tax_text = text(d.getTaxUnderpaid()); !tax_text.empty()) {
      auto a = parse_amount(tax_text);
      if (!a || *a < 0)
        return caf::make_error(ec::invalid_amount, "taxUnderpaid: not a CNY amount");
      underpaid = *a;
    }
    std::vector<uint16_t> items; // 0-based; the validator saw them 1-based, unique, non-empty
    for (auto i : d.getItems()) {
      if (i > c.items.size())
        return caf::make_error(ec::invalid_field, "items: declaration " + decl_id + " has "
                                                    + std::to_string(c.items.size()) + " items, not "
                                                    + std::to_string(i));
      items.push_back(static_cast<uint16_t>(i - 1));
    }
    int64_t violation = d.getViolationDate() == 0 ? c.lodged_at : d.getViolationDate();
    if (violation > now + 60 * 1000)
      return caf::make_error(ec::invalid_field, "violationDate: " + utc_minutes(violation) + " is in the future");
    if (violation < c.lodged_at)
      return caf::make_error(ec::invalid_field, "violationDate: " + utc_minutes(violation)
                                                  + " is before declaration " + decl_id + " was lodged ("
                                                  + utc_minutes(c.lodged_at) + ")");
    // Every sum of partner amounts is checked: the case's due, what was charged after
    // release and disclosed in total stay within the amount limit.
    auto due_after = within_limit(wide_cents{c.due} + underpaid, "the amount due after the disclosure");
    if (!due_after)
      return due_after.error();
    auto charged = within_limit(wide_cents{c.charged()} + underpaid, "the tax charged after release");
    if (!charged)
      return charged.error();
    auto disclosed = within_limit(wide_cents{c.disclosed} + underpaid, "the tax disclosed on the declaration");
    if (!disclosed)
      return disclosed.error();
    auto payable = within_limit(wide_cents{c.assessed.total} + *charged, "the tax payable");
    if (!payable)
      return payable.error();
    // "Small" is judged on everything disclosed on this declaration, so splitting one
    // error into several disclosures earns nothing. The time counts from the lodgement:
    // the error is in the declaration as lodged, and a date the declarant states cannot
    // shorten it (violationDate is recorded as stated).
    auto terms = terms_of(st.d.cfg->disclosure, std::max<int64_t>(0, now - c.lodged_at), *disclosed, *payable,
                          customs_knew(c));
    auto description = valid_utf8(text(d.getDescription()));
    json d_items = json::array();
    for (auto i : d.getItems())
      d_items.push_back(i);
    auto record = json{{"disclosureId", id},
                       {"declarant", w.sender},
                       {"declarationId", decl_id},
                       {"caseId", c.case_id},
                       {"enterprise", c.enterprise},
                       {"disclosedAt", now},
                       {"violationDate", violation},
                       {"items", d_items},
                       {"taxUnderpaid", format_amount(underpaid)},
                       {"taxDisclosedOnDeclaration", format_amount(*disclosed)},
                       {"taxPayable", format_amount(*payable)},
                       {"voluntary", terms.voluntary},
                       {"penaltyWaived", terms.penalty_waived},
                       {"outcome", terms.text},
                       {"description", description}}
                    .dump();
    bytes stored(record.begin(), record.end());
    p.ops.push_back({std::string{tables::disclosures}, as_bytes(key), stored, false});
    auto head = terms.voluntary ? "voluntary disclosure accepted: " : "disclosure after customs knew: ";
    std::string what = std::string{head} + id + ": " + terms.text
                       + (underpaid > 0 ? "; tax CNY " + format_amount(underpaid) + " due" : std::string{});
    c.due = *due_after;
    c.disclosed = *disclosed;
    if (underpaid > 0)
      c.claims.push_back({id, items, underpaid, terms.voluntary, underpaid, false});
    // The tax is added to what the case owes. A verification or audit under way, or an
    // amendment still owed, keeps what the case waits for (the officer's or the
    // declarant's to end); otherwise the case waits for the payment.
    bool other_wait = c.review_under_way() || (!c.waiting_on.empty() && !c.awaits_payment());
    if (underpaid > 0 && !other_wait) {
      c.waiting_on = "payment of the disclosed tax, CNY " + format_amount(c.due);
      if (c.at == stage::released)
        set_status(c, "auditPending", what, now);
      else
        c.history.push_back({now, c.status, what}); // closed: it stays closed and owes it
    } else {
      c.history.push_back({now, c.status, what});
    }
    auto dr = decision_for(c, w.message_id, what + " (" + valid_utf8(description.substr(0, 200)) + ")");
    dr.digest = sha256(stored.data(), stored.size());
    p.decisions.push_back(std::move(dr));
    p.notices.push_back(status_notice(w.sender, c, w.message_id, c.status, what, now));
    p.case_key = c.case_id;
    put_case(p, c);
    st.disclosures.insert(key);
    *cp = std::move(c);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

} // namespace detail

} // namespace hub::customs
