#pragma once
// The document types the hub knows: each name maps to the Cap'n Proto struct its
// payload must be, and to the business validation run before anything is stored.
// New families (e-commerce, AEO, manifests) add rows here and a .capnp file; the
// envelope never changes.

#include <string>
#include <string_view>
#include <vector>

#include <capnp/schema.h>
#include <caf/error.hpp>

#include "actors/actors.hpp"

namespace hub {

/// Limits business validation applies (from [intake]).
struct validation_limits {
  size_t max_items = 50;
  uint32_t max_key_overlap_s = 30 * 86400; ///< hub.key-rotation: longest overlap
};

struct document_type_info {
  std::string name;           ///< e.g. "customs.declaration"
  capnp::StructSchema schema; ///< root struct of the payload
  std::string description;
};

/// Every known type, in a stable order.
const std::vector<document_type_info>& document_types();

/// The type called `name`, or nullptr.
const document_type_info* find_document_type(std::string_view name);

/// Decodes `payload` as the type's schema (tight limits) and checks its business
/// rules. Fails with malformed_payload, missing_field, invalid_field,
/// invalid_hs_code, ... and a reason naming the field (e.g. "items[2].hsCode").
caf::error validate_payload(const document_type_info& type, const uint8_t* payload,
                            size_t size, const validation_limits& limits);

} // namespace hub
