#pragma once
// The e-commerce module's document kinds: one per CEB import message type, each a
// CebMessage payload (the XML as sent) decided by a CEB reader desk.

#include <vector>

#include "actors/core/domain_module.hpp"

namespace hub::ecommerce {

/// Document type names (docs/protocol.md): "ecommerce." + the message's short name.
namespace doc {
inline constexpr const char* order = "ecommerce.ceb311";          ///< CEB311Message
inline constexpr const char* payment = "ecommerce.ceb411";        ///< CEB411Message
inline constexpr const char* waybill = "ecommerce.ceb511";        ///< CEB511Message
inline constexpr const char* waybill_status = "ecommerce.ceb513"; ///< CEB513Message
inline constexpr const char* inventory = "ecommerce.ceb621";      ///< CEB621Message
inline constexpr const char* cancel = "ecommerce.ceb623";         ///< CEB623Message
inline constexpr const char* refund = "ecommerce.ceb625";         ///< CEB625Message
inline constexpr const char* delivery = "ecommerce.ceb711";       ///< CEB711Message
/// A port officer's result of an inventory's inspection (InventoryInspection).
inline constexpr const char* inspection_result = "ecommerce.inspection-result";
} // namespace doc

std::vector<document_kind> document_kinds();

} // namespace hub::ecommerce
