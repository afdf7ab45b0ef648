// Credit tiers that move (SR-14.1): a credit officer's customs.credit-decision changes
// an enterprise's tier from a date on. The change is committed with its document and
// evidence record, published to the assessors before the commit (a declaration lodged
// after it is assessed on the new tier), and told to the enterprise's party.

#include <capnp/message.h>
#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/customs/customs_errors.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/notification.capnp.h"

namespace hub::customs::detail {

namespace {

constexpr int64_t day_ms = 86400LL * 1000;
/// A decision may apply from its commit or a later date within a year; never earlier
/// (declarations already assessed keep the tier they were assessed on). A minute of
/// clock skew between the officer's system and the hub is allowed.
constexpr int64_t skew_ms = 60 * 1000;
constexpr int64_t max_ahead_ms = 366 * day_ms;

/// The FormattedDocument ("json", "customs.credit-change") the enterprise's party gets.
notice credit_notice(const std::string& recipient, const credit_record& r, const credit_change& c,
                     tier before, int64_t now) {
  auto body = json{{"enterprise", r.enterprise},
                   {"tierBefore", to_string(before)},
                   {"tier", to_string(c.to)},
                   {"effectiveFrom", c.from},
                   {"cause", c.cause},
                   {"decidedBy", c.by},
                   {"reason", c.reason}}
                .dump();
  capnp::MallocMessageBuilder mb;
  auto n = mb.initRoot<wire::Notification>();
  n.setCreatedAt(now);
  auto d = n.initDocument();
  d.setFormat("json");
  d.setName("customs.credit-change");
  d.setContent(kj::arrayPtr(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  d.setStatus(wire::DocumentStatus::ACCEPTED);
  d.setReason(valid_utf8("credit tier of " + r.enterprise + ": " + to_string(before) + " -> "
                         + to_string(c.to) + " from " + utc_minutes(c.from) + " (" + c.reason + ")"));
  return notice{recipient, to_bytes(mb)};
}

/// Adds `c` to `rec` as the latest word, and puts into the plan what every change
/// brings: the stored record, its evidence (`dr` filled in here with the digest and the
/// detail), the enterprise's notification; then publishes the records to the assessors
/// (ahead of the commit: what is lodged after its receipt is assessed on it; a refused
/// commit reloads them from LMDB).
void apply_change(clearance_state& st, const enterprise_config& ent, credit_record& rec, credit_change c,
                  decision_record dr, const std::string& how, plan& p, int64_t now) {
  auto before = rec.tier_at(c.from);
  for (auto& gone : rec.supersede(c))
    c.reason += "; supersedes the change to " + std::string{to_string(gone.to)} + " scheduled from "
                + utc_minutes(gone.from);
  rec.history.back().reason = c.reason;
  auto stored = credit_to_bytes(rec);
  p.ops.push_back({std::string{tables::credit}, as_bytes(rec.enterprise), stored, false});
  dr.digest = sha256(stored.data(), stored.size());
  dr.detail = "credit of " + rec.enterprise + ": " + to_string(before) + " -> " + to_string(c.to) + " from "
              + utc_minutes(c.from) + " " + how + ": " + c.reason.substr(0, 300);
  p.decisions.push_back(std::move(dr));
  if (!ent.party.empty()) {
    auto reg = st.d.registry->get();
    if (auto* to_party = reg->by_id(ent.party); to_party != nullptr && to_party->enabled)
      p.notices.push_back(credit_notice(ent.party, rec, c, before, now));
  }
  st.board->set_credit(st.credit);
}

} // namespace

caf::expected<std::map<std::string, credit_record>> credit_records(const customs_config& cfg,
                                                                   const store_reader& reader) {
  std::map<std::string, credit_record> out;
  for (auto& [code, e] : cfg.enterprises)
    out.emplace(code, credit_from_config(e));
  caf::error damaged;
  auto err = reader.for_each(tables::credit, [&](const bytes& key, const bytes& val) {
    std::string why;
    auto r = credit_from_bytes(val, &why);
    if (r && r->enterprise != as_string(key))
      why = "it names enterprise \"" + r->enterprise.substr(0, 64) + "\"";
    if (!r || !why.empty()) {
      damaged = caf::make_error(ec::store_failure, std::string{tables::credit} + ": the credit record of \""
                                                     + as_string(key).substr(0, 64) + "\" is damaged (" + why
                                                     + "); its tier cannot be known");
      return false;
    }
    out[as_string(key)] = std::move(*r);
    return true;
  });
  if (err)
    return err;
  if (damaged)
    return damaged;
  return out;
}

void count_violation(clearance_state& st, const std::string& enterprise, const std::string& by,
                     const std::string& what, plan& p, int64_t now) {
  auto& e = enterprise_of(st, enterprise);
  e.violations++;
  put_enterprise(st, p, enterprise);
  auto per = st.d.cfg->credit.violations_per_downgrade;
  auto* ent = st.d.cfg->enterprise(enterprise);
  auto it = st.credit.find(enterprise);
  if (per == 0 || e.violations % per != 0 || ent == nullptr || it == st.credit.end())
    return;
  auto& rec = it->second;
  auto before = rec.tier_at(now);
  if (before == tier::discredited)
    return;
  credit_change c;
  c.from = now;
  c.to = static_cast<tier>(static_cast<uint8_t>(before) + 1);
  c.cause = "violation";
  c.by = by;
  c.reason = valid_utf8(std::to_string(e.violations) + " violation(s) found; the latest: " + what.substr(0, 300));
  c.decided_at = now;
  decision_record dr;
  dr.party = by;
  apply_change(st, *ent, rec, std::move(c), std::move(dr), "after a violation", p, now);
}

void load_credit(clearance_state& st) {
  auto recs = credit_records(*st.d.cfg, *st.d.reader);
  if (!recs) { // the module refused to start on it; only a later fault gets here
    log::error("clearance", "credit records not reloaded, the last ones stay: " + context_text(recs.error()));
    return;
  }
  st.credit = std::move(*recs);
  st.board->set_credit(st.credit);
}

tier credit_tier(const clearance_state& st, const std::string& enterprise, int64_t at) {
  auto i = st.credit.find(enterprise);
  return i == st.credit.end() ? tier::general_credit : i->second.tier_at(at);
}

caf::expected<plan> on_credit_decision(clearance_state& st, const document_write& w, const party& officer) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::CreditDecision>(w, [&](wire::CreditDecision::Reader d) -> caf::error {
    auto code = text(d.getEnterprise());
    auto to = tier_from_string(text(d.getTier()));
    if (!to) // the validator checked it; a stored document read back is the same
      return caf::make_error(ec::invalid_field, "tier: unknown");
    auto* ent = st.d.cfg->enterprise(code);
    if (ent == nullptr)
      return caf::make_error(errc::unknown_enterprise,
                             "enterprise: \"" + code.substr(0, 64) + "\" is not registered with customs");
    // The enterprise's direct customs (of its domicile) decides, or GACC.
    auto unit = unit_of(officer);
    auto home = st.d.cfg->direct_of(ent->inland_customs.empty() ? "0000" : ent->inland_customs);
    if (unit != "0000" && st.d.cfg->direct_of(unit) != home)
      return caf::make_error(errc::out_of_scope,
                             "customs unit " + (unit.empty() ? std::string{"(none)"} : unit)
                               + " may not decide the credit of " + code + ", whose direct customs is "
                               + home + " (or GACC 0000)");
    int64_t from = d.getEffectiveFrom() == 0 ? now : d.getEffectiveFrom();
    if (from < now - skew_ms)
      return caf::make_error(ec::invalid_field,
                             "effectiveFrom: " + utc_minutes(from)
                               + " is in the past; a credit change applies from now (0) or a later date");
    if (from > now + max_ahead_ms)
      return caf::make_error(ec::invalid_field, "effectiveFrom: more than a year ahead");
    from = std::max(from, now);
    auto it = st.credit.find(code);
    if (it == st.credit.end()) // every registered enterprise has one since load_credit
      it = st.credit.emplace(code, credit_from_config(*ent)).first;
    auto& rec = it->second;
    auto before = rec.tier_at(from);
    bool scheduled = !rec.history.empty() && rec.history.back().from > from;
    if (before == *to && !scheduled) // the same tier cancels a scheduled change, else it is a mistake
      return caf::make_error(ec::invalid_field, "tier: " + code + " is already " + to_string(*to) + " at "
                                                  + utc_minutes(from));
    credit_change c;
    c.from = from;
    c.to = *to;
    c.cause = "decision";
    c.by = officer.id;
    c.reason = valid_utf8(text(d.getReason()));
    c.document = to_hex(w.message_id);
    c.decided_at = now;
    decision_record dr;
    dr.party = w.sender;
    dr.message_id = w.message_id;
    apply_change(st, *ent, rec, std::move(c), std::move(dr), "by " + officer.id, p, now);
    return caf::none;
  });
  if (err) // refused before anything changed in memory
    return err;
  return p;
}

} // namespace hub::customs::detail
