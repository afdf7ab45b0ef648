#include "actors/intake/document_types.hpp"

#include <cmath>

#include "actors/core/frames.hpp"
#include "actors/intake/customs_documents.hpp"
#include "actors/intake/field_checks.hpp"
#include "actors/intake/iso_codes.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"
#include "schemas/keys.capnp.h"
#include "schemas/message.capnp.h"
#include "actors/crypto/signature.hpp"

namespace hub {

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

caf::error validate_message(wire::TradeMessage::Reader m) {
  if (m.getSubject().size() == 0)
    return fail(ec::missing_field, "subject", "required");
  if (m.getSubject().size() > 200)
    return fail(ec::invalid_field, "subject", "longer than 200 characters");
  if (m.getBody().size() > 65536)
    return fail(ec::invalid_field, "body", "longer than 64 KiB");
  return caf::none;
}

/// Runs `fn` on the payload's root as T; decoding failures name the document type.
template <class T, class F>
caf::error decode_as(const aligned_message& msg, const document_type_info& type, F&& fn) {
  auto err = with_root<T>(msg, ec::malformed_payload, std::forward<F>(fn));
  if (is(err, ec::malformed_payload))
    return caf::make_error(ec::malformed_payload, "payload does not decode as " + type.name
                                                    + ": " + context_text(err));
  return err;
}

bool is_z85_key(std::string_view s) {
  static const std::string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                                      "TUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  return s.size() == 40 && s.find_first_not_of(alphabet) == std::string_view::npos;
}

caf::error validate_key_rotation(wire::KeyRotation::Reader r, const validation_limits& lim) {
  std::string key = r.getNewPublicKey();
  if (key.empty())
    return fail(ec::missing_field, "newPublicKey", "required");
  if (r.getKind() == wire::KeyKind::CURVE) {
    if (!is_z85_key(key))
      return fail(ec::invalid_field, "newPublicKey", "a CURVE key is 40 Z85 characters");
  } else if (r.getKind() == wire::KeyKind::SIGNING) {
    auto parsed = crypto::public_key::from_pem(key);
    if (!parsed)
      return fail(ec::invalid_field, "newPublicKey", context_text(parsed.error()));
  } else {
    return fail(ec::invalid_field, "kind", "unknown key kind");
  }
  if (r.getOverlapSeconds() > lim.max_key_overlap_s)
    return fail(ec::invalid_field, "overlapSeconds",
                std::to_string(r.getOverlapSeconds()) + " exceeds the hub's maximum of "
                  + std::to_string(lim.max_key_overlap_s));
  return caf::none;
}

} // namespace

const std::vector<document_type_info>& document_types() {
  static const std::vector<document_type_info> types{
    {"customs.declaration", capnp::Schema::from<wire::Declaration>(),
     "goods declaration (import/export), WCO Data Model aligned"},
    {"trade.message", capnp::Schema::from<wire::TradeMessage>(),
     "free-text message routed to a recipient party"},
    {"hub.key-rotation", capnp::Schema::from<wire::KeyRotation>(),
     "register a new CURVE or signing key; the old ones expire after an overlap"},
    {"customs.amendment", capnp::Schema::from<wire::Amendment>(),
     "amend or cancel a declaration before release, or correct it after"},
    {"customs.inspection-result", capnp::Schema::from<wire::InspectionResult>(),
     "the one result of a documentary check or examination (customs officer)"},
    {"customs.valuation-evidence", capnp::Schema::from<wire::ValuationEvidence>(),
     "samples or images taken for on-site valuation before release (customs officer)"},
    {"customs.tax-payment", capnp::Schema::from<wire::TaxPayment>(),
     "payment of a declaration's tax or of a consolidated monthly statement"},
    {"customs.control-instruction", capnp::Schema::from<wire::ControlInstruction>(),
     "issue, propose, approve or revoke a control instruction (risk officer)"},
    {"customs.advance-ruling", capnp::Schema::from<wire::AdvanceRuling>(),
     "register an advance classification or valuation ruling (tax officer)"},
    {"agency.decision", capnp::Schema::from<wire::AgencyDecision>(),
     "an agency's decision on a declaration routed to it (approve, reject, need inspection or documents)"},
    {"agency.licence", capnp::Schema::from<wire::Licence>(),
     "register a licence that declarations draw on, quantity by quantity (licensing agency)"},
  };
  return types;
}

const document_type_info* find_document_type(std::string_view name) {
  for (auto& t : document_types())
    if (t.name == name)
      return &t;
  return nullptr;
}

caf::error validate_payload(const document_type_info& type, const uint8_t* payload,
                            size_t size, const validation_limits& limits) {
  if (size == 0)
    return caf::make_error(ec::empty_payload, "the envelope carries no document");
  auto msg = aligned_message::copy(payload, size, ec::malformed_payload);
  if (!msg)
    return caf::make_error(ec::malformed_payload,
                           "payload is not a Cap'n Proto message of " + type.name + ": "
                             + context_text(msg.error()));
  if (type.name == "customs.declaration")
    return decode_as<wire::Declaration>(*msg, type, [&limits](wire::Declaration::Reader d) {
      return validate_declaration(d, limits);
    });
  if (type.name == "hub.key-rotation")
    return decode_as<wire::KeyRotation>(*msg, type, [&limits](wire::KeyRotation::Reader r) {
      return validate_key_rotation(r, limits);
    });
  if (type.name == "trade.message")
    return decode_as<wire::TradeMessage>(*msg, type, [](wire::TradeMessage::Reader m) {
      return validate_message(m);
    });
  if (type.name.rfind("customs.", 0) == 0 || type.name.rfind("agency.", 0) == 0)
    return validate_customs_document(type, *msg, limits);
  return caf::make_error(ec::unknown_document_type, type.name);
}

} // namespace hub
