#pragma once
// The document types the hub knows: the core's own (routed messages, key rotations)
// and every registered module's (actors/core/domain_module.hpp). Each is one row: its
// name, the Cap'n Proto struct its payload must be, its validator and whether a desk
// decides it. The envelope never changes.

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>

#include "actors/core/domain_module.hpp"

namespace hub {

/// The core's document type names.
namespace doc {
inline constexpr const char* trade_message = "trade.message";
inline constexpr const char* key_rotation = "hub.key-rotation";
} // namespace doc

/// Every known type: the core's, then each module's in registration order.
std::vector<const document_kind*> document_types();

/// The type called `name`, or nullptr.
const document_kind* find_document_type(std::string_view name);

/// Decodes `payload` as the type's schema (tight limits) and runs its validator. Fails
/// with malformed_payload, missing_field, invalid_field, invalid_hs_code, ... and a
/// reason naming the field (e.g. "items[2].hsCode").
caf::error validate_payload(const document_kind& type, const uint8_t* payload, size_t size,
                            const validation_limits& limits);

} // namespace hub
