#pragma once
// The e-commerce module's error codes (wire codes 46-79, docs/protocol.md): its own
// enum and CAF error category "ecommerce", registered as the module's error range.
// Each code also has the CEB receipt it becomes (returnStatus in the specification's
// numbering, ch. 7, and the code E-Port platforms already parse): ceb_code_of.
// Codes are appended, never renumbered.
//
// Message codes refuse the whole message: the hub receipt is `rejected`, nothing is
// stored. Document codes refuse one document of an accepted message: its CEB receipt
// carries a negative returnStatus, the other documents go on (docs/design.md).

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp> // CAF_ERROR_CODE_ENUM needs make_message

namespace hub::ecommerce {

enum class errc : uint8_t {
  // ---- the message
  ceb_malformed = 46,          ///< not well-formed XML, not UTF-8, or bad DxpMsg
  ceb_forbidden_markup = 47,   ///< DTD, entity, processing instruction (XXE, billion laughs)
  ceb_too_large = 48,          ///< more bytes, depth, documents or nodes than allowed
  ceb_wrong_root = 49,         ///< root or namespace not the document type's
  ceb_schema_invalid = 50,     ///< the message's own part (BaseTransfer, ...) fails the schema
  ceb_older_layout = 51,       ///< a 2016/2018 layout: names the element it lacks
  ceb_signature_missing = 52,  ///< a signature is required for this type and party
  ceb_digest_mismatch = 53,    ///< the signed data is not what was signed (1004)
  ceb_bad_signature = 54,      ///< the signature value does not verify (1001)
  ceb_foreign_certificate = 55,///< KeyInfo carries another certificate than the sender's
  ceb_signature_method = 56,   ///< a signature or digest method the hub does not accept
  ceb_not_transmitter = 57,    ///< copCode is not the sender's (or one it transmits for)
  ceb_dxp_sender = 58,         ///< DxpMsg SenderId is not the sender's dxpId
  ceb_unknown_sender = 59,     ///< the sender has no CEB registration ([[enterprise]])
  // ---- one document
  ceb_document_invalid = 60,   ///< the document fails the schema
  ceb_unknown_enterprise = 61, ///< ebpCode/payCode/logisticsCode/agentCode unknown or not the sender's
  ceb_already_declared = 62,   ///< a second live inventory for an order (-621004)
  ceb_document_exists = 63,    ///< same key, different content, appType 1
  ceb_not_found = 64,          ///< change/delete/cancel/return of a document the hub does not hold
  ceb_invalid_state = 65,      ///< not allowed in the parcel's state (change after release)
  ceb_return_window = 66,      ///< return after the window (30 days from release)
  ceb_single_limit = 67,       ///< above the per-transaction limit (-621005)
  ceb_annual_quota = 68,       ///< above the buyer's annual quota (-621018)
  ceb_mismatch = 69,           ///< order, payment, waybill and inventory disagree (M1-M7)
  ceb_currency = 70,           ///< currency not 142 (RMB)
  ceb_expired = 71,            ///< documents missing after the matching window
  ceb_no_guarantee = 72,       ///< assureCode names no enterprise with a tax guarantee
  ceb_business_rule = 73,      ///< another business rule of the field definitions
};

inline constexpr uint8_t first_error = 46;
inline constexpr uint8_t last_error = 73;

/// Stable symbolic name ("ceb_already_declared"); "unknown" outside the range.
const char* error_name(uint8_t code);

/// The returnStatus a CEB receipt carries for this code, as a negative business code
/// of the specification (ch. 7) for the message type answered ("-621004"), or the DXP
/// code of a message fault ("-1004"). `type_prefix` is 301, 401, 504, 505, 621, 623,
/// 625 or 800 (the specification's ranges per message type).
std::string ceb_code_of(errc code, int type_prefix);

} // namespace hub::ecommerce

CAF_ERROR_CODE_ENUM(hub::ecommerce::errc, "ecommerce")
