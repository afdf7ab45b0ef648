#include "actors/customs/case_record.hpp"

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

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

assessment assessment_from(const json& j) {
  assessment a;
  a.value_cny = j.value("valueCny", cents{0});
  a.duty = j.value("duty", cents{0});
  a.consumption_tax = j.value("consumptionTax", cents{0});
  a.vat = j.value("vat", cents{0});
  a.total = j.value("total", cents{0});
  for (auto& i : j.value("items", json::array())) {
    item_tax t;
    t.value_cny = i.value("valueCny", cents{0});
    t.duty_rate = i.value("dutyRate", ppm{0});
    t.preferential = i.value("preferential", false);
    t.duty = i.value("duty", cents{0});
    t.consumption_tax = i.value("consumptionTax", cents{0});
    t.vat = i.value("vat", cents{0});
    a.items.push_back(t);
  }
  return a;
}

json condition_items(const item_facts& i) {
  return {{"hs", i.hs}, {"origin", i.origin}, {"unitValueCny", i.unit_value_cny},
          {"kgPerUnit", i.kg_per_unit}, {"pricePosition", i.price_position},
          {"prohibited", i.prohibited}, {"restricted", i.restricted}};
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

json to_json(const lane_decision& d) {
  json hits = json::array();
  for (auto& h : d.hits)
    hits.push_back({{"id", h.id}, {"instruction", h.instruction}, {"lane", to_string(h.lane)},
                    {"draw", h.draw}, {"selected", h.selected}, {"reason", h.reason}});
  return {{"lane", to_string(d.lane)},
          {"hits", hits},
          {"seed", std::to_string(d.seed)}, // as text: JSON numbers lose 64-bit precision in many readers
          {"randomDraw", d.random_draw},
          {"randomLane", to_string(d.random_lane)},
          {"valuationEvidence", d.valuation_evidence},
          {"ruleSetVersion", d.rule_set_version},
          {"explanation", d.explanation}};
}

json to_json(const declaration_facts& f) {
  json items = json::array();
  for (auto& i : f.items)
    items.push_back(condition_items(i));
  return {{"declarant", f.declarant},
          {"enterprise", f.enterprise},
          {"customsUnit", f.customs_unit},
          {"import", f.import},
          {"tier", to_string(f.credit)},
          {"priorDeclarations", f.prior_declarations},
          {"priorViolations", f.prior_violations},
          {"rulingDeviation", f.ruling_deviation},
          {"transportDocuments", f.transport_documents},
          {"items", items}};
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
    return f;
  } catch (const json::exception& e) {
    return caf::make_error(ec::store_failure, std::string{"facts: "} + e.what());
  }
}

json to_json(const case_record& c) {
  json items = json::array();
  for (auto& i : c.items)
    items.push_back({{"hs", i.hs}, {"description", i.description}, {"unit", i.unit},
                     {"currency", i.currency}, {"origin", i.origin}, {"claim", i.claim},
                     {"certificate", i.certificate}, {"rulingId", i.ruling_id},
                     {"quantity", i.quantity}, {"netKg", i.net_kg}, {"value", i.value}});
  json history = json::array();
  for (auto& h : c.history)
    history.push_back({{"at", h.at}, {"status", h.status}, {"detail", h.detail}});
  return {{"caseId", c.case_id},
          {"declarant", c.declarant},
          {"declarationId", c.declaration_id},
          {"messageId", to_hex(c.message_id)},
          {"sequence", c.sequence},
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
          {"paid", c.paid},
          {"period", c.period},
          {"decision", c.decision},
          {"facts", c.facts},
          {"decidedAt", c.decided_at},
          {"valuationEvidence", c.valuation_evidence},
          {"evidence", c.evidence},
          {"inspection", c.inspection},
          {"amendmentRequired", c.amendment_required},
          {"amendments", c.amendments},
          {"lodgedAt", c.lodged_at},
          {"releasedAt", c.released_at},
          {"closedAt", c.closed_at},
          {"auditsPending", c.audits_pending},
          {"audit", c.audit},
          {"history", history}};
}

caf::expected<case_record> case_from_json(const json& j) {
  try {
    case_record c;
    c.case_id = j.at("caseId").get<std::string>();
    c.declarant = j.at("declarant").get<std::string>();
    c.declaration_id = j.at("declarationId").get<std::string>();
    c.message_id = from_hex(j.at("messageId").get<std::string>());
    c.sequence = j.at("sequence").get<uint64_t>();
    c.enterprise = j.at("enterprise").get<std::string>();
    c.customs_unit = j.at("customsUnit").get<std::string>();
    c.import = j.at("import").get<bool>();
    c.credit = tier_from_string(j.at("tier").get<std::string>()).value_or(tier::general_credit);
    auto s = j.at("settlement").get<std::string>();
    c.settle = s == "guarantee" ? settlement::guarantee
               : s == "consolidated" ? settlement::consolidated : settlement::payment;
    auto st = j.at("stage").get<std::string>();
    for (auto x : {stage::inspection, stage::evidence, stage::settlement, stage::released,
                   stage::closed, stage::rejected, stage::cancelled})
      if (st == to_string(x))
        c.at = x;
    c.status = j.at("status").get<std::string>();
    c.waiting_on = j.value("waitingOn", "");
    for (auto& i : j.at("items")) {
      case_item it;
      it.hs = i.at("hs").get<std::string>();
      it.description = i.value("description", "");
      it.unit = i.value("unit", "");
      it.currency = i.value("currency", "");
      it.origin = i.value("origin", "");
      it.claim = i.value("claim", "");
      it.certificate = i.value("certificate", "");
      it.ruling_id = i.value("rulingId", "");
      it.quantity = i.value("quantity", 0.0);
      it.net_kg = i.value("netKg", 0.0);
      it.value = i.value("value", cents{0});
      c.items.push_back(std::move(it));
    }
    c.assessed = assessment_from(j.at("assessment"));
    c.self_assessed = j.value("selfAssessed", cents{-1});
    c.due = j.value("due", cents{0});
    c.reserved = j.value("reserved", cents{0});
    c.paid = j.value("paid", cents{0});
    c.period = j.value("period", "");
    c.decision = j.value("decision", json::object());
    c.facts = j.value("facts", json::object());
    c.decided_at = j.value("decidedAt", int64_t{0});
    c.valuation_evidence = j.value("valuationEvidence", false);
    c.evidence = j.value("evidence", json::array());
    c.inspection = j.value("inspection", "");
    c.amendment_required = j.value("amendmentRequired", false);
    c.amendments = j.value("amendments", 0u);
    c.lodged_at = j.value("lodgedAt", int64_t{0});
    c.released_at = j.value("releasedAt", int64_t{0});
    c.closed_at = j.value("closedAt", int64_t{0});
    c.audits_pending = j.value("auditsPending", std::vector<std::string>{});
    c.audit = j.value("audit", json::array());
    for (auto& h : j.value("history", json::array()))
      c.history.push_back({h.value("at", int64_t{0}), h.value("status", ""), h.value("detail", "")});
    return c;
  } catch (const json::exception& e) {
    return caf::make_error(ec::store_failure, std::string{"case record: "} + e.what());
  }
}

bytes encode_case(const case_record& c) {
  auto text = to_json(c).dump();
  return bytes(text.begin(), text.end());
}

caf::expected<case_record> decode_case(const bytes& b) {
  auto j = json::parse(b.begin(), b.end(), nullptr, false);
  if (j.is_discarded())
    return caf::make_error(ec::store_failure, "case record is not JSON");
  return case_from_json(j);
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
