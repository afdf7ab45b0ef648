#include "actors/customs/case_record.hpp"

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "schemas/stored.capnp.h"

#include <cmath>
#include <capnp/message.h>
#include <cstdio>
#include <type_traits>

namespace hub::customs {

namespace {

using json = nlohmann::json;

json assessment_json(const assessment& a) {
  json items = json::array();
  for (auto& i : a.items)
    items.push_back({{"valueCny", i.value_cny}, {"dutyRate", i.duty_rate},
                     {"preferential", i.preferential}, {"duty", i.duty},
                     {"consumptionTax", i.consumption_tax}, {"vat", i.vat}});
  return {{"valueCny", a.value_cny}, {"duty", a.duty}, {"consumptionTax", a.consumption_tax},
          {"vat", a.vat}, {"total", a.total}, {"items", items}};
}

} // namespace

const char* to_string(stage x) {
  switch (x) {
    case stage::inspection: return "inspection";
    case stage::evidence: return "evidence";
    case stage::settlement: return "settlement";
    case stage::released: return "released";
    case stage::closed: return "closed";
    case stage::rejected: return "rejected";
    case stage::cancelled: return "cancelled";
  }
  return "?";
}

const char* to_string(settlement x) {
  switch (x) {
    case settlement::payment: return "payment";
    case settlement::guarantee: return "guarantee";
    case settlement::consolidated: return "consolidated";
  }
  return "?";
}

namespace {

/// JSON string literal of `s` (quotes, escapes; UTF-8 passes through).
void quote(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          out += buf;
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  out += '"';
}

void key(std::string& out, std::string_view k) {
  if (out.back() != '{')
    out += ',';
  quote(out, k);
  out += ':';
}

void field(std::string& out, std::string_view k, std::string_view v) {
  key(out, k);
  quote(out, v);
}

void field(std::string& out, std::string_view k, bool v) {
  key(out, k);
  out += v ? "true" : "false";
}

template <class T>
std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>> field(std::string& out, std::string_view k, T v) {
  key(out, k);
  out += std::to_string(v);
}

void field(std::string& out, std::string_view k, double v) {
  key(out, k);
  out += json(v).dump(); // shortest round-trip form, as a parser reads it back
}

} // namespace

std::string decision_text(const lane_decision& d) {
  std::string out = "{";
  field(out, "explanation", d.explanation);
  key(out, "hits");
  out += '[';
  for (size_t i = 0; i < d.hits.size(); ++i) {
    auto& h = d.hits[i];
    out += i == 0 ? "{" : ",{";
    field(out, "draw", h.draw);
    field(out, "id", h.id);
    field(out, "instruction", h.instruction);
    field(out, "lane", std::string_view{to_string(h.lane)});
    field(out, "reason", h.reason);
    field(out, "selected", h.selected);
    out += '}';
  }
  out += ']';
  field(out, "lane", std::string_view{to_string(d.lane)});
  field(out, "randomDraw", d.random_draw);
  field(out, "randomLane", std::string_view{to_string(d.random_lane)});
  field(out, "ruleSetVersion", d.rule_set_version);
  field(out, "seed", std::to_string(d.seed)); // text: JSON numbers lose 64-bit precision in many readers
  field(out, "valuationEvidence", d.valuation_evidence);
  out += '}';
  return out;
}

std::string facts_text(const declaration_facts& f) {
  std::string out = "{";
  field(out, "customsUnit", f.customs_unit);
  field(out, "declarant", f.declarant);
  field(out, "enterprise", f.enterprise);
  if (!f.foreign_operators.empty()) { // absent before SR-18: recorded decisions replay unchanged
    key(out, "foreignOperators");
    out += '[';
    for (size_t i = 0; i < f.foreign_operators.size(); ++i) {
      auto& op = f.foreign_operators[i];
      out += i == 0 ? "{" : ",{";
      field(out, "arrangement", op.arrangement);
      field(out, "id", op.id);
      field(out, "programme", op.programme);
      field(out, "recognised", op.recognised);
      field(out, "role", op.role);
      field(out, "status", op.status);
      field(out, "version", op.version);
      out += '}';
    }
    out += ']';
  }
  field(out, "import", f.import);
  key(out, "items");
  out += '[';
  for (size_t i = 0; i < f.items.size(); ++i) {
    auto& it = f.items[i];
    out += i == 0 ? "{" : ",{";
    field(out, "hs", it.hs);
    field(out, "kgPerUnit", it.kg_per_unit);
    field(out, "origin", it.origin);
    field(out, "pricePosition", it.price_position);
    field(out, "prohibited", it.prohibited);
    field(out, "restricted", it.restricted);
    field(out, "unitValueCny", it.unit_value_cny);
    out += '}';
  }
  out += ']';
  field(out, "priorDeclarations", f.prior_declarations);
  field(out, "priorViolations", f.prior_violations);
  field(out, "rulingDeviation", f.ruling_deviation);
  field(out, "tier", std::string_view{to_string(f.credit)});
  key(out, "transportDocuments");
  out += '[';
  for (size_t i = 0; i < f.transport_documents.size(); ++i) {
    if (i > 0)
      out += ',';
    quote(out, f.transport_documents[i]);
  }
  out += "]}";
  return out;
}

caf::expected<declaration_facts> facts_from_json(const json& j) {
  try {
    declaration_facts f;
    f.declarant = j.at("declarant").get<std::string>();
    f.enterprise = j.at("enterprise").get<std::string>();
    f.customs_unit = j.at("customsUnit").get<std::string>();
    f.import = j.at("import").get<bool>();
    auto t = tier_from_string(j.at("tier").get<std::string>());
    if (!t)
      return caf::make_error(ec::store_failure, "facts: unknown tier");
    f.credit = *t;
    f.prior_declarations = j.at("priorDeclarations").get<uint32_t>();
    f.prior_violations = j.at("priorViolations").get<uint32_t>();
    f.ruling_deviation = j.at("rulingDeviation").get<bool>();
    f.transport_documents = j.at("transportDocuments").get<std::vector<std::string>>();
    for (auto& i : j.at("items")) {
      item_facts it;
      it.hs = i.at("hs").get<std::string>();
      it.origin = i.at("origin").get<std::string>();
      it.unit_value_cny = i.at("unitValueCny").get<cents>();
      it.kg_per_unit = i.at("kgPerUnit").get<double>();
      it.price_position = i.at("pricePosition").get<int>();
      it.prohibited = i.at("prohibited").get<bool>();
      it.restricted = i.at("restricted").get<bool>();
      f.items.push_back(std::move(it));
    }
    if (auto ops = j.find("foreignOperators"); ops != j.end())
      for (auto& o : *ops) {
        foreign_operator_fact op;
        op.arrangement = o.at("arrangement").get<std::string>();
        op.id = o.at("id").get<std::string>();
        op.programme = o.at("programme").get<std::string>();
        op.recognised = o.at("recognised").get<bool>();
        op.role = o.at("role").get<std::string>();
        op.status = o.at("status").get<std::string>();
        op.version = o.at("version").get<uint64_t>();
        f.foreign_operators.push_back(std::move(op));
      }
    return f;
  } catch (const json::exception& e) {
    return caf::make_error(ec::store_failure, std::string{"facts: "} + e.what());
  }
}

namespace {

json claims_json(const case_record& c) {
  json out = json::array();
  for (auto& cl : c.claims) {
    json items = json::array();
    for (auto i : cl.items)
      items.push_back(i + 1); // as the declarant numbered them
    out.push_back({{"id", cl.id},
                   {"items", items},
                   {"open", cl.open},
                   {"notAssessed", cl.not_assessed},
                   {"voluntary", cl.voluntary},
                   {"fromReview", cl.from_review}});
  }
  return out;
}

} // namespace

json to_json(const case_record& c) {
  json items = json::array();
  for (auto& i : c.items)
    items.push_back({{"hs", i.hs}, {"description", i.description}, {"unit", i.unit},
                     {"currency", i.currency}, {"origin", i.origin}, {"claim", i.claim},
                     {"certificate", i.certificate}, {"rulingId", i.ruling_id},
                     {"quantity", i.quantity}, {"netKg", i.net_kg}, {"value", i.value},
                     {"licences", i.licences}});
  json agencies = json::array();
  for (auto& a : c.agencies)
    agencies.push_back({{"agency", a.agency}, {"state", a.state}, {"reason", a.reason}, {"deadline", a.deadline},
                        {"escalated", a.escalated}});
  json drawdowns = json::array();
  for (auto& d : c.drawdowns)
    drawdowns.push_back({{"licence", d.licence}, {"item", d.item}, {"quantity", to_double(d.quantity)}});
  json history = json::array();
  for (auto& h : c.history)
    history.push_back({{"at", h.at}, {"status", h.status}, {"detail", h.detail}});
  json evidence = json::array();
  for (auto& e : c.evidence)
    evidence.push_back({{"kind", e.kind}, {"reference", e.reference}, {"sha256", e.sha256}});
  json audit = json::array();
  for (auto& a : c.audit)
    audit.push_back(json::parse(a, nullptr, false));
  auto parsed = [](const std::string& t) { return t.empty() ? json{} : json::parse(t, nullptr, false); };
  return {{"caseId", c.case_id},
          {"declarant", c.declarant},
          {"declarationId", c.declaration_id},
          {"messageId", to_hex(c.message_id)},
          {"enterprise", c.enterprise},
          {"customsUnit", c.customs_unit},
          {"import", c.import},
          {"tier", to_string(c.credit)},
          {"settlement", to_string(c.settle)},
          {"stage", to_string(c.at)},
          {"status", c.status},
          {"waitingOn", c.waiting_on},
          {"items", items},
          {"assessment", assessment_json(c.assessed)},
          {"selfAssessed", c.self_assessed},
          {"due", c.due},
          {"reserved", c.reserved},
          {"charged", c.charged()},
          {"disclosed", c.disclosed},
          {"claims", claims_json(c)},
          {"paid", c.paid},
          {"period", c.period},
          {"lane", c.lane},
          {"decision", parsed(c.decision)},
          {"facts", parsed(c.facts)},
          {"decidedAt", c.decided_at},
          {"valuationEvidence", c.valuation_evidence},
          {"evidence", evidence},
          {"inspection", c.inspection},
          {"amendmentRequired", c.amendment_required},
          {"amendments", c.amendments},
          {"lodgedAt", c.lodged_at},
          {"releasedAt", c.released_at},
          {"closedAt", c.closed_at},
          {"auditsPending", c.audits_pending},
          {"audit", audit},
          {"drawdowns", drawdowns},
          {"agencies", agencies},
          {"history", history}};
}

bytes encode_case(const case_record& c) {
  capnp::MallocMessageBuilder mb;
  auto r = mb.initRoot<stored::StoredCase>();
  r.setCaseId(c.case_id);
  r.setDeclarant(c.declarant);
  r.setDeclarationId(c.declaration_id);
  r.setMessageId(kj::arrayPtr(c.message_id.data(), c.message_id.size()));
  r.setSequence(c.sequence);
  r.setEnterprise(c.enterprise);
  r.setCustomsUnit(c.customs_unit);
  r.setImport(c.import);
  r.setTier(to_string(c.credit));
  r.setSettlement(to_string(c.settle));
  r.setStage(to_string(c.at));
  r.setStatus(c.status);
  r.setWaitingOn(c.waiting_on);
  auto items = r.initItems(static_cast<unsigned>(c.items.size()));
  for (unsigned i = 0; i < items.size(); ++i) {
    auto& it = c.items[i];
    auto o = items[i];
    o.setHs(it.hs);
    o.setDescription(it.description);
    o.setUnit(it.unit);
    o.setCurrency(it.currency);
    o.setOrigin(it.origin);
    o.setClaim(it.claim);
    o.setCertificate(it.certificate);
    o.setRulingId(it.ruling_id);
    o.setQuantity(it.quantity);
    o.setNetKg(it.net_kg);
    o.setValue(it.value);
    auto lic = o.initLicences(static_cast<unsigned>(it.licences.size()));
    for (unsigned k = 0; k < lic.size(); ++k)
      lic.set(k, it.licences[k]);
  }
  auto ag = r.initAgencies(static_cast<unsigned>(c.agencies.size()));
  for (unsigned i = 0; i < ag.size(); ++i) {
    ag[i].setAgency(c.agencies[i].agency);
    ag[i].setState(c.agencies[i].state);
    ag[i].setReason(c.agencies[i].reason);
    ag[i].setDeadline(c.agencies[i].deadline);
    ag[i].setEscalated(c.agencies[i].escalated);
  }
  auto dd = r.initDrawdowns(static_cast<unsigned>(c.drawdowns.size()));
  for (unsigned i = 0; i < dd.size(); ++i) {
    dd[i].setLicence(c.drawdowns[i].licence);
    dd[i].setItem(c.drawdowns[i].item);
    dd[i].setQuantity(to_double(c.drawdowns[i].quantity)); // readable by older builds
    dd[i].setUnits(c.drawdowns[i].quantity);
  }
  auto taxes = r.initItemTaxes(static_cast<unsigned>(c.assessed.items.size()));
  for (unsigned i = 0; i < taxes.size(); ++i) {
    auto& t = c.assessed.items[i];
    taxes[i].setValueCny(t.value_cny);
    taxes[i].setDutyRate(t.duty_rate);
    taxes[i].setPreferential(t.preferential);
    taxes[i].setDuty(t.duty);
    taxes[i].setConsumptionTax(t.consumption_tax);
    taxes[i].setVat(t.vat);
  }
  r.setValueCny(c.assessed.value_cny);
  r.setDuty(c.assessed.duty);
  r.setConsumptionTax(c.assessed.consumption_tax);
  r.setVat(c.assessed.vat);
  r.setTotal(c.assessed.total);
  r.setSelfAssessed(c.self_assessed);
  r.setDue(c.due);
  r.setReserved(c.reserved);
  r.setPaid(c.paid);
  r.setCharged(c.charged()); // derived; kept for readers of the stored case
  r.setDisclosed(c.disclosed);
  auto claims = r.initClaims(static_cast<unsigned>(c.claims.size()));
  for (unsigned i = 0; i < claims.size(); ++i) {
    auto& x = c.claims[i];
    claims[i].setDisclosureId(x.id);
    auto items = claims[i].initItems(static_cast<unsigned>(x.items.size()));
    for (unsigned k = 0; k < items.size(); ++k)
      items.set(k, x.items[k]);
    claims[i].setOpen(x.open);
    claims[i].setVoluntary(x.voluntary);
    claims[i].setNotAssessed(x.not_assessed);
    claims[i].setFromReview(x.from_review);
  }
  r.setPeriod(c.period);
  r.setLane(c.lane);
  r.setDecision(c.decision);
  r.setFacts(c.facts);
  r.setDecidedAt(c.decided_at);
  r.setValuationEvidence(c.valuation_evidence);
  auto ev = r.initEvidence(static_cast<unsigned>(c.evidence.size()));
  for (unsigned i = 0; i < ev.size(); ++i) {
    ev[i].setKind(c.evidence[i].kind);
    ev[i].setReference(c.evidence[i].reference);
    ev[i].setSha256(c.evidence[i].sha256);
  }
  r.setInspection(c.inspection);
  r.setAmendmentRequired(c.amendment_required);
  r.setAmendments(c.amendments);
  r.setLodgedAt(c.lodged_at);
  r.setReleasedAt(c.released_at);
  r.setClosedAt(c.closed_at);
  auto pend = r.initAuditsPending(static_cast<unsigned>(c.audits_pending.size()));
  for (unsigned i = 0; i < pend.size(); ++i)
    pend.set(i, c.audits_pending[i]);
  auto audit = r.initAudit(static_cast<unsigned>(c.audit.size()));
  for (unsigned i = 0; i < audit.size(); ++i)
    audit.set(i, c.audit[i]);
  auto hist = r.initHistory(static_cast<unsigned>(c.history.size()));
  for (unsigned i = 0; i < hist.size(); ++i) {
    hist[i].setAt(c.history[i].at);
    hist[i].setStatus(c.history[i].status);
    hist[i].setDetail(c.history[i].detail);
  }
  return to_bytes(mb);
}

caf::expected<case_record> decode_case(const bytes& b) {
  auto msg = aligned_message::copy(b.data(), b.size(), ec::store_failure);
  if (!msg)
    return caf::make_error(ec::store_failure, "case record: " + context_text(msg.error()));
  case_record c;
  auto str = [](capnp::Text::Reader t) { return std::string{t.cStr(), t.size()}; };
  auto err = with_root<stored::StoredCase>(*msg, ec::store_failure, [&](stored::StoredCase::Reader r) -> caf::error {
    c.case_id = str(r.getCaseId());
    if (c.case_id.empty())
      return caf::make_error(ec::store_failure, "case record without a case id");
    c.declarant = str(r.getDeclarant());
    c.declaration_id = str(r.getDeclarationId());
    c.message_id.assign(r.getMessageId().begin(), r.getMessageId().end());
    c.sequence = r.getSequence();
    c.enterprise = str(r.getEnterprise());
    c.customs_unit = str(r.getCustomsUnit());
    c.import = r.getImport();
    c.credit = tier_from_string(str(r.getTier())).value_or(tier::general_credit);
    auto s = str(r.getSettlement());
    c.settle = s == "guarantee" ? settlement::guarantee
               : s == "consolidated" ? settlement::consolidated : settlement::payment;
    auto st = str(r.getStage());
    for (auto x : {stage::inspection, stage::evidence, stage::settlement, stage::released,
                   stage::closed, stage::rejected, stage::cancelled})
      if (st == to_string(x))
        c.at = x;
    c.status = str(r.getStatus());
    c.waiting_on = str(r.getWaitingOn());
    for (auto it : r.getItems()) {
      c.items.push_back({str(it.getHs()), str(it.getDescription()), str(it.getUnit()), str(it.getCurrency()),
                         str(it.getOrigin()), str(it.getClaim()), str(it.getCertificate()), str(it.getRulingId()),
                         it.getQuantity(), it.getNetKg(), it.getValue(), {}});
      for (auto l : it.getLicences())
        c.items.back().licences.push_back(str(l));
    }
    for (auto a : r.getAgencies())
      c.agencies.push_back({str(a.getAgency()), str(a.getState()), str(a.getReason()), a.getDeadline(),
                            a.getEscalated()});
    for (auto d : r.getDrawdowns())
      c.drawdowns.push_back({str(d.getLicence()), d.getItem(),
                             d.getUnits() != 0 ? d.getUnits() : units_from_stored(d.getQuantity())});
    for (auto t : r.getItemTaxes())
      c.assessed.items.push_back({t.getValueCny(), t.getDutyRate(), t.getPreferential(), t.getDuty(),
                                  t.getConsumptionTax(), t.getVat()});
    c.assessed.value_cny = r.getValueCny();
    c.assessed.duty = r.getDuty();
    c.assessed.consumption_tax = r.getConsumptionTax();
    c.assessed.vat = r.getVat();
    c.assessed.total = r.getTotal();
    c.self_assessed = r.getSelfAssessed();
    c.due = r.getDue();
    c.reserved = r.getReserved();
    c.paid = r.getPaid();
    c.disclosed = r.getDisclosed();
    for (auto x : r.getClaims()) {
      disclosure_claim dc;
      dc.id = str(x.getDisclosureId());
      for (auto i : x.getItems())
        dc.items.push_back(i);
      dc.open = x.getOpen();
      dc.voluntary = x.getVoluntary();
      dc.not_assessed = x.getNotAssessed();
      dc.from_review = x.getFromReview();
      c.claims.push_back(std::move(dc));
    }
    if (c.claims.empty() && r.getCharged() > 0) { // stored by d7807f1: totals, no claims
      disclosure_claim dc;
      dc.id = "charged";
      for (uint16_t i = 0; i < c.items.size(); ++i)
        dc.items.push_back(i);
      dc.not_assessed = r.getCharged();
      dc.open = std::min(r.getUnused44(), dc.not_assessed);
      dc.voluntary = r.getUnused45() > 0;
      c.claims.push_back(std::move(dc));
    }
    c.period = str(r.getPeriod());
    c.lane = str(r.getLane());
    c.decision = str(r.getDecision());
    c.facts = str(r.getFacts());
    c.decided_at = r.getDecidedAt();
    c.valuation_evidence = r.getValuationEvidence();
    for (auto e : r.getEvidence())
      c.evidence.push_back({e.getKind(), str(e.getReference()), str(e.getSha256())});
    c.inspection = str(r.getInspection());
    c.amendment_required = r.getAmendmentRequired();
    c.amendments = r.getAmendments();
    c.lodged_at = r.getLodgedAt();
    c.released_at = r.getReleasedAt();
    c.closed_at = r.getClosedAt();
    for (auto p : r.getAuditsPending())
      c.audits_pending.push_back(str(p));
    for (auto a : r.getAudit())
      c.audit.push_back(str(a));
    for (auto h : r.getHistory())
      c.history.push_back({h.getAt(), str(h.getStatus()), str(h.getDetail())});
    return caf::error{};
  });
  if (err)
    return err;
  return c;
}

bytes ruling_to_bytes(const advance_ruling& r) {
  auto text = json{{"id", r.id}, {"holder", r.holder},
                   {"kind", r.kind == advance_ruling::classification ? "classification" : "valuation"},
                   {"description", r.description}, {"hs", r.hs}, {"minUnitValue", r.min_unit_value},
                   {"maxUnitValue", r.max_unit_value}, {"validFrom", r.valid_from_ms},
                   {"validUntil", r.valid_until_ms}}
                .dump();
  return bytes(text.begin(), text.end());
}

std::optional<advance_ruling> ruling_from_bytes(const bytes& b) {
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
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
  return r;
}

case_view view_of(const case_record& c) {
  case_view v;
  v.case_id = c.case_id;
  v.declaration_id = c.declaration_id;
  v.status = c.status;
  v.reason = c.history.empty() ? std::string{} : c.history.back().detail;
  v.amount_due = c.due > 0 ? format_amount(c.due) : std::string{};
  v.waiting_on = c.waiting_on;
  return v;
}

std::string case_ref_key(std::string_view declarant, std::string_view declaration_id) {
  std::string k{declarant};
  k += '\0';
  k += declaration_id;
  return k;
}

std::string audit_queue_key(std::string_view centre, std::string_view case_id) {
  std::string k{centre};
  k += '\0';
  k += case_id;
  return k;
}

} // namespace hub::customs
