#include "actors/customs/customs_documents.hpp"

#include <cmath>
#include <cctype>
#include <algorithm>
#include <set>

#include "actors/core/field_checks.hpp"
#include "actors/core/frames.hpp"
#include "actors/core/iso_codes.hpp"
#include "actors/core/quantity.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"

namespace hub::customs {

namespace {

caf::error check_party(wire::TradeParty::Reader p, const std::string& field, bool required) {
  if (!p.hasId() || p.getId().size() == 0) {
    if (required)
      return fail(ec::missing_field, field + ".id", "required");
    return caf::none;
  }
  if (p.getId().size() > 64)
    return fail(ec::invalid_field, field + ".id", "longer than 64 characters");
  if (p.hasCountry() && p.getCountry().size() > 0 && !is_country_code(p.getCountry().cStr()))
    return fail(ec::unknown_country, field + ".country",
                quoted(p.getCountry().cStr()) + " is not an ISO 3166-1 alpha-2 code");
  return caf::none;
}

} // namespace

caf::error validate_declaration(wire::Declaration::Reader d, const validation_limits& lim) {
  if (!d.hasDeclarationId() || d.getDeclarationId().size() == 0)
    return fail(ec::missing_field, "declarationId", "required");
  if (d.getDeclarationId().size() > 64)
    return fail(ec::invalid_field, "declarationId", "longer than 64 characters");
  if (static_cast<uint16_t>(d.getType()) > static_cast<uint16_t>(wire::DeclarationType::EXPORT))
    return fail(ec::invalid_field, "type", "unknown declaration type");
  if (auto err = check_party(d.getDeclarant(), "declarant", true))
    return err;
  bool is_import = d.getType() == wire::DeclarationType::IMPORT;
  if (auto err = check_party(d.getImporter(), "importer", is_import))
    return err;
  if (auto err = check_party(d.getExporter(), "exporter", !is_import))
    return err;
  auto unit = std::string{d.getCustomsUnit().cStr()};
  if (unit.empty())
    return fail(ec::missing_field, "customsUnit", "required");
  if (unit.size() != 4 || !all_digits(unit))
    return fail(ec::invalid_field, "customsUnit", quoted(unit) + " is not a 4-digit customs code");
  auto docs = d.getTransportDocuments();
  for (unsigned i = 0; i < docs.size(); ++i) {
    if (docs[i].getNumber().size() == 0)
      return fail(ec::missing_field, "transportDocuments[" + std::to_string(i) + "].number",
                  "required");
    if (static_cast<uint16_t>(docs[i].getType())
        > static_cast<uint16_t>(wire::TransportDocumentType::HOUSE_BILL_OF_LADING))
      return fail(ec::invalid_field, "transportDocuments[" + std::to_string(i) + "].type",
                  "unknown transport document type");
  }
  auto ops = d.getForeignOperators();
  if (ops.size() > 10)
    return fail(ec::invalid_field, "foreignOperators", "at most 10");
  bool import = d.getType() == wire::DeclarationType::IMPORT;
  for (unsigned i = 0; i < ops.size(); ++i) {
    auto at = "foreignOperators[" + std::to_string(i) + "]";
    std::string role = ops[i].getRole().cStr();
    static const std::set<std::string> import_roles{"consignor", "exporter", "manufacturer"},
      export_roles{"consignee", "importer"};
    if (!(import ? import_roles : export_roles).count(role))
      return fail(ec::invalid_field, at + ".role",
                  quoted(role) + (import ? " is not consignor, exporter or manufacturer (an import's foreign operators)"
                                         : " is not consignee or importer (an export's foreign operators)"));
    std::string id = ops[i].getAeoId().cStr();
    if (id.empty())
      return fail(ec::missing_field, at + ".aeoId", "required");
    if (id.size() > 35 || !std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
      return fail(ec::invalid_field, at + ".aeoId", quoted(id) + " is not 1 to 35 letters or digits");
  }
  auto items = d.getItems();
  if (items.size() == 0)
    return fail(ec::missing_field, "items", "a declaration needs at least one goods item");
  if (items.size() > lim.max_items)
    return fail(ec::too_many_items, "items",
                std::to_string(items.size()) + " items, at most "
                  + std::to_string(lim.max_items) + " per declaration");
  std::vector<bool> seen(items.size() + 1, false);
  for (unsigned i = 0; i < items.size(); ++i) {
    auto it = items[i];
    auto f = "items[" + std::to_string(i) + "].";
    auto seqno = it.getSequence();
    if (seqno == 0 || seqno > items.size() || seen[seqno])
      return fail(ec::invalid_field, f + "sequence",
                  std::to_string(seqno) + ": must be 1.." + std::to_string(items.size())
                    + " and unique");
    seen[seqno] = true;
    std::string hs = it.getHsCode().cStr();
    if (hs.empty())
      return fail(ec::missing_field, f + "hsCode", "required");
    if (hs.size() != 10 || !all_digits(hs))
      return fail(ec::invalid_hs_code, f + "hsCode", quoted(hs) + " is not a 10-digit HS code");
    if (it.getDescription().size() == 0)
      return fail(ec::missing_field, f + "description", "required");
    if (auto q = to_units(it.getQuantity(), f + "quantity"); !q)
      return q.error();
    if (it.getUnit().size() == 0)
      return fail(ec::missing_field, f + "unit", "required");
    auto net = it.getNetWeightKg(), gross = it.getGrossWeightKg();
    if (!std::isfinite(net) || net < 0)
      return fail(ec::invalid_weight, f + "netWeightKg", "must be a number >= 0");
    if (!std::isfinite(gross) || gross < net)
      return fail(ec::invalid_weight, f + "grossWeightKg", "must be a number >= netWeightKg");
    std::string value = it.getCustomsValue().cStr();
    if (value.empty())
      return fail(ec::missing_field, f + "customsValue", "required");
    if (!is_amount(value))
      return fail(ec::invalid_amount, f + "customsValue",
                  quoted(value) + " is not a positive decimal with at most 2 fraction digits");
    std::string cur = it.getCurrency().cStr();
    if (!is_currency_code(cur))
      return fail(ec::unknown_currency, f + "currency",
                  quoted(cur) + " is not an ISO 4217 currency code");
    std::string origin = it.getOriginCountry().cStr();
    if (!is_country_code(origin))
      return fail(ec::unknown_country, f + "originCountry",
                  quoted(origin) + " is not an ISO 3166-1 alpha-2 code");
    if (it.getPreferentialOriginClaim().size() > 32)
      return fail(ec::invalid_field, f + "preferentialOriginClaim", "longer than 32 characters");
    if (it.getOriginCertificate().size() > 64)
      return fail(ec::invalid_field, f + "originCertificate", "longer than 64 characters");
    if (it.getRulingId().size() > 64)
      return fail(ec::invalid_field, f + "rulingId", "longer than 64 characters");
    if (it.getLicences().size() > 8)
      return fail(ec::invalid_field, f + "licences", "at most 8 licences per item");
    for (unsigned k = 0; k < it.getLicences().size(); ++k)
      if (it.getLicences()[k].size() == 0 || it.getLicences()[k].size() > 64)
        return fail(ec::invalid_field, f + "licences[" + std::to_string(k) + "]", "1 to 64 characters");
  }
  if (static_cast<uint16_t>(d.getSettlement())
      > static_cast<uint16_t>(wire::Settlement::CONSOLIDATED))
    return fail(ec::invalid_field, "settlement", "unknown settlement (payment, guarantee, consolidated)");
  std::string self = d.getSelfAssessedTax().cStr();
  if (!self.empty() && !is_amount(self) && self.find_first_not_of("0.") != std::string::npos)
    return fail(ec::invalid_amount, "selfAssessedTax",
                quoted(self) + " is not a decimal CNY amount with at most 2 fraction digits");
  return caf::none;
}


namespace {

constexpr int64_t max_ruling_validity_ms = 3LL * 366 * 86400 * 1000; // Decree 236: 3 years

caf::error required(capnp::Text::Reader t, const std::string& field, size_t max = 64) {
  if (t.size() == 0)
    return fail(ec::missing_field, field, "required");
  if (t.size() > max)
    return fail(ec::invalid_field, field, "longer than " + std::to_string(max) + " characters");
  // Ids and names end up in the desk's JSON records (licences, rulings), whose writer
  // throws on bytes that are not UTF-8: refused here, not failed there as hub_busy.
  std::string_view text{t.cStr(), t.size()};
  if (valid_utf8(text) != text)
    return fail(ec::invalid_field, field, "not UTF-8 text");
  return caf::none;
}

caf::error check_evidence(capnp::List<wire::EvidenceRef>::Reader list, bool need_one) {
  if (need_one && list.size() == 0)
    return fail(ec::missing_field, "evidence", "at least one sample or image is required");
  if (list.size() > 100)
    return fail(ec::invalid_field, "evidence", "more than 100 attachments");
  for (unsigned i = 0; i < list.size(); ++i) {
    auto f = "evidence[" + std::to_string(i) + "]";
    if (static_cast<uint16_t>(list[i].getKind()) > static_cast<uint16_t>(wire::EvidenceKind::DOCUMENT))
      return fail(ec::invalid_field, f + ".kind", "unknown evidence kind");
    if (auto err = required(list[i].getReference(), f + ".reference", 256))
      return err;
    if (list[i].getSha256().size() != 32)
      return fail(ec::invalid_field, f + ".sha256", "must be the 32-byte SHA-256 of the attachment");
  }
  return caf::none;
}

caf::error check_amendment(wire::Amendment::Reader a, const validation_limits& lim) {
  if (auto err = required(a.getDeclarationId(), "declarationId"))
    return err;
  if (static_cast<uint16_t>(a.getKind()) > static_cast<uint16_t>(wire::AmendmentKind::CORRECT))
    return fail(ec::invalid_field, "kind", "unknown amendment kind (amend, cancel, correct)");
  if (a.getKind() == wire::AmendmentKind::CANCEL)
    return a.getReason().size() == 0 ? fail(ec::missing_field, "reason", "a cancellation needs a reason")
                                     : caf::none;
  if (!a.hasReplacement())
    return fail(ec::missing_field, "replacement", "amend and correct carry the full corrected declaration");
  auto d = a.getReplacement();
  if (d.getDeclarationId() != a.getDeclarationId())
    return fail(ec::invalid_field, "replacement.declarationId",
                "must equal declarationId " + quoted(a.getDeclarationId().cStr()));
  if (auto err = validate_declaration(d, lim))
    return prefixed("replacement.", err);
  return caf::none;
}

caf::error check_inspection(wire::InspectionResult::Reader r) {
  if (auto err = required(r.getDeclarant(), "declarant"))
    return err;
  if (auto err = required(r.getDeclarationId(), "declarationId"))
    return err;
  if (static_cast<uint16_t>(r.getOutcome()) > static_cast<uint16_t>(wire::InspectionOutcome::REFUSED))
    return fail(ec::invalid_field, "outcome", "unknown outcome (cleared, documentaryErrors, refused)");
  if (r.getOutcome() != wire::InspectionOutcome::CLEARED && r.getFindings().size() == 0)
    return fail(ec::missing_field, "findings", "say what was found");
  return check_evidence(r.getEvidence(), false);
}

caf::error check_evidence_doc(wire::ValuationEvidence::Reader r) {
  if (auto err = required(r.getDeclarant(), "declarant"))
    return err;
  if (auto err = required(r.getDeclarationId(), "declarationId"))
    return err;
  return check_evidence(r.getEvidence(), true);
}

bool is_period(std::string_view p) {
  return p.size() == 7 && all_digits(p.substr(0, 4)) && p[4] == '-' && all_digits(p.substr(5))
         && p.substr(5) >= "01" && p.substr(5) <= "12";
}

caf::error check_payment(wire::TaxPayment::Reader p) {
  bool by_decl = p.getDeclarationId().size() > 0, by_period = p.getPeriod().size() > 0;
  if (by_decl == by_period)
    return fail(ec::missing_field, "declarationId", "give either declarationId or period (a consolidated statement)");
  if (by_period && !is_period(p.getPeriod().cStr()))
    return fail(ec::invalid_field, "period", quoted(p.getPeriod().cStr()) + " is not YYYY-MM");
  if (by_period && p.getEnterprise().size() == 0)
    return fail(ec::missing_field, "enterprise", "a statement payment names the enterprise");
  std::string amount = p.getAmount().cStr();
  if (amount.empty())
    return fail(ec::missing_field, "amount", "required");
  if (!is_amount(amount))
    return fail(ec::invalid_amount, "amount", quoted(amount) + " is not a positive CNY amount with at most 2 fraction digits");
  return required(p.getPaymentReference(), "paymentReference");
}

caf::error check_condition(wire::RiskCondition::Reader c) {
  size_t criteria = c.getHsPrefixes().size() + c.getOrigins().size() + c.getEnterprises().size()
                    + c.getTransportDocuments().size() + c.getTiers().size();
  if (criteria == 0)
    return fail(ec::missing_field, "when", "an instruction needs at least one criterion");
  for (unsigned i = 0; i < c.getHsPrefixes().size(); ++i) {
    std::string p = c.getHsPrefixes()[i];
    if (p.size() < 2 || p.size() > 10 || !all_digits(p))
      return fail(ec::invalid_hs_code, "when.hsPrefixes[" + std::to_string(i) + "]",
                  quoted(p) + " is not 2 to 10 digits");
  }
  for (unsigned i = 0; i < c.getOrigins().size(); ++i)
    if (!is_country_code(c.getOrigins()[i].cStr()))
      return fail(ec::unknown_country, "when.origins[" + std::to_string(i) + "]",
                  quoted(c.getOrigins()[i].cStr()) + " is not an ISO 3166-1 alpha-2 code");
  for (unsigned i = 0; i < c.getTiers().size(); ++i) {
    std::string t = c.getTiers()[i];
    if (t != "advanced-certified" && t != "general-certified" && t != "general-credit" && t != "discredited")
      return fail(ec::invalid_field, "when.tiers[" + std::to_string(i) + "]", quoted(t) + " is not a credit tier");
  }
  return caf::none;
}

caf::error check_instruction(wire::ControlInstruction::Reader ci) {
  if (auto err = required(ci.getInstructionId(), "instructionId"))
    return err;
  auto action = ci.getAction();
  if (static_cast<uint16_t>(action) > static_cast<uint16_t>(wire::ControlAction::REVOKE))
    return fail(ec::invalid_field, "action", "unknown action (issue, propose, approve, revoke)");
  if (action == wire::ControlAction::APPROVE || action == wire::ControlAction::REVOKE)
    return caf::none;
  std::string lane = ci.getLane();
  if (lane != "yellow" && lane != "red")
    return fail(ec::invalid_field, "lane", quoted(lane) + ": an instruction selects \"yellow\" or \"red\"");
  if (ci.getValidUntil() <= 0)
    return fail(ec::missing_field, "validUntil", "an instruction needs an expiry");
  if (ci.getValidFrom() < 0 || (ci.getValidFrom() > 0 && ci.getValidUntil() <= ci.getValidFrom()))
    return fail(ec::invalid_field, "validUntil", "must be after validFrom");
  if (auto err = required(ci.getReason(), "reason", 500))
    return err;
  return check_condition(ci.getWhen());
}

caf::error check_ruling(wire::AdvanceRuling::Reader r) {
  if (auto err = required(r.getRulingId(), "rulingId"))
    return err;
  if (auto err = required(r.getHolder(), "holder"))
    return err;
  if (auto err = required(r.getDescription(), "description", 500))
    return err;
  std::string hs = r.getHsCode();
  if (hs.size() != 10 || !all_digits(hs))
    return fail(ec::invalid_hs_code, "hsCode", quoted(hs) + " is not a 10-digit HS code");
  if (static_cast<uint16_t>(r.getKind()) > static_cast<uint16_t>(wire::RulingKind::VALUATION))
    return fail(ec::invalid_field, "kind", "unknown ruling kind (classification, valuation)");
  if (r.getKind() == wire::RulingKind::VALUATION) {
    std::string lo = r.getMinUnitValue(), hi = r.getMaxUnitValue();
    if (!is_amount(lo) || !is_amount(hi))
      return fail(ec::invalid_amount, "minUnitValue", "a valuation ruling needs minUnitValue and maxUnitValue in CNY");
    if (std::stod(lo) > std::stod(hi))
      return fail(ec::invalid_amount, "maxUnitValue", "must not be below minUnitValue");
  }
  if (r.getValidFrom() <= 0 || r.getValidUntil() <= r.getValidFrom())
    return fail(ec::invalid_field, "validUntil", "a ruling needs validFrom and a later validUntil");
  if (r.getValidUntil() - r.getValidFrom() > max_ruling_validity_ms)
    return fail(ec::invalid_field, "validUntil", "an advance ruling is valid for at most 3 years");
  return caf::none;
}

caf::error check_licence(wire::Licence::Reader l) {
  if (auto err = required(l.getLicenceId(), "licenceId"))
    return err;
  if (auto err = required(l.getLicenceType(), "licenceType"))
    return err;
  if (auto err = required(l.getHolder(), "holder"))
    return err;
  if (l.getHsPrefixes().size() == 0)
    return fail(ec::missing_field, "hsPrefixes", "a licence covers at least one HS prefix");
  for (unsigned i = 0; i < l.getHsPrefixes().size(); ++i) {
    std::string p = l.getHsPrefixes()[i];
    if (p.size() < 2 || p.size() > 10 || !all_digits(p))
      return fail(ec::invalid_hs_code, "hsPrefixes[" + std::to_string(i) + "]", quoted(p) + " is not 2 to 10 digits");
  }
  if (auto q = to_units(l.getQuantity(), "quantity"); !q)
    return q.error();
  if (auto err = required(l.getUnit(), "unit", 3))
    return err;
  if (l.getValidFrom() <= 0 || l.getValidUntil() <= l.getValidFrom())
    return fail(ec::invalid_field, "validUntil", "a licence needs validFrom and a later validUntil");
  return caf::none;
}

caf::error check_credit_decision(wire::CreditDecision::Reader d) {
  if (auto err = required(d.getEnterprise(), "enterprise"))
    return err;
  std::string t = d.getTier();
  if (t.empty())
    return fail(ec::missing_field, "tier", "required");
  if (!tier_from_string(t))
    return fail(ec::invalid_field, "tier",
                quoted(t.substr(0, 40))
                  + " (advanced-certified, general-certified, general-credit, discredited)");
  if (auto err = required(d.getReason(), "reason", 500))
    return err;
  if (d.getEffectiveFrom() < 0)
    return fail(ec::invalid_field, "effectiveFrom", "Unix ms, or 0 for when it is committed");
  return caf::none;
}

caf::error check_disclosure(wire::Disclosure::Reader d) {
  if (auto err = required(d.getDisclosureId(), "disclosureId"))
    return err;
  if (auto err = required(d.getDeclarationId(), "declarationId"))
    return err;
  if (auto err = required(d.getDescription(), "description", 1000))
    return err;
  std::string tax = d.getTaxUnderpaid();
  if (!tax.empty() && tax != "0.00" && tax != "0" && !is_amount(tax))
    return fail(ec::invalid_amount, "taxUnderpaid",
                quoted(tax.substr(0, 40)) + " is not a CNY amount with at most 2 fraction digits");
  if (d.getViolationDate() < 0)
    return fail(ec::invalid_field, "violationDate", "Unix ms, or 0 for the declaration's lodgement");
  auto items = d.getItems();
  if (items.size() == 0)
    return fail(ec::missing_field, "items", "name the declaration's items the error is in (1 = the first)");
  if (items.size() > 1000)
    return fail(ec::invalid_field, "items", "more than 1000");
  std::set<uint16_t> seen;
  for (unsigned i = 0; i < items.size(); ++i) {
    if (items[i] == 0)
      return fail(ec::invalid_field, "items[" + std::to_string(i) + "]", "items count from 1");
    if (!seen.insert(items[i]).second)
      return fail(ec::invalid_field, "items[" + std::to_string(i) + "]", std::to_string(items[i]) + " twice");
  }
  return caf::none;
}

caf::error check_agency_decision(wire::AgencyDecision::Reader d) {
  if (auto err = required(d.getCaseId(), "caseId", 18))
    return err;
  if (static_cast<uint16_t>(d.getVerdict()) > static_cast<uint16_t>(wire::AgencyVerdict::NEED_DOCUMENTS))
    return fail(ec::invalid_field, "verdict", "unknown verdict (approve, reject, needInspection, needDocuments)");
  if (d.getVerdict() != wire::AgencyVerdict::APPROVE && d.getReason().size() == 0)
    return fail(ec::missing_field, "reason", "say why, for the declarant");
  if (d.getReason().size() > 1000)
    return fail(ec::invalid_field, "reason", "longer than 1000 characters");
  return caf::none;
}

} // namespace

std::vector<document_kind> document_kinds() {
  auto declaration = [](wire::Declaration::Reader d, const validation_limits& lim) {
    return validate_declaration(d, lim);
  };
  auto amendment = [](wire::Amendment::Reader a, const validation_limits& lim) {
    return check_amendment(a, lim);
  };
  auto plain = [](auto check) {
    return [check](auto r, const validation_limits&) { return check(r); };
  };
  return {
    {doc::declaration, capnp::Schema::from<wire::Declaration>(),
     "goods declaration (import/export), WCO Data Model aligned",
     validator_of<wire::Declaration>(declaration), true},
    {doc::amendment, capnp::Schema::from<wire::Amendment>(),
     "amend or cancel a declaration before release, or correct it after",
     validator_of<wire::Amendment>(amendment), true},
    {doc::inspection_result, capnp::Schema::from<wire::InspectionResult>(),
     "the one result of a documentary check or examination (customs officer)",
     validator_of<wire::InspectionResult>(plain(check_inspection)), true},
    {doc::valuation_evidence, capnp::Schema::from<wire::ValuationEvidence>(),
     "samples or images taken for on-site valuation before release (customs officer)",
     validator_of<wire::ValuationEvidence>(plain(check_evidence_doc)), true},
    {doc::tax_payment, capnp::Schema::from<wire::TaxPayment>(),
     "payment of a declaration's tax or of a consolidated monthly statement",
     validator_of<wire::TaxPayment>(plain(check_payment)), true},
    {doc::control_instruction, capnp::Schema::from<wire::ControlInstruction>(),
     "issue, propose, approve or revoke a control instruction (risk officer)",
     validator_of<wire::ControlInstruction>(plain(check_instruction)), true},
    {doc::advance_ruling, capnp::Schema::from<wire::AdvanceRuling>(),
     "register an advance classification or valuation ruling (tax officer)",
     validator_of<wire::AdvanceRuling>(plain(check_ruling)), true},
    {doc::credit_decision, capnp::Schema::from<wire::CreditDecision>(),
     "certify, revoke or rate an enterprise's credit tier (credit officer)",
     validator_of<wire::CreditDecision>(plain(check_credit_decision)), true},
    {doc::disclosure, capnp::Schema::from<wire::Disclosure>(),
     "disclose an error in a released declaration before customs finds it (voluntary disclosure)",
     validator_of<wire::Disclosure>(plain(check_disclosure)), true},
    {doc::agency_decision, capnp::Schema::from<wire::AgencyDecision>(),
     "an agency's decision on a declaration routed to it (approve, reject, need inspection or documents)",
     validator_of<wire::AgencyDecision>(plain(check_agency_decision)), true},
    {doc::agency_licence, capnp::Schema::from<wire::Licence>(),
     "register a licence that declarations draw on, quantity by quantity (licensing agency)",
     validator_of<wire::Licence>(plain(check_licence)), true},
  };
}

} // namespace hub::customs
