#include "actors/customs/clearance.hpp"

#include <algorithm>
#include <ctime>

#include <caf/all.hpp>
#include <openssl/rand.h>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/log.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/tax_centre.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/storage.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"
#include "schemas/frame.capnp.h"
#include "schemas/notification.capnp.h"

namespace hub::customs {

namespace {

using json = nlohmann::json;

// -- enterprise state (guarantee account and history) --------------------------

struct enterprise_state {
  cents reserved = 0;          ///< on the guarantee for released, unpaid declarations
  cents consumed = 0;          ///< called from the guarantee after a missed deadline
  uint32_t declarations = 0;
  uint32_t violations = 0;     ///< post-release findings (SR-04.3: they feed the risk engine)
  std::map<std::string, cents> statements; ///< consolidated: month -> amount outstanding
};

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

json ruling_json(const advance_ruling& r) {
  return {{"id", r.id}, {"holder", r.holder},
          {"kind", r.kind == advance_ruling::classification ? "classification" : "valuation"},
          {"description", r.description}, {"hs", r.hs}, {"minUnitValue", r.min_unit_value},
          {"maxUnitValue", r.max_unit_value}, {"validFrom", r.valid_from_ms},
          {"validUntil", r.valid_until_ms}};
}

// -- what one document changes ------------------------------------------------

struct plan {
  std::vector<table_op> ops;
  std::vector<decision_record> decisions;
  std::vector<notice> notices;
  std::string case_key;
  std::vector<std::string> touched_cases;
  std::vector<std::string> touched_enterprises;
  std::vector<std::pair<std::string, std::string>> reviews; ///< (centre, case id) after commit
};

struct clearance_state {
  static inline const char* name = "clearance";
  customs_deps d;
  std::map<std::string, lodge_actor> risk_centres;
  std::map<std::string, tax_centre_actor> centres;
  std::map<std::string, case_record> cases;          ///< open cases and those touched since start
  std::map<std::string, std::string> refs;           ///< case_ref_key -> case id (cached)
  std::map<std::string, enterprise_state> enterprises;
  std::map<std::string, advance_ruling> rulings;
  uint64_t next_serial = 1;
};

using clearance_ptr = clearance_actor::stateful_pointer<clearance_state>;

bytes as_bytes(std::string_view s) {
  return bytes(s.begin(), s.end());
}

std::string as_string(const bytes& b) {
  return std::string(b.begin(), b.end());
}

std::string text(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

/// Runs `fn` on the envelope payload of a stored-to-be document as T.
template <class T, class F>
caf::error with_document(const document_write& w, F&& fn) {
  auto frame = aligned_message::copy(w.frame.data(), w.frame.size());
  if (!frame)
    return frame.error();
  return with_root<wire::Frame>(*frame, ec::malformed_frame, [&](wire::Frame::Reader f) -> caf::error {
    auto p = f.getEnvelope().getPayload();
    auto msg = aligned_message::copy(p.begin(), p.size(), ec::malformed_payload);
    if (!msg)
      return msg.error();
    return with_root<T>(*msg, ec::malformed_payload, std::forward<F>(fn));
  });
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
  s.setReason(reason);
  s.setAt(now);
  s.setDeclarationId(c.declaration_id);
  s.setAmountDue(c.due > 0 ? format_amount(c.due) : std::string{});
  s.setWaitingOn(c.waiting_on);
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
  p.ops.push_back({std::string{table::cases}, as_bytes(c.case_id), encode_case(c), false});
  p.touched_cases.push_back(c.case_id);
}

void put_enterprise(clearance_state& st, plan& p, const std::string& code) {
  p.ops.push_back({std::string{table::enterprises}, as_bytes(code), encode(st.enterprises[code]), false});
  p.touched_enterprises.push_back(code);
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

uint64_t random_seed() {
  uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
    seed = static_cast<uint64_t>(now_ms()) * 0x9E3779B97F4A7C15ull;
  return seed;
}

// -- lookups -------------------------------------------------------------------

enterprise_state& enterprise_of(clearance_state& st, const std::string& code) {
  auto i = st.enterprises.find(code);
  if (i != st.enterprises.end())
    return i->second;
  enterprise_state e;
  if (auto b = st.d.reader->get(table::enterprises, as_bytes(code)))
    e = decode_enterprise(*b);
  return st.enterprises.emplace(code, std::move(e)).first->second;
}

case_record* case_by_id(clearance_state& st, const std::string& id) {
  if (auto i = st.cases.find(id); i != st.cases.end())
    return &i->second;
  auto b = st.d.reader->get(table::cases, as_bytes(id));
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
  auto id = st.d.reader->get(table::case_refs, as_bytes(key));
  if (!id)
    return nullptr;
  return case_by_id(st, as_string(*id));
}

caf::error no_case(const std::string& declarant, const std::string& decl_id) {
  return caf::make_error(ec::unknown_declaration, "no declaration \"" + decl_id.substr(0, 64)
                                                    + "\" lodged by " + declarant);
}

/// The tariff lines of an officer's reach: officers act for a unit; a case belongs to
/// the direct customs of its declaring unit.
caf::error officer_scope(const clearance_state& st, const party& officer, const case_record& c) {
  auto mine = st.d.cfg->direct_of(officer.customs_unit);
  if (mine.empty())
    return caf::make_error(ec::out_of_scope, "officer " + officer.id + " has no customs unit");
  if (mine != "0000" && mine != st.d.cfg->direct_of(c.customs_unit))
    return caf::make_error(ec::out_of_scope, "officer " + officer.id + " of " + officer.customs_unit
                                               + " may not act on a declaration of unit " + c.customs_unit);
  return caf::none;
}

// -- lodgement: tariff, facts, lane --------------------------------------------

struct lodged {
  std::vector<case_item> items;
  std::vector<tax_item> tax_items;
  assessment assessed;
  std::string enterprise, unit;
  bool import = true;
  settlement settle = settlement::payment;
  cents self_assessed = -1;
  std::vector<std::string> transport_documents;
};

caf::expected<lodged> read_declaration(const clearance_state& st, wire::Declaration::Reader d) {
  lodged out;
  out.import = d.getType() == wire::DeclarationType::IMPORT;
  out.enterprise = text(out.import ? d.getImporter().getId() : d.getExporter().getId());
  out.unit = text(d.getCustomsUnit());
  auto* unit = st.d.cfg->unit(out.unit);
  if (unit == nullptr)
    return caf::make_error(ec::unknown_customs_unit,
                           "customsUnit: " + out.unit + " is not a unit of the customs organisation");
  if (st.d.cfg->enterprise(out.enterprise) == nullptr)
    return caf::make_error(ec::unknown_enterprise,
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
    ci.quantity = it.getQuantity();
    ci.net_kg = it.getNetWeightKg();
    auto v = parse_amount(text(it.getCustomsValue()));
    if (!v)
      return v.error();
    ci.value = *v;
    out.tax_items.push_back({ci.hs, ci.value, ci.currency, ci.origin, ci.claim, ci.quantity, ci.unit});
    out.items.push_back(std::move(ci));
  }
  auto a = assess(*st.d.ref, out.tax_items, out.import);
  if (!a)
    return a.error();
  out.assessed = std::move(*a);
  return out;
}

/// Checks quoted rulings; returns the deviations (empty: none).
caf::expected<std::vector<std::string>> ruling_deviations(const clearance_state& st, const lodged& l,
                                                          int64_t now) {
  std::vector<std::string> out;
  for (size_t i = 0; i < l.items.size(); ++i) {
    auto& it = l.items[i];
    if (it.ruling_id.empty())
      continue;
    auto r = st.rulings.find(it.ruling_id);
    auto field = "items[" + std::to_string(i) + "].rulingId";
    if (r == st.rulings.end() || r->second.holder != l.enterprise)
      return caf::make_error(ec::unknown_ruling, field + ": no advance ruling \"" + it.ruling_id.substr(0, 64)
                                                   + "\" held by " + l.enterprise);
    auto& ru = r->second;
    if (now < ru.valid_from_ms || now >= ru.valid_until_ms)
      out.push_back(field + ": ruling " + ru.id + " is not valid now");
    else if (ru.kind == advance_ruling::classification && ru.hs != it.hs)
      out.push_back("items[" + std::to_string(i) + "].hsCode " + it.hs + " deviates from advance ruling "
                    + ru.id + " (" + ru.hs + ")");
    else if (ru.kind == advance_ruling::valuation && it.quantity > 0) {
      auto per_unit = static_cast<cents>(static_cast<double>(l.assessed.items[i].value_cny) / it.quantity);
      if (per_unit < ru.min_unit_value || per_unit > ru.max_unit_value)
        out.push_back("items[" + std::to_string(i) + "] unit value CNY " + format_amount(per_unit)
                      + " is outside advance valuation ruling " + ru.id + " (" + format_amount(ru.min_unit_value)
                      + " to " + format_amount(ru.max_unit_value) + ")");
    }
  }
  return out;
}

declaration_facts facts_for(const clearance_state& st, const case_record& c, const lodged& l,
                            const enterprise_state& e, bool deviation) {
  declaration_facts f;
  f.declarant = c.declarant;
  f.enterprise = c.enterprise;
  f.customs_unit = c.customs_unit;
  f.import = c.import;
  f.credit = c.credit;
  f.prior_declarations = e.declarations;
  f.prior_violations = e.violations;
  f.ruling_deviation = deviation;
  f.transport_documents = l.transport_documents;
  for (size_t i = 0; i < l.items.size(); ++i) {
    auto& it = l.items[i];
    item_facts x;
    x.hs = it.hs;
    x.origin = it.origin;
    x.unit_value_cny = static_cast<cents>(static_cast<double>(l.assessed.items[i].value_cny) / it.quantity);
    x.kg_per_unit = it.net_kg / it.quantity;
    if (auto* p = st.d.ref->price_for(it.hs); p != nullptr && p->unit == it.unit)
      x.price_position = x.unit_value_cny < p->min_per_unit ? -1 : x.unit_value_cny > p->max_per_unit ? 1 : 0;
    if (auto* r = st.d.ref->restriction_for(it.hs)) {
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
  p.decisions.push_back(decision_for(c, subject, "released (" + how + ")"));
  std::set<std::string> centres;
  for (auto& it : c.items)
    if (auto* tc = st.d.cfg->centre_for(it.hs))
      centres.insert(tc->id);
  c.audits_pending.assign(centres.begin(), centres.end());
  for (auto& id : centres) {
    p.ops.push_back({std::string{table::audit_queue}, as_bytes(audit_queue_key(id, c.case_id)), {}, false});
    p.reviews.emplace_back(id, c.case_id);
  }
  if (centres.empty()) {
    c.at = stage::closed;
    c.closed_at = now;
  }
}

void advance(clearance_state& st, case_record& c, plan& p, const bytes& subject, int64_t now) {
  if (c.at == stage::inspection) {
    if (c.inspection.empty()) {
      bool red = c.decision.value("lane", "") == "red";
      c.waiting_on = red ? "physical examination by customs" : "documentary check by customs";
      set_status(c, red ? "forExamination" : "documentaryCheck", "selected for " + c.waiting_on, now);
      return;
    }
    c.at = stage::evidence;
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
  p.decisions.push_back(decision_for(c, subject, "CNY " + format_amount(owed) + " reserved on the guarantee of "
                                                   + c.enterprise + (c.period.empty() ? "" : " (statement " + c.period + ")")));
  release(st, c, p, subject, now);
}

/// Gives back a reservation (payment, cancellation, refusal).
void restore_reservation(clearance_state& st, case_record& c, plan& p, const bytes& subject, const std::string& why) {
  if (c.reserved <= 0)
    return;
  auto& e = enterprise_of(st, c.enterprise);
  e.reserved = std::max<cents>(0, e.reserved - c.reserved);
  if (!c.period.empty()) {
    auto& s = e.statements[c.period];
    s = std::max<cents>(0, s - c.reserved);
    if (s == 0)
      e.statements.erase(c.period);
  }
  p.decisions.push_back(decision_for(c, subject, "guarantee reservation of CNY " + format_amount(c.reserved)
                                                   + " restored (" + why + ")"));
  c.reserved = 0;
  put_enterprise(st, p, c.enterprise);
}

/// Step 1 for a new or amended declaration: tariff, rulings, lane, then as far as it goes.
caf::error decide(clearance_state& st, case_record& c, const lodged& l, plan& p, const bytes& subject,
                  int64_t now) {
  auto deviations = ruling_deviations(st, l, now);
  if (!deviations)
    return deviations.error();
  c.items = l.items;
  c.assessed = l.assessed;
  c.self_assessed = l.self_assessed;
  c.settle = l.settle;
  c.inspection.clear();
  c.evidence = json::array();
  c.due = 0;
  auto& e = enterprise_of(st, c.enterprise);
  std::vector<std::string> errors = *deviations;
  if (l.self_assessed >= 0 && l.self_assessed != l.assessed.total)
    errors.push_back("self-assessed tax CNY " + format_amount(l.self_assessed) + " differs from the assessment CNY "
                     + format_amount(l.assessed.total) + " (duty " + format_amount(l.assessed.duty) + ", consumption tax "
                     + format_amount(l.assessed.consumption_tax) + ", VAT " + format_amount(l.assessed.vat)
                     + "); the assessed amount is due");
  for (size_t i = 0; i < l.items.size(); ++i)
    if (auto* r = st.d.ref->restriction_for(l.items[i].hs); r != nullptr && r->prohibited) {
      c.at = stage::rejected;
      c.waiting_on.clear();
      auto why = "items[" + std::to_string(i) + "]: HS " + l.items[i].hs + " is prohibited (" + r->reason + ")";
      set_status(c, "rejected", why, now);
      p.decisions.push_back(decision_for(c, subject, "rejected at admissibility: " + why));
      if (st.d.metrics)
        st.d.metrics->rejected++;
      return caf::none;
    }
  auto facts = facts_for(st, c, l, e, !deviations->empty());
  auto engine = st.d.rules->get();
  auto seed = random_seed();
  auto d = engine->evaluate(facts, seed, now);
  c.decision = to_json(d);
  c.facts = to_json(facts);
  c.decided_at = now;
  c.valuation_evidence = d.valuation_evidence;
  p.decisions.push_back(decision_for(c, subject, "lane " + std::string{to_string(d.lane)} + " (rule set "
                                                   + std::to_string(d.rule_set_version) + ", seed "
                                                   + std::to_string(seed) + "): " + d.explanation));
  if (!errors.empty()) {
    std::string all;
    for (auto& x : errors)
      all += (all.empty() ? "" : "; ") + x;
    set_status(c, "acceptedWithErrors", all, now);
    p.notices.push_back(status_notice(c.declarant, c, subject, "acceptedWithErrors", all, now));
  }
  if (st.d.metrics)
    (d.lane == lane::green ? st.d.metrics->green : d.lane == lane::yellow ? st.d.metrics->yellow
                                                                        : st.d.metrics->red)++;
  c.at = d.lane == lane::green ? stage::evidence : stage::inspection;
  advance(st, c, p, subject, now);
  return caf::none;
}

// -- document handlers ---------------------------------------------------------

caf::expected<plan> on_declaration(clearance_state& st, const document_write& w) {
  plan p;
  auto now = now_ms();
  caf::error err = with_document<wire::Declaration>(w, [&](wire::Declaration::Reader d) -> caf::error {
    auto decl_id = text(d.getDeclarationId());
    if (case_by_ref(st, w.sender, decl_id) != nullptr)
      return caf::make_error(ec::declaration_id_reused,
                             "declarationId \"" + decl_id.substr(0, 64) + "\" is already lodged by " + w.sender
                               + "; send a customs.amendment to change it, or use a new declarationId");
    auto l = read_declaration(st, d);
    if (!l)
      return l.error();
    case_record c;
    char serial[32];
    std::snprintf(serial, sizeof serial, "%09llu", static_cast<unsigned long long>(st.next_serial % 1000000000));
    c.case_id = l->unit + std::to_string(year_of(now)) + (l->import ? "1" : "0") + serial;
    c.declarant = w.sender;
    c.declaration_id = decl_id;
    c.message_id = w.message_id;
    c.enterprise = l->enterprise;
    c.customs_unit = l->unit;
    c.import = l->import;
    c.credit = st.d.cfg->enterprise(l->enterprise)->tier_at(now);
    c.lodged_at = now;
    if (l->settle == settlement::consolidated)
      if (!tier_in(st.d.cfg->release.consolidated_tiers, c.credit))
        return caf::make_error(ec::invalid_field, "settlement: consolidated payment (汇总征税) is not open to tier "
                                                    + std::string{to_string(c.credit)} + "; use payment or guarantee");
    if (l->settle != settlement::payment && !tier_in(st.d.cfg->release.guarantee_tiers, c.credit))
      return caf::make_error(ec::invalid_field, "settlement: release on guarantee is not open to tier "
                                                  + std::string{to_string(c.credit)} + "; use payment");
    set_status(c, "accepted", "lodged", now);
    if (auto e = decide(st, c, *l, p, w.message_id, now))
      return e;
    enterprise_of(st, c.enterprise).declarations++;
    put_enterprise(st, p, c.enterprise);
    ++st.next_serial;
    p.notices.push_back(status_notice(c.declarant, c, w.message_id, c.status, c.history.back().detail, now));
    auto ref = case_ref_key(c.declarant, c.declaration_id);
    p.ops.push_back({std::string{table::case_refs}, as_bytes(ref), as_bytes(c.case_id), false});
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
      return caf::make_error(ec::invalid_case_state, "declaration " + decl_id + " is " + to_string(c.at)
                                                       + "; it cannot be changed");
    auto kind = a.getKind();
    if (kind == wire::AmendmentKind::CANCEL) {
      if (c.released_already())
        return caf::make_error(ec::invalid_case_state, "declaration " + decl_id
                                                         + " is released; it cannot be cancelled (send a correction)");
      restore_reservation(st, c, p, w.message_id, "declaration cancelled");
      c.at = stage::cancelled;
      c.due = 0;
      c.waiting_on.clear();
      c.closed_at = now;
      set_status(c, "closed", "cancelled by the declarant: " + text(a.getReason()), now);
      p.decisions.push_back(decision_for(c, w.message_id, "cancelled before release: " + text(a.getReason())));
    } else {
      bool correct = kind == wire::AmendmentKind::CORRECT;
      if (correct && !c.released_already())
        return caf::make_error(ec::invalid_case_state, "declaration " + decl_id
                                                         + " is not released yet; send kind amend");
      if (!correct && c.released_already())
        return caf::make_error(ec::invalid_case_state, "declaration " + decl_id
                                                         + " is released; send kind correct");
      if (correct && now - c.released_at > st.d.cfg->release.correction_window.count())
        return caf::make_error(ec::amendment_window_closed,
                               "declaration " + decl_id + " was released more than "
                                 + std::to_string(st.d.cfg->release.correction_window.count() / 86400000)
                                 + " days ago; corrections are closed (use voluntary disclosure)");
      auto l = read_declaration(st, a.getReplacement());
      if (!l)
        return caf::make_error(static_cast<ec>(l.error().code()), "replacement." + context_text(l.error()));
      if (l->enterprise != c.enterprise || l->unit != c.customs_unit || l->import != c.import)
        return caf::make_error(ec::invalid_field, "replacement: importer/exporter, customsUnit and type "
                                                    "cannot change; cancel and lodge a new declaration");
      c.amendments++;
      c.message_id = w.message_id;
      if (!correct) {
        restore_reservation(st, c, p, w.message_id, "declaration amended");
        c.paid = std::min(c.paid, l->assessed.total);
        set_status(c, "accepted", "amended: " + text(a.getReason()), now);
        p.decisions.push_back(decision_for(c, w.message_id, "amended before release: " + text(a.getReason())));
        if (auto e = decide(st, c, *l, p, w.message_id, now))
          return e;
      } else {
        cents before = c.assessed.total;
        auto deviations = ruling_deviations(st, *l, now);
        if (!deviations)
          return deviations.error();
        c.items = l->items;
        c.assessed = l->assessed;
        c.amendment_required = false;
        cents diff = c.assessed.total - before;
        c.due = std::max<cents>(0, c.assessed.total - c.paid - c.reserved);
        std::string what = "corrected after release: tax " + format_amount(before) + " -> "
                           + format_amount(c.assessed.total)
                           + (diff > 0 ? ", CNY " + format_amount(diff) + " more due"
                              : diff < 0 ? ", CNY " + format_amount(-diff) + " less (refund on request)" : "");
        c.waiting_on = c.due > 0 ? "payment of CNY " + format_amount(c.due) + " after the correction" : "";
        set_status(c, c.status, what, now);
        p.decisions.push_back(decision_for(c, w.message_id, what));
      }
    }
    p.notices.push_back(status_notice(c.declarant, c, w.message_id, c.status, c.history.back().detail, now));
    p.case_key = c.case_id;
    put_case(p, c);
    *cp = std::move(c);
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
    auto declarant = text(r.getDeclarant()), decl_id = text(r.getDeclarationId());
    auto* cp = case_by_ref(st, declarant, decl_id);
    if (cp == nullptr)
      return no_case(declarant, decl_id);
    if (auto e = officer_scope(st, officer, *cp))
      return e;
    case_record c = *cp;
    auto findings = text(r.getFindings());
    json ev = json::array();
    for (auto e : r.getEvidence())
      ev.push_back({{"kind", static_cast<int>(e.getKind())}, {"reference", text(e.getReference())},
                    {"sha256", to_hex(bytes(e.getSha256().begin(), e.getSha256().end()))}});
    if (c.status == "auditPending" && c.at == stage::released) {
      // The one result of a post-release verification or audit closes the review.
      c.at = stage::closed;
      c.closed_at = now;
      c.waiting_on.clear();
      set_status(c, "closed", "post-release review closed by " + officer.id + ": " + findings, now);
      p.decisions.push_back(decision_for(c, w.message_id, "review closed by " + officer.id + ": " + findings));
    } else if (c.at != stage::inspection) {
      return caf::make_error(ec::invalid_case_state, "declaration " + decl_id + " is not awaiting inspection (it is "
                                                       + c.status + ")");
    } else {
      auto outcome = r.getOutcome();
      c.evidence = ev;
      if (outcome == wire::InspectionOutcome::REFUSED) {
        c.inspection = "refused";
        c.at = stage::rejected;
        c.waiting_on.clear();
        c.closed_at = now;
        set_status(c, "rejected", "refused at inspection: " + findings, now);
        p.decisions.push_back(decision_for(c, w.message_id, "inspection by " + officer.id + " refused the goods: " + findings));
      } else {
        bool errors_only = outcome == wire::InspectionOutcome::DOCUMENTARY_ERRORS;
        c.inspection = errors_only ? "documentaryErrors" : "cleared";
        c.amendment_required = errors_only;
        p.decisions.push_back(decision_for(c, w.message_id, "inspection by " + officer.id + ": "
                                                              + (errors_only ? "documentary errors only, release first and amend after: "
                                                                             : "cleared")
                                                              + findings));
        advance(st, c, p, c.message_id, now);
      }
    }
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
    p.case_key = c.case_id;
    put_case(p, c);
    *cp = std::move(c);
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
    auto declarant = text(r.getDeclarant()), decl_id = text(r.getDeclarationId());
    auto* cp = case_by_ref(st, declarant, decl_id);
    if (cp == nullptr)
      return no_case(declarant, decl_id);
    if (auto e = officer_scope(st, officer, *cp))
      return e;
    if (cp->released_already() || cp->final())
      return caf::make_error(ec::invalid_case_state, "declaration " + decl_id + " is " + cp->status
                                                       + "; evidence is taken before release");
    case_record c = *cp;
    for (auto e : r.getEvidence())
      c.evidence.push_back({{"kind", static_cast<int>(e.getKind())}, {"reference", text(e.getReference())},
                            {"sha256", to_hex(bytes(e.getSha256().begin(), e.getSha256().end()))}});
    p.decisions.push_back(decision_for(c, w.message_id, std::to_string(r.getEvidence().size())
                                                          + " valuation evidence attachment(s) recorded by " + officer.id));
    if (c.at == stage::evidence)
      advance(st, c, p, c.message_id, now);
    else
      c.history.push_back({now, c.status, "valuation evidence recorded"});
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
    p.case_key = c.case_id;
    put_case(p, c);
    *cp = std::move(c);
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
        return caf::make_error(ec::invalid_case_state, "no consolidated statement " + period + " outstanding for " + ent);
      if (*amount != s->second)
        return caf::make_error(ec::payment_mismatch, "amount CNY " + format_amount(*amount)
                                                       + " differs from statement " + period + " of " + ent
                                                       + ": CNY " + format_amount(s->second));
      for (auto& [id, c] : st.cases)
        if (c.enterprise == ent && c.period == period && c.reserved > 0 && c.declarant == w.sender) {
          c.paid += c.reserved;
          restore_reservation(st, c, p, w.message_id, "statement " + period + " paid, ref " + ref);
          c.history.push_back({now, c.status, "paid with statement " + period});
          put_case(p, c);
        }
      e.statements.erase(period);
      put_enterprise(st, p, ent);
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
    cents owed = c.due > 0 ? c.due : c.assessed.total - c.paid;
    if (c.final() || owed <= 0)
      return caf::make_error(ec::invalid_case_state, "nothing is due on declaration " + decl_id + " (" + c.status + ")");
    if (c.settle == settlement::consolidated && c.reserved > 0)
      return caf::make_error(ec::invalid_case_state, "declaration " + decl_id + " is on consolidated statement "
                                                       + c.period + "; pay the statement");
    if (*amount != owed)
      return caf::make_error(ec::payment_mismatch, "amount CNY " + format_amount(*amount)
                                                     + " differs from the amount due on " + decl_id + ": CNY "
                                                     + format_amount(owed));
    c.paid += *amount;
    c.due = 0;
    p.decisions.push_back(decision_for(c, w.message_id, "tax paid: CNY " + format_amount(*amount) + ", ref " + ref));
    if (c.at == stage::settlement) {
      advance(st, c, p, c.message_id, now);
    } else {
      restore_reservation(st, c, p, w.message_id, "tax paid, ref " + ref);
      if (c.status == "auditPending" && c.waiting_on.rfind("payment", 0) == 0) {
        c.at = stage::closed;
        c.closed_at = now;
        c.waiting_on.clear();
        set_status(c, "closed", "tax adjustment paid", now);
      } else {
        c.waiting_on = c.amendment_required ? c.waiting_on : std::string{};
        c.history.push_back({now, c.status, "tax paid: CNY " + format_amount(*amount)});
      }
    }
    p.notices.push_back(status_notice(c.declarant, c, w.message_id, c.status, c.history.back().detail, now));
    p.case_key = c.case_id;
    put_case(p, c);
    *cp = std::move(c);
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
      return caf::make_error(ec::unknown_enterprise, "holder: \"" + ru.holder.substr(0, 64) + "\" is not registered with customs");
    if (st.d.ref->line(ru.hs) == nullptr)
      return caf::make_error(ec::unknown_hs_code, "hsCode: " + ru.hs + " is not in the tariff");
    if (st.rulings.count(ru.id) != 0)
      return caf::make_error(ec::invalid_field, "rulingId: " + ru.id + " exists; a changed ruling gets a new id");
    if (ru.kind == advance_ruling::valuation) {
      auto lo = parse_amount(text(r.getMinUnitValue())), hi = parse_amount(text(r.getMaxUnitValue()));
      if (!lo || !hi)
        return caf::make_error(ec::invalid_amount, "minUnitValue/maxUnitValue: not CNY amounts");
      ru.min_unit_value = *lo;
      ru.max_unit_value = *hi;
    }
    auto j = ruling_json(ru).dump();
    p.ops.push_back({std::string{table::rulings}, as_bytes(ru.id), as_bytes(j), false});
    decision_record dr;
    dr.party = w.sender;
    dr.message_id = w.message_id;
    dr.digest = sha256(reinterpret_cast<const uint8_t*>(j.data()), j.size());
    dr.detail = "advance ruling " + ru.id + " registered for " + ru.holder + ": " + ru.description.substr(0, 80)
                + " -> " + ru.hs;
    p.decisions.push_back(std::move(dr));
    st.rulings[ru.id] = std::move(ru);
    return caf::none;
  });
  if (err)
    return err;
  return p;
}

void load_rulings(clearance_state& st) {
  st.rulings.clear();
  st.d.reader->for_each(table::rulings, [&](const bytes&, const bytes& val) {
    auto j = json::parse(val.begin(), val.end(), nullptr, false);
    if (j.is_discarded())
      return true;
    advance_ruling r;
    r.id = j.value("id", "");
    r.holder = j.value("holder", "");
    r.kind = j.value("kind", "") == "valuation" ? advance_ruling::valuation : advance_ruling::classification;
    r.description = j.value("description", "");
    r.hs = j.value("hs", "");
    r.min_unit_value = j.value("minUnitValue", cents{0});
    r.max_unit_value = j.value("maxUnitValue", cents{0});
    r.valid_from_ms = j.value("validFrom", int64_t{0});
    r.valid_until_ms = j.value("validUntil", int64_t{0});
    st.rulings[r.id] = std::move(r);
    return true;
  });
}


// -- commit and follow-ups -----------------------------------------------------

/// Forgets cached state a failed commit may have changed; it is re-read from LMDB.
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

void after_commit(clearance_ptr self, const std::vector<notice>& notices, const std::vector<uint64_t>& ids,
                  const std::vector<std::pair<std::string, std::string>>& reviews) {
  auto& st = self->state;
  for (size_t i = 0; i < notices.size() && i < ids.size(); ++i)
    self->send(st.d.outbox, atom::deliver_v, ids[i], notices[i].recipient, notices[i].notification);
  for (auto& [centre, id] : reviews)
    if (auto c = st.centres.find(centre); c != st.centres.end())
      self->send(c->second, atom::review_v, id);
  // Final cases leave memory; LMDB has them.
  for (auto i = st.cases.begin(); i != st.cases.end();)
    if (i->second.final() && i->second.audits_pending.empty()) {
      st.refs.erase(case_ref_key(i->second.declarant, i->second.declaration_id));
      i = st.cases.erase(i);
    } else {
      ++i;
    }
}

using steady = std::chrono::steady_clock;

uint32_t micros_since(steady::time_point t0) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t0).count());
}

caf::result<document_commit> commit_document(clearance_ptr self, document_write& w, plan p,
                                             steady::time_point t0) {
  auto& st = self->state;
  bool declaration = w.document_type == "customs.declaration";
  auto decide_us = micros_since(t0);
  w.ops = std::move(p.ops);
  w.decisions = std::move(p.decisions);
  w.notices = p.notices;
  w.case_key = p.case_key;
  auto rp = self->make_response_promise<document_commit>();
  self->request(st.d.store, st.d.store_timeout, atom::put_v, std::move(w))
    .then(
      [self, rp, p, t0, declaration, decide_us](document_commit& dc) mutable {
        if (dc.existed) {
          invalidate(self->state, p); // committed before (a replay): nothing of this plan applied
        } else {
          if (declaration && self->state.d.metrics)
            self->state.d.metrics->step1(decide_us, micros_since(t0));
          after_commit(self, p.notices, dc.notice_ids, p.reviews);
        }
        rp.deliver(std::move(dc));
      },
      [self, rp, p](caf::error& err) mutable {
        invalidate(self->state, p);
        load_rulings(self->state); // a ruling registered in the failed commit is forgotten
        rp.deliver(std::move(err));
      });
  return rp;
}

void commit_set(clearance_ptr self, plan p, caf::typed_response_promise<bool> rp) {
  auto& st = self->state;
  write_set ws{std::move(p.ops), std::move(p.decisions), p.notices};
  self->request(st.d.store, st.d.store_timeout, atom::write_v, std::move(ws))
    .then(
      [self, rp, p](write_result& wr) mutable {
        after_commit(self, p.notices, wr.notice_ids, p.reviews);
        rp.deliver(true);
      },
      [self, rp, p](caf::error& err) mutable {
        invalidate(self->state, p);
        rp.deliver(std::move(err));
      });
}

// -- post-release review outcomes ------------------------------------------------

void apply_review(clearance_state& st, const std::string& centre, const review_result& r, plan& p, int64_t now) {
  auto* cp = case_by_id(st, r.case_id);
  if (cp == nullptr)
    return;
  auto& c = *cp;
  p.ops.push_back({std::string{table::audit_queue}, as_bytes(audit_queue_key(centre, c.case_id)), {}, true});
  auto& pend = c.audits_pending;
  pend.erase(std::remove(pend.begin(), pend.end(), centre), pend.end());
  auto findings = json::parse(r.findings, nullptr, false);
  auto outcome = static_cast<audit_outcome>(r.outcome);
  c.audit.push_back({{"centre", centre}, {"outcome", to_string(outcome)}, {"adjustment", r.adjustment},
                     {"findings", findings.is_discarded() ? json::array() : findings}, {"at", now}});
  std::string summary;
  if (!findings.is_discarded())
    for (auto& f : findings)
      summary += (summary.empty() ? "" : "; ") + f.value("reason", std::string{});
  p.decisions.push_back(decision_for(c, c.message_id, "post-release review by " + centre + ": "
                                                        + to_string(outcome)
                                                        + (r.adjustment != 0 ? ", adjustment CNY " + format_amount(r.adjustment) : "")
                                                        + (summary.empty() ? "" : " (" + summary + ")")));
  if (outcome != audit_outcome::no_action) {
    auto& e = enterprise_of(st, c.enterprise);
    e.violations++;
    put_enterprise(st, p, c.enterprise);
  }
  if (outcome == audit_outcome::tax_adjustment && r.adjustment > 0) {
    c.due += r.adjustment;
    c.waiting_on = "payment of the tax adjustment, CNY " + format_amount(c.due);
    set_status(c, "auditPending", "tax adjustment by " + centre + ": " + summary, now);
  } else if (outcome == audit_outcome::verification) {
    c.waiting_on = "post-release verification (核查) by customs";
    set_status(c, "auditPending", "post-release verification ordered by " + centre + ": " + summary, now);
  } else if (outcome == audit_outcome::audit_instruction) {
    auto* ent = st.d.cfg->enterprise(c.enterprise);
    auto inland = ent && !ent->inland_customs.empty() ? ent->inland_customs : c.customs_unit;
    c.waiting_on = "audit (稽查) by customs unit " + inland;
    set_status(c, "auditPending", "audit instruction issued by " + centre + " to " + inland + ": " + summary, now);
    auto reg = st.d.registry->get();
    for (auto& officer : reg->parties())
      if (officer.customs_unit == inland && officer.enabled)
        p.notices.push_back(status_notice(officer.id, c, c.message_id, "auditPending",
                                          "audit instruction (稽查指令) from tax centre " + centre + " for declaration "
                                            + c.case_id + " of " + c.enterprise + ": " + summary, now));
  }
  if (c.status == "released" && pend.empty()) {
    c.at = stage::closed;
    c.closed_at = now;
    set_status(c, "closed", "post-release review found nothing to act on", now);
  }
  if (pend.empty() || c.status != "released")
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, c.history.back().detail, now));
  put_case(p, c);
}

void check_deadlines(clearance_ptr self) {
  auto& st = self->state;
  auto now = now_ms();
  plan p;
  for (auto& [id, c] : st.cases) {
    if (c.at < stage::released || c.final() || c.reserved <= 0 || c.settle != settlement::guarantee)
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
    c.history.push_back({now, c.status, what});
    p.notices.push_back(status_notice(c.declarant, c, c.message_id, c.status, what, now));
    put_enterprise(st, p, c.enterprise);
    put_case(p, c);
  }
  if (p.ops.empty())
    return;
  auto rp = self->make_response_promise<bool>();
  commit_set(self, std::move(p), rp);
}

// -- start ---------------------------------------------------------------------

void load(clearance_state& st) {
  uint64_t max_serial = 0;
  st.d.reader->for_each(table::cases, [&](const bytes& key, const bytes& val) {
    auto id = as_string(key);
    if (id.size() == 18)
      max_serial = std::max<uint64_t>(max_serial, std::stoull(id.substr(9)));
    auto c = decode_case(val);
    if (c && !(c->final() && c->audits_pending.empty())) {
      st.refs[case_ref_key(c->declarant, c->declaration_id)] = id;
      st.cases.emplace(id, std::move(*c));
    }
    return true;
  });
  st.next_serial = max_serial + 1;
  st.d.reader->for_each(table::enterprises, [&](const bytes& key, const bytes& val) {
    st.enterprises[as_string(key)] = decode_enterprise(val);
    return true;
  });
  load_rulings(st);
}

clearance_actor::behavior_type clearance(clearance_ptr self, customs_deps deps,
                                         std::map<std::string, lodge_actor> risk_centres) {
  auto& st = self->state;
  st.d = std::move(deps);
  st.risk_centres = std::move(risk_centres);
  load(st);
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
      if (t == "customs.declaration")
        p = on_declaration(st, w);
      else if (t == "customs.amendment")
        p = on_amendment(st, w);
      else if (t == "customs.inspection-result")
        p = on_inspection(st, w, *sender);
      else if (t == "customs.valuation-evidence")
        p = on_evidence(st, w, *sender);
      else if (t == "customs.tax-payment")
        p = on_payment(st, w);
      else if (t == "customs.advance-ruling")
        p = on_ruling(st, w);
      else if (t == "customs.control-instruction") {
        auto direct = st.d.cfg->direct_of(sender->customs_unit);
        auto rc = st.risk_centres.find(direct);
        if (rc == st.risk_centres.end())
          return caf::make_error(ec::out_of_scope, "officer " + w.sender + " belongs to no risk centre (customs unit \""
                                                     + sender->customs_unit + "\")");
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
    [self](atom::audited, review_report& rep) -> caf::result<bool> {
      plan p;
      auto now = now_ms();
      for (auto& r : rep.results)
        apply_review(self->state, rep.centre, r, p, now);
      if (self->state.d.metrics)
        self->state.d.metrics->reviewed += rep.results.size();
      auto key = audit_queue_key(rep.centre, "") + std::string(reinterpret_cast<const char*>(be64(static_cast<uint64_t>(now)).data()), 8);
      p.ops.push_back({std::string{table::reports}, as_bytes(key), as_bytes(rep.report), false});
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
                                               std::map<std::string, lodge_actor> risk_centres) {
  if (!deps.cfg || !deps.ref || !deps.rules || !deps.registry || !deps.reader)
    return caf::make_error(ec::invalid_config, "clearance dependencies missing");
  return sys.spawn(clearance, std::move(deps), std::move(risk_centres));
}

} // namespace hub::customs
