// Clearance, part 1: lookups, tariff and lane, and the state machine that moves a case
// from lodgement to release (see clearance_state.hpp).

#include <algorithm>
#include <cmath>
#include <ctime>

#include <openssl/rand.h>

#include "actors/core/error.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/mra/foreign_aeo.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/notification.capnp.h"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/officer_unit.hpp"
#include "actors/customs/customs_errors.hpp"

namespace hub::customs::detail {

/// Value per unit in cents; a partner's tiny quantity must not overflow the conversion.
cents per_unit_value(cents value, double quantity) {
  auto v = static_cast<double>(value) / quantity;
  return v >= 1e17 ? cents{100'000'000'000'000'000} : static_cast<cents>(v);
}

bytes encode(const enterprise_state& e) {
  json j{{"reserved", e.reserved}, {"consumed", e.consumed}, {"declarations", e.declarations},
         {"violations", e.violations}, {"statements", e.statements}};
  auto s = j.dump();
  return bytes(s.begin(), s.end());
}

enterprise_state decode_enterprise(const bytes& b) {
  enterprise_state e;
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded())
    return e;
  e.reserved = j.value("reserved", cents{0});
  e.consumed = j.value("consumed", cents{0});
  e.declarations = j.value("declarations", 0u);
  e.violations = j.value("violations", 0u);
  e.statements = j.value("statements", std::map<std::string, cents>{});
  return e;
}


bytes as_bytes(std::string_view s) {
  return bytes(s.begin(), s.end());
}

std::string as_string(const bytes& b) {
  return std::string(b.begin(), b.end());
}

std::string text(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

wire::DocumentStatus wire_status(const std::string& s) {
  return static_cast<wire::DocumentStatus>(document_status_code(s));
}

/// A status notification for `recipient` about case `c`, in the declarant's terms.
notice status_notice(const std::string& recipient, const case_record& c, const bytes& subject,
                     const std::string& status, const std::string& reason, int64_t now) {
  capnp::MallocMessageBuilder mb;
  auto n = mb.initRoot<wire::Notification>();
  n.setCreatedAt(now);
  auto s = n.initStatus();
  s.setSubjectMessageId(kj::arrayPtr(subject.data(), subject.size()));
  s.setCaseId(c.case_id);
  s.setStatus(wire_status(status));
  s.setReason(valid_utf8(reason)); // may quote an amendment's reason, partner text
  s.setAt(now);
  s.setDeclarationId(valid_utf8(c.declaration_id));
  s.setAmountDue(c.due > 0 ? format_amount(c.due) : std::string{});
  s.setWaitingOn(valid_utf8(c.waiting_on));
  return notice{recipient, to_bytes(mb)};
}

void set_status(case_record& c, const std::string& status, const std::string& detail, int64_t now) {
  c.status = status;
  c.history.push_back({now, status, detail});
}

decision_record decision_for(const case_record& c, const bytes& message_id, const std::string& detail) {
  decision_record dr;
  dr.party = c.declarant;
  dr.message_id = message_id;
  auto body = c.case_id + "\n" + detail;
  dr.digest = sha256(reinterpret_cast<const uint8_t*>(body.data()), body.size());
  dr.detail = "case " + c.case_id + ": " + detail;
  return dr;
}

void put_case(plan& p, const case_record& c) {
  p.ops.push_back({std::string{tables::cases}, as_bytes(c.case_id), encode_case(c), false});
  p.touched_cases.push_back(c.case_id);
}

uint64_t random_device_seed() {
  uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
    seed = static_cast<uint64_t>(now_ms()) * 0x9E3779B97F4A7C15ull;
  return seed;
}

void put_enterprise(clearance_state& st, plan& p, const std::string& code) {
  p.ops.push_back({std::string{tables::enterprises}, as_bytes(code), encode(st.enterprises[code]), false});
  p.touched_enterprises.push_back(code);
  auto& e = st.enterprises[code];
  st.board->set_history(code, e.declarations, e.violations);
}

int64_t year_of(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

std::string month_of(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}


// -- lookups -------------------------------------------------------------------

enterprise_state& enterprise_of(clearance_state& st, const std::string& code) {
  auto i = st.enterprises.find(code);
  if (i != st.enterprises.end())
    return i->second;
  enterprise_state e;
  if (auto b = st.d.reader->get(tables::enterprises, as_bytes(code)))
    e = decode_enterprise(*b);
  return st.enterprises.emplace(code, std::move(e)).first->second;
}

case_record* case_by_id(clearance_state& st, const std::string& id) {
  if (auto i = st.cases.find(id); i != st.cases.end())
    return &i->second;
  auto b = st.d.reader->get(tables::cases, as_bytes(id));
  if (!b)
    return nullptr;
  auto c = decode_case(*b);
  if (!c) {
    log::error("clearance", "case " + id + " unreadable: " + context_text(c.error()));
    return nullptr;
  }
  st.refs[case_ref_key(c->declarant, c->declaration_id)] = id;
  return &st.cases.emplace(id, std::move(*c)).first->second;
}

case_record* case_by_ref(clearance_state& st, const std::string& declarant, const std::string& decl_id) {
  auto key = case_ref_key(declarant, decl_id);
  if (auto i = st.refs.find(key); i != st.refs.end())
    return case_by_id(st, i->second);
  auto id = st.d.reader->get(tables::case_refs, as_bytes(key));
  if (!id)
    return nullptr;
  return case_by_id(st, as_string(*id));
}

caf::error no_case(const std::string& declarant, const std::string& decl_id) {
  return caf::make_error(errc::unknown_declaration, "no declaration \"" + decl_id.substr(0, 64)
                                                    + "\" lodged by " + declarant);
}

/// The tariff lines of an officer's reach: officers act for a unit; a case belongs to
/// the direct customs of its declaring unit.
caf::error officer_scope(const clearance_state& st, const party& officer, const case_record& c) {
  auto mine = st.d.cfg->direct_of(unit_of(officer));
  if (mine.empty())
    return caf::make_error(errc::out_of_scope, "officer " + officer.id + " has no customs unit");
  if (mine != "0000" && mine != st.d.cfg->direct_of(c.customs_unit))
    return caf::make_error(errc::out_of_scope, "officer " + officer.id + " of " + unit_of(officer)
                                               + " may not act on a declaration of unit " + c.customs_unit);
  return caf::none;
}

// -- lodgement: tariff, facts, lane --------------------------------------------

caf::expected<lodged> read_declaration(const customs_deps& dep, wire::Declaration::Reader d) {
  lodged out;
  out.import = d.getType() == wire::DeclarationType::IMPORT;
  out.enterprise = text(out.import ? d.getImporter().getId() : d.getExporter().getId());
  out.unit = text(d.getCustomsUnit());
  auto* unit = dep.cfg->unit(out.unit);
  if (unit == nullptr)
    return caf::make_error(errc::unknown_customs_unit,
                           "customsUnit: " + out.unit + " is not a unit of the customs organisation");
  if (dep.cfg->enterprise(out.enterprise) == nullptr)
    return caf::make_error(errc::unknown_enterprise,
                           std::string{out.import ? "importer" : "exporter"} + ".id: \"" + out.enterprise.substr(0, 64)
                             + "\" is not registered with customs");
  out.settle = static_cast<settlement>(d.getSettlement());
  if (d.getSelfAssessedTax().size() > 0) {
    std::string s = d.getSelfAssessedTax();
    auto a = s.find_first_not_of("0.") == std::string::npos ? caf::expected<cents>{0} : parse_amount(s);
    if (!a)
      return caf::make_error(ec::invalid_amount, "selfAssessedTax: " + context_text(a.error()));
    out.self_assessed = *a;
  }
  for (auto doc : d.getTransportDocuments())
    out.transport_documents.push_back(text(doc.getNumber()));
  for (auto op : d.getForeignOperators())
    out.foreign_operators.emplace_back(text(op.getRole()), text(op.getAeoId()));
  for (auto it : d.getItems()) {
    case_item ci;
    ci.hs = text(it.getHsCode());
    ci.description = text(it.getDescription());
    ci.unit = text(it.getUnit());
    ci.currency = text(it.getCurrency());
    ci.origin = text(it.getOriginCountry());
    ci.claim = text(it.getPreferentialOriginClaim());
    ci.certificate = text(it.getOriginCertificate());
    ci.ruling_id = text(it.getRulingId());
    for (auto lic : it.getLicences())
      ci.licences.push_back(text(lic));
    ci.quantity = it.getQuantity();
    ci.net_kg = it.getNetWeightKg();
    auto v = parse_amount(text(it.getCustomsValue()));
    if (!v)
      return v.error();
    ci.value = *v;
    out.tax_items.push_back({ci.hs, ci.value, ci.currency, ci.origin, ci.claim, ci.quantity, ci.unit});
    out.items.push_back(std::move(ci));
  }
  auto a = assess(*dep.ref, out.tax_items, out.import);
  if (!a)
    return a.error();
  out.assessed = std::move(*a);
  return out;
}

/// Checks quoted rulings; returns the deviations (empty: none).
caf::expected<std::vector<std::string>> ruling_deviations(const std::map<std::string, advance_ruling>& rulings,
                                                          const lodged& l, int64_t now) {
  std::vector<std::string> out;
  for (size_t i = 0; i < l.items.size(); ++i) {
    auto& it = l.items[i];
    if (it.ruling_id.empty())
      continue;
    auto r = rulings.find(it.ruling_id);
    auto field = "items[" + std::to_string(i) + "].rulingId";
    if (r == rulings.end() || r->second.holder != l.enterprise)
      return caf::make_error(errc::unknown_ruling, field + ": no advance ruling \"" + it.ruling_id.substr(0, 64)
                                                   + "\" held by " + l.enterprise);
    auto& ru = r->second;
    if (now < ru.valid_from_ms || now >= ru.valid_until_ms)
      out.push_back(field + ": ruling " + ru.id + " is not valid now");
    else if (ru.kind == advance_ruling::classification && ru.hs != it.hs)
      out.push_back("items[" + std::to_string(i) + "].hsCode " + it.hs + " deviates from advance ruling "
                    + ru.id + " (" + ru.hs + ")");
    else if (ru.kind == advance_ruling::valuation && it.quantity > 0) {
      auto per_unit = per_unit_value(l.assessed.items[i].value_cny, it.quantity);
      if (per_unit < ru.min_unit_value || per_unit > ru.max_unit_value)
        out.push_back("items[" + std::to_string(i) + "] unit value CNY " + format_amount(per_unit)
                      + " is outside advance valuation ruling " + ru.id + " (" + format_amount(ru.min_unit_value)
                      + " to " + format_amount(ru.max_unit_value) + ")");
    }
  }
  return out;
}

declaration_facts facts_for(const customs_deps& dep, const std::string& declarant, tier credit,
                            std::pair<uint32_t, uint32_t> history, const lodged& l, bool deviation) {
  declaration_facts f;
  f.declarant = declarant;
  f.enterprise = l.enterprise;
  f.customs_unit = l.unit;
  f.import = l.import;
  f.credit = credit;
  f.prior_declarations = history.first;
  f.prior_violations = history.second;
  f.ruling_deviation = deviation;
  f.transport_documents = l.transport_documents;
  // Foreign AEOs named in the declaration, as the hub holds them at lodgement (read from
  // LMDB: a suspension committed before this declaration arrived is what it sees).
  for (auto& [role, id] : l.foreign_operators) {
    foreign_operator_fact op;
    op.role = role;
    op.id = id;
    if (auto r = mra::find(*dep.reader, id)) {
      op.arrangement = r->arrangement;
      op.status = r->status;
      op.programme = r->programme;
      op.version = r->version;
      op.recognised = r->recognised;
    } else {
      op.status = "unknown";
    }
    f.foreign_operators.push_back(std::move(op));
  }
  for (size_t i = 0; i < l.items.size(); ++i) {
    auto& it = l.items[i];
    item_facts x;
    x.hs = it.hs;
    x.origin = it.origin;
    x.unit_value_cny = per_unit_value(l.assessed.items[i].value_cny, it.quantity);
    x.kg_per_unit = it.net_kg / it.quantity;
    if (auto* p = dep.ref->price_for(it.hs); p != nullptr && p->unit == it.unit)
      x.price_position = x.unit_value_cny < p->min_per_unit ? -1 : x.unit_value_cny > p->max_per_unit ? 1 : 0;
    if (auto* r = dep.ref->restriction_for(it.hs)) {
      x.prohibited = r->prohibited;
      x.restricted = !r->prohibited;
    }
    f.items.push_back(std::move(x));
  }
  return f;
}

bool tier_in(const std::vector<tier>& v, tier t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

// -- the state machine: moves a case as far as it can go -------------------------

void release(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now) {
  if (st.d.metrics)
    st.d.metrics->released++;
  c.at = stage::released;
  c.released_at = now;
  c.waiting_on = c.amendment_required ? "amendment of the declaration (documentary errors found at inspection)"
                                      : std::string{};
  std::string how = c.assessed.total == 0 ? "no tax due"
                    : c.paid >= c.assessed.total ? "tax paid"
                    : "CNY " + format_amount(c.reserved) + " reserved on the guarantee";
  set_status(c, "released", "released: " + how, now);
  if (!p.step1.empty())
    p.step1 += "; released (" + how + ")";
  else
    p.decisions.push_back(decision_for(c, subject, "released (" + how + ")"));
  std::set<std::string> centres;
  for (auto& it : c.items)
    if (auto* tc = st.d.cfg->centre_for(it.hs))
      centres.insert(tc->id);
  c.audits_pending.assign(centres.begin(), centres.end());
  for (auto& id : centres) {
    p.ops.push_back({std::string{tables::audit_queue}, as_bytes(audit_queue_key(id, c.case_id)), {}, false});
    p.reviews.emplace_back(id, c.case_id);
  }
  if (centres.empty() && c.reserved == 0 && c.due == 0 && !c.amendment_required) {
    c.at = stage::closed; // nothing to review and nothing owed: final, still shown as released
    c.closed_at = now;
  }
}

namespace {

std::string agency_name(const clearance_state& st, const std::string& id) {
  auto* a = st.d.cfg->agency(id);
  return a != nullptr && !a->name.empty() ? a->name : id;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (auto& x : v)
    out += (out.empty() ? "" : sep) + x;
  return out;
}

/// "waiting on X (deadline in 2 h)" for the agencies that have not answered yet.
std::string agencies_waited_on(const clearance_state& st, const case_record& c, int64_t now) {
  std::vector<std::string> out;
  for (auto& a : c.agencies) {
    if (a.state == "pending") {
      auto left = (a.deadline - now) / 60000;
      out.push_back(agency_name(st, a.agency)
                    + (a.escalated || left < 0 ? " (overdue, escalated)"
                       : left >= 120       ? " (deadline in " + std::to_string(left / 60) + " h)"
                                           : " (deadline in " + std::to_string(std::max<int64_t>(left, 1)) + " min)"));
    } else if (a.state == "documents") {
      out.push_back("documents for " + agency_name(st, a.agency) + ": " + a.reason);
    }
  }
  return out.empty() ? std::string{} : "waiting on " + join(out, ", ");
}

bool joint_inspection(const case_record& c) {
  return std::any_of(c.agencies.begin(), c.agencies.end(), [](auto& a) { return a.state == "inspection"; });
}

/// True when every agency the case was routed to approved. Otherwise the case waits
/// (partial state in waitingOn), is refused once with every agency's reason when all
/// have answered and one refused, or goes to one inspection for all.
bool agencies_clear(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now) {
  if (c.agencies.empty())
    return true;
  auto waiting = agencies_waited_on(st, c, now);
  if (!waiting.empty()) {
    c.waiting_on = waiting;
    set_status(c, "accepted", waiting, now);
    return false;
  }
  std::vector<std::string> refusals;
  for (auto& a : c.agencies)
    if (a.state == "rejected")
      refusals.push_back(agency_name(st, a.agency) + ": " + a.reason);
  if (!refusals.empty()) {
    c.at = stage::rejected;
    c.waiting_on.clear();
    c.closed_at = now;
    auto why = "refused by " + join(refusals, "; ");
    restore_reservation(st, c, p, subject, "declaration refused");
    return_licences(st, c, p, subject, "declaration refused");
    set_status(c, "rejected", why, now);
    p.decisions.push_back(decision_for(c, subject, why));
    return false;
  }
  if (joint_inspection(c)) { // one inspection for all who asked (customs' own was done)
    c.at = stage::inspection;
    c.inspection.clear();
    return false; // advance() shows the inspection
  }
  return true;
}

} // namespace

void advance(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now) {
  for (int round = 0; round < 2; ++round) { // an agency may send a cleared case back to inspection once
    if (c.at == stage::inspection) {
      if (c.inspection.empty()) {
        bool joint = joint_inspection(c);
        bool red = c.lane == "red" || joint;
        std::vector<std::string> who;
        for (auto& a : c.agencies)
          if (a.state == "inspection")
            who.push_back(agency_name(st, a.agency));
        c.waiting_on = std::string{red ? "physical examination" : "documentary check"} + " by customs"
                       + (who.empty() ? "" : " jointly with " + join(who, ", "));
        auto others = agencies_waited_on(st, c, now);
        if (!others.empty())
          c.waiting_on += "; " + others;
        set_status(c, red ? "forExamination" : "documentaryCheck", "selected for " + c.waiting_on, now);
        return;
      }
      c.at = stage::evidence;
    }
    if (c.at == stage::evidence && !agencies_clear(st, c, p, subject, now)) {
      if (c.at == stage::inspection)
        continue;
      return;
    }
    break;
  }
  if (c.at == stage::evidence) {
    if (c.valuation_evidence && c.evidence.empty()) {
      c.waiting_on = "valuation evidence (samples or images) taken by customs";
      set_status(c, "accepted", "release waits for " + c.waiting_on, now);
      return;
    }
    c.at = stage::settlement;
  }
  if (c.at != stage::settlement)
    return;
  cents owed = c.assessed.total - c.paid;
  if (owed <= 0 || c.reserved >= owed) {
    c.due = 0;
    return release(st, c, p, subject, now);
  }
  if (c.settle == settlement::payment) {
    c.due = owed;
    c.waiting_on = "payment of the tax due, CNY " + format_amount(owed);
    set_status(c, "accepted", "release on payment of CNY " + format_amount(owed), now);
    return;
  }
  auto& e = enterprise_of(st, c.enterprise);
  auto* ec_ = st.d.cfg->enterprise(c.enterprise);
  cents available = (ec_ ? ec_->guarantee : 0) - e.reserved - e.consumed;
  if (available < owed) {
    c.due = owed;
    c.waiting_on = "guarantee insufficient (available CNY " + format_amount(std::max<cents>(available, 0))
                   + ", needed CNY " + format_amount(owed) + "): pay the tax or increase the guarantee";
    set_status(c, "accepted", c.waiting_on, now);
    p.decisions.push_back(decision_for(c, subject, "guarantee of " + c.enterprise + " insufficient: available "
                                                     + format_amount(available) + ", needed " + format_amount(owed)));
    return;
  }
  e.reserved += owed;
  c.reserved = owed;
  c.due = 0;
  if (c.settle == settlement::consolidated) {
    c.period = month_of(now);
    e.statements[c.period] += owed;
  }
  put_enterprise(st, p, c.enterprise);
  auto reserved = "CNY " + format_amount(owed) + " reserved on the guarantee of " + c.enterprise
                  + (c.period.empty() ? "" : " (statement " + c.period + ")");
  if (!p.step1.empty())
    p.step1 += "; " + reserved;
  else
    p.decisions.push_back(decision_for(c, subject, reserved));
  release(st, c, p, subject, now);
}

/// Gives back `amount` of a case's reservation (at most what it holds).
void reduce_reservation(clearance_state& st, case_record& c, plan& p, const bytes& subject, cents amount,
                        const std::string& why) {
  amount = std::min(amount, c.reserved);
  if (amount <= 0)
    return;
  auto& e = enterprise_of(st, c.enterprise);
  e.reserved = std::max<cents>(0, e.reserved - amount);
  if (!c.period.empty()) {
    auto& s = e.statements[c.period];
    s = std::max<cents>(0, s - amount);
    if (s == 0)
      e.statements.erase(c.period);
  }
  p.decisions.push_back(decision_for(c, subject, "guarantee reservation of CNY " + format_amount(amount)
                                                   + (amount == c.reserved ? " restored (" : " given back (") + why
                                                   + ")"));
  c.reserved -= amount;
  put_enterprise(st, p, c.enterprise);
}

/// Gives back a reservation (payment, cancellation, refusal).
void restore_reservation(clearance_state& st, case_record& c, plan& p, const bytes& subject, const std::string& why) {
  reduce_reservation(st, c, p, subject, c.reserved, why);
}

bool close_if_settled(case_record& c, int64_t now, const std::string& why) {
  if (c.at != stage::released || c.status == "auditPending" || !c.audits_pending.empty() || c.amendment_required
      || c.due > 0 || c.reserved > 0)
    return false;
  c.at = stage::closed;
  c.closed_at = now;
  c.waiting_on.clear();
  set_status(c, "closed", why, now);
  return true;
}

void release_held(clearance_state& st, const std::string& enterprise, const std::string& except, plan& p,
                  int64_t now) {
  for (auto& [id, c] : st.cases) { // case ids ascend with lodgement: first held, first released
    if (id == except || c.enterprise != enterprise || c.at != stage::settlement
        || c.settle == settlement::payment || c.due <= 0)
      continue;
    auto& e = st.enterprises[enterprise];
    auto* cfg = st.d.cfg->enterprise(enterprise);
    if ((cfg ? cfg->guarantee : 0) - e.reserved - e.consumed < c.assessed.total - c.paid)
      break; // keep the order: a later, smaller one does not overtake
    advance(st, c, p, c.message_id, now);
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
    put_case(p, c);
  }
}

/// Step 1 for a new or amended declaration: tariff, rulings, lane, then as far as it goes.
caf::expected<prepared> prepare_step1(const customs_deps& dep, const step1_board& board, lodged l,
                                      const std::string& declarant, uint64_t seed, int64_t now) {
  prepared pr;
  auto rulings = board.rulings();
  auto deviations = ruling_deviations(*rulings, l, now);
  if (!deviations)
    return deviations.error();
  pr.errors = *deviations;
  if (l.self_assessed >= 0 && l.self_assessed != l.assessed.total)
    pr.errors.push_back("self-assessed tax CNY " + format_amount(l.self_assessed) + " differs from the assessment CNY "
                        + format_amount(l.assessed.total) + " (duty " + format_amount(l.assessed.duty)
                        + ", consumption tax " + format_amount(l.assessed.consumption_tax) + ", VAT "
                        + format_amount(l.assessed.vat) + "); the assessed amount is due");
  pr.credit = board.tier_at(l.enterprise, now); // the record, as decided up to now
  pr.at = now;
  pr.seed = seed;
  for (size_t i = 0; i < l.items.size(); ++i)
    if (auto* r = dep.ref->restriction_for(l.items[i].hs); r != nullptr && r->prohibited) {
      pr.prohibited = "items[" + std::to_string(i) + "]: HS " + l.items[i].hs + " is prohibited (" + r->reason + ")";
      pr.l = std::move(l);
      return pr;
    }
  auto facts = facts_for(dep, declarant, pr.credit, board.history(l.enterprise), l, !deviations->empty());
  pr.decision = evaluate(*dep.rules->get(), facts, seed, now);
  pr.decision_text = decision_text(pr.decision);
  pr.facts_text = facts_text(facts);
  pr.l = std::move(l);
  return pr;
}

caf::expected<prepared> prepare_declaration(const customs_deps& dep, const step1_board& board,
                                            wire::Declaration::Reader d, const std::string& declarant,
                                            uint64_t seed, int64_t now) {
  auto l = read_declaration(dep, d);
  if (!l)
    return l.error();
  return prepare_step1(dep, board, std::move(*l), declarant, seed, now);
}

void apply_step1(clearance_state& st, case_record& c, const prepared& pr, plan& p, const bytes& subject,
                 int64_t now) {
  const auto& l = pr.l;
  c.items = l.items;
  c.assessed = l.assessed;
  c.self_assessed = l.self_assessed;
  c.settle = l.settle;
  c.inspection.clear();
  c.evidence.clear();
  c.due = 0;
  if (!pr.prohibited.empty()) {
    c.at = stage::rejected;
    c.waiting_on.clear();
    set_status(c, "rejected", pr.prohibited, now);
    p.decisions.push_back(decision_for(c, subject, "rejected at admissibility: " + pr.prohibited));
    if (st.d.metrics)
      st.d.metrics->rejected++;
    return;
  }
  auto& d = pr.decision;
  c.lane = to_string(d.lane);
  c.decision = pr.decision_text;
  c.facts = pr.facts_text;
  c.decided_at = pr.at;
  c.valuation_evidence = d.valuation_evidence;
  // One evidence record for the whole of step 1 (lane, reservation, release), below in advance().
  p.step1 = "lane " + std::string{to_string(d.lane)} + " (rule set " + std::to_string(d.rule_set_version)
            + ", seed " + std::to_string(pr.seed) + "): " + d.explanation;
  if (!pr.errors.empty()) {
    std::string all;
    for (auto& x : pr.errors)
      all += (all.empty() ? "" : "; ") + x;
    set_status(c, "acceptedWithErrors", all, now);
    p.notices.push_back(status_notice(c.declarant, c, subject, "acceptedWithErrors", all, now));
  }
  if (st.d.metrics)
    (d.lane == lane::green ? st.d.metrics->green : d.lane == lane::yellow ? st.d.metrics->yellow
                                                                        : st.d.metrics->red)++;
  c.at = d.lane == lane::green ? stage::evidence : stage::inspection;
  route_agencies(st, c, p, now);
  advance(st, c, p, subject, now);
  p.decisions.insert(p.decisions.begin(), decision_for(c, subject, p.step1));
  p.step1.clear();
}

void load_rulings(clearance_state& st) {
  st.rulings.clear();
  st.d.reader->for_each(tables::rulings, [&](const bytes&, const bytes& val) {
    if (auto r = ruling_from_bytes(val))
      st.rulings[r->id] = std::move(*r);
    return true;
  });
  st.board->set_rulings(st.rulings);
}


std::pair<std::string, std::string> task_of(const clearance_state& st, const case_record& c) {
  if (c.at == stage::inspection && c.inspection.empty())
    return {c.customs_unit, c.lane == "red" || joint_inspection(c) ? "examination" : "documentary check"};
  if (c.status == "auditPending" && c.waiting_on.rfind("audit", 0) == 0) {
    auto* ent = st.d.cfg->enterprise(c.enterprise);
    return {ent && !ent->inland_customs.empty() ? ent->inland_customs : c.customs_unit, "audit"};
  }
  if (c.status == "auditPending" && c.waiting_on.rfind("post-release verification", 0) == 0)
    return {c.customs_unit, "verification"};
  return {};
}

// -- licences (logistics-and-bonded.md §5) ---------------------------------------

bytes encode(const licence_state& l) {
  auto text = json{{"id", l.id}, {"type", l.type}, {"holder", l.holder}, {"issuer", l.issuer},
                   {"hsPrefixes", l.hs_prefixes}, {"quantityUnits", l.quantity}, {"remainingUnits", l.remaining},
                   // doubles too, for a build from before issue 16 (a rollback) to read
                   {"quantity", to_double(l.quantity)}, {"remaining", to_double(l.remaining)},
                   {"unit", l.unit}, {"validFrom", l.valid_from}, {"validUntil", l.valid_until}}
                .dump();
  return bytes(text.begin(), text.end());
}

std::optional<licence_state> decode_licence(const bytes& b) {
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  licence_state l;
  l.id = j.value("id", "");
  l.type = j.value("type", "");
  l.holder = j.value("holder", "");
  l.issuer = j.value("issuer", "");
  l.hs_prefixes = j.value("hsPrefixes", std::vector<std::string>{});
  // 1/100000 units; records written before issue 16 hold doubles ("quantity").
  auto fixed = [&](const char* key, const char* old_key) -> units {
    if (j.contains(key))
      return j.value(key, units{0});
    return units_from_stored(j.value(old_key, 0.0));
  };
  l.quantity = fixed("quantityUnits", "quantity");
  l.remaining = fixed("remainingUnits", "remaining");
  l.unit = j.value("unit", "");
  l.valid_from = j.value("validFrom", int64_t{0});
  l.valid_until = j.value("validUntil", int64_t{0});
  return l;
}

caf::expected<std::vector<drawdown>> check_licences(const clearance_state& st, const lodged& l, int64_t now,
                                                    const std::vector<drawdown>& held) {
  // Exact and checked (issue 16): what this case holds already, and what this
  // declaration draws, per licence.
  std::map<std::string, units_sum> credit, used;
  for (auto& d : held)
    credit[d.licence] += d.quantity;
  std::vector<drawdown> out;
  for (size_t i = 0; i < l.items.size(); ++i) {
    auto& it = l.items[i];
    auto field = "items[" + std::to_string(i) + "].licences";
    auto* r = st.d.ref->restriction_for(it.hs);
    if (r == nullptr || r->prohibited || r->licence_type.empty())
      continue; // no licence needed (quoted ones are ignored)
    const licence_state* use = nullptr;
    caf::error why;
    for (auto& id : it.licences) {
      auto f = st.licences.find(id);
      if (f == st.licences.end()) {
        why = caf::make_error(errc::unknown_licence, field + ": no licence \"" + id.substr(0, 64) + "\" is registered");
        continue;
      }
      auto& lic = f->second;
      if (lic.type != r->licence_type)
        continue; // another kind of licence; the item may quote several
      auto covers = std::any_of(lic.hs_prefixes.begin(), lic.hs_prefixes.end(),
                                [&](const std::string& p) { return it.hs.rfind(p, 0) == 0; });
      if (lic.holder != l.enterprise)
        why = caf::make_error(errc::licence_not_valid, field + ": licence " + id + " is held by " + lic.holder
                                                       + ", not " + l.enterprise);
      else if (!covers)
        why = caf::make_error(errc::licence_not_valid, field + ": licence " + id + " does not cover HS " + it.hs);
      else if (lic.unit != it.unit)
        why = caf::make_error(errc::licence_not_valid, field + ": licence " + id + " is in " + lic.unit
                                                       + ", the item in " + it.unit);
      else if (now < lic.valid_from || now >= lic.valid_until)
        why = caf::make_error(errc::licence_not_valid, field + ": licence " + id + " is not valid now (valid "
                                                       + std::to_string(lic.valid_from) + " to "
                                                       + std::to_string(lic.valid_until) + ")");
      else {
        use = &lic;
        break;
      }
    }
    if (use == nullptr) {
      if (why)
        return why;
      return caf::make_error(ec::missing_field, field + ": HS " + it.hs + " needs a " + r->licence_type + " ("
                                                  + r->reason + "); quote its number");
    }
    auto q = to_units(it.quantity, "items[" + std::to_string(i) + "].quantity");
    if (!q)
      return q.error();
    units_sum avail = credit[use->id];
    avail += use->remaining;
    avail -= used[use->id];
    used[use->id] += *q;
    if (avail.compare(*q) < 0)
      return caf::make_error(errc::licence_exhausted, field + ": licence " + use->id + " has "
                                                      + avail.text() + " "
                                                      + use->unit + " left of " + format_units(use->quantity)
                                                      + ", the item declares " + format_units(*q));
    out.push_back({use->id, static_cast<uint16_t>(i), *q});
  }
  return out;
}

void draw_licences(clearance_state& st, case_record& c, std::vector<drawdown> dd, plan& p, const bytes& subject) {
  for (auto& d : dd) {
    auto& lic = st.licences[d.licence];
    lic.remaining -= d.quantity;
    p.ops.push_back({std::string{tables::licences}, as_bytes(lic.id), encode(lic), false});
    p.decisions.push_back(decision_for(c, subject, format_units(d.quantity) + " " + lic.unit + " drawn on licence " + lic.id
                                                     + " for item " + std::to_string(d.item) + ", " + format_units(lic.remaining)
                                                     + " left"));
  }
  c.drawdowns = std::move(dd);
}

void return_licences(clearance_state& st, case_record& c, plan& p, const bytes& subject, const std::string& why) {
  for (auto& d : c.drawdowns) {
    auto f = st.licences.find(d.licence);
    if (f == st.licences.end())
      continue;
    f->second.remaining += d.quantity;
    p.ops.push_back({std::string{tables::licences}, as_bytes(f->second.id), encode(f->second), false});
    p.decisions.push_back(decision_for(c, subject, format_units(d.quantity) + " " + f->second.unit + " given back to licence "
                                                     + d.licence + " (" + why + ")"));
  }
  c.drawdowns.clear();
}

void load_licences(clearance_state& st) {
  st.licences.clear();
  st.d.reader->for_each(tables::licences, [&](const bytes&, const bytes& val) {
    if (auto l = decode_licence(val))
      st.licences[l->id] = std::move(*l);
    return true;
  });
}

// -- single window: routing to agencies --------------------------------------------

void route_agencies(clearance_state& st, case_record& c, plan& p, int64_t now) {
  // An amended declaration keeps what agencies still routed to have decided (they see a
  // case id once); agencies no longer concerned drop out, newly concerned ones are asked.
  auto before = std::move(c.agencies);
  c.agencies.clear();
  auto regime = c.import ? "import" : "export";
  std::map<std::string, std::vector<size_t>> items; // agency -> routed item indices
  std::map<std::string, std::string> why;
  for (auto& r : st.d.cfg->routing) {
    if (!r.regimes.empty() && std::find(r.regimes.begin(), r.regimes.end(), regime) == r.regimes.end())
      continue;
    for (size_t i = 0; i < c.items.size(); ++i)
      for (auto& pre : r.hs_prefixes)
        if (c.items[i].hs.rfind(pre, 0) == 0) {
          for (auto& a : r.agencies) {
            auto& v = items[a];
            if (std::find(v.begin(), v.end(), i) == v.end())
              v.push_back(i);
            why[a] = "HS " + pre + (r.regimes.empty() ? "" : std::string{" "} + regime);
          }
          break;
        }
  }
  for (auto& [id, idx] : items) {
    auto* a = st.d.cfg->agency(id);
    if (a == nullptr)
      continue;
    auto kept = std::find_if(before.begin(), before.end(), [&](const agency_task& t) { return t.agency == id; });
    if (kept != before.end()) {
      c.agencies.push_back(*kept);
      continue;
    }
    agency_task t;
    t.agency = id;
    t.deadline = now + a->deadline.count();
    c.agencies.push_back(t);
    capnp::MallocMessageBuilder mb;
    auto n = mb.initRoot<wire::Notification>();
    n.setCreatedAt(now);
    auto ac = n.initAgencyCase();
    ac.setCaseId(c.case_id);
    ac.setAgency(id);
    ac.setCustomsUnit(c.customs_unit);
    ac.setDeclarationType(regime);
    if (a->may_see("enterprise"))
      ac.setEnterprise(c.enterprise);
    ac.setDeadline(t.deadline);
    ac.setReason("routed for " + why[id]);
    if (a->may_see("transportDocuments")) {
      auto facts = json::parse(c.facts, nullptr, false); // the declaration's B/L and AWB numbers
      auto docs = facts.is_object() ? facts.value("transportDocuments", std::vector<std::string>{})
                                    : std::vector<std::string>{};
      auto td = ac.initTransportDocuments(static_cast<unsigned>(docs.size()));
      for (unsigned k = 0; k < td.size(); ++k)
        td.set(k, docs[k]);
    }
    auto out = ac.initItems(static_cast<unsigned>(idx.size()));
    for (unsigned k = 0; k < out.size(); ++k) {
      auto& it = c.items[idx[k]];
      auto o = out[k];
      o.setSequence(static_cast<uint16_t>(idx[k] + 1));
      if (a->may_see("hsCode"))
        o.setHsCode(it.hs);
      if (a->may_see("description"))
        o.setDescription(it.description);
      if (a->may_see("quantity"))
        o.setQuantity(it.quantity);
      if (a->may_see("unit"))
        o.setUnit(it.unit);
      if (a->may_see("originCountry"))
        o.setOriginCountry(it.origin);
      if (a->may_see("netWeightKg"))
        o.setNetWeightKg(it.net_kg);
      if (a->may_see("customsValue")) {
        o.setCustomsValue(format_amount(it.value));
        o.setCurrency(it.currency);
      }
    }
    p.notices.push_back(notice{a->party, to_bytes(mb)});
    p.decisions.push_back(decision_for(c, c.message_id, "routed to agency " + id + " (" + why[id] + ", "
                                                          + std::to_string(idx.size()) + " item(s)), answer by "
                                                          + std::to_string(t.deadline)));
  }
}

} // namespace hub::customs::detail
