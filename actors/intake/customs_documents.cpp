#include "actors/intake/customs_documents.hpp"

#include <cmath>

#include "actors/core/frames.hpp"
#include "actors/intake/field_checks.hpp"
#include "actors/intake/iso_codes.hpp"
#include "schemas/customs.capnp.h"

namespace hub {

namespace {

constexpr int64_t max_ruling_validity_ms = 3LL * 366 * 86400 * 1000; // Decree 236: 3 years

caf::error required(capnp::Text::Reader t, const std::string& field, size_t max = 64) {
  if (t.size() == 0)
    return fail(ec::missing_field, field, "required");
  if (t.size() > max)
    return fail(ec::invalid_field, field, "longer than " + std::to_string(max) + " characters");
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
    return caf::make_error(static_cast<ec>(err.code()), "replacement." + context_text(err));
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

template <class T, class F>
caf::error decode(const aligned_message& msg, const document_type_info& type, F&& fn) {
  auto err = with_root<T>(msg, ec::malformed_payload, std::forward<F>(fn));
  if (is(err, ec::malformed_payload))
    return caf::make_error(ec::malformed_payload,
                           "payload does not decode as " + type.name + ": " + context_text(err));
  return err;
}

} // namespace

caf::error validate_customs_document(const document_type_info& type, const aligned_message& msg,
                                     const validation_limits& limits) {
  const auto& n = type.name;
  if (n == "customs.amendment")
    return decode<wire::Amendment>(msg, type, [&](auto r) { return check_amendment(r, limits); });
  if (n == "customs.inspection-result")
    return decode<wire::InspectionResult>(msg, type, [](auto r) { return check_inspection(r); });
  if (n == "customs.valuation-evidence")
    return decode<wire::ValuationEvidence>(msg, type, [](auto r) { return check_evidence_doc(r); });
  if (n == "customs.tax-payment")
    return decode<wire::TaxPayment>(msg, type, [](auto r) { return check_payment(r); });
  if (n == "customs.control-instruction")
    return decode<wire::ControlInstruction>(msg, type, [](auto r) { return check_instruction(r); });
  if (n == "agency.decision")
    return decode<wire::AgencyDecision>(msg, type, [](auto r) { return check_agency_decision(r); });
  if (n == "agency.licence")
    return decode<wire::Licence>(msg, type, [](auto r) { return check_licence(r); });
  if (n == "customs.advance-ruling")
    return decode<wire::AdvanceRuling>(msg, type, [](auto r) { return check_ruling(r); });
  return caf::make_error(ec::unknown_document_type, n);
}

} // namespace hub
