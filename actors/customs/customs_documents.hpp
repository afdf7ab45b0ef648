#pragma once
// The customs module's document kinds (schemas/customs.capnp, declaration.capnp): one
// row each with its schema, validator and desk, and the names as constants. The format
// checks run before anything is stored; what a document may change (the case's state,
// the sender's scope) is the customs desk's decision.

#include <string_view>
#include <vector>

#include "actors/core/domain_module.hpp"
#include "actors/core/frames.hpp" // namespace wire
#include "schemas/declaration.capnp.h"

namespace hub::customs {

/// Document type names: the wire's documentType (docs/protocol.md).
namespace doc {
inline constexpr const char* declaration = "customs.declaration";
inline constexpr const char* amendment = "customs.amendment";
inline constexpr const char* inspection_result = "customs.inspection-result";
inline constexpr const char* valuation_evidence = "customs.valuation-evidence";
inline constexpr const char* tax_payment = "customs.tax-payment";
inline constexpr const char* control_instruction = "customs.control-instruction";
inline constexpr const char* advance_ruling = "customs.advance-ruling";
inline constexpr const char* credit_decision = "customs.credit-decision";
inline constexpr const char* disclosure = "customs.disclosure";
inline constexpr const char* agency_decision = "agency.decision";
inline constexpr const char* agency_licence = "agency.licence";
} // namespace doc

/// Every customs document kind (all decided by customs desks), in a stable order.
std::vector<document_kind> document_kinds();

/// A Declaration's business rules (also applied to an amendment's replacement).
caf::error validate_declaration(wire::Declaration::Reader d, const validation_limits& lim);

} // namespace hub::customs
