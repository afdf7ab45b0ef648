#pragma once
// hub::ec: every failure the hub can report, to partners (in receipts) and inside
// (in caf::error). The numbers are the wire error codes of docs/protocol.md: codes
// are appended, never renumbered. Events (partner connected, store ready) are not
// failures and live in hub::sc.

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp> // CAF_ERROR_CODE_ENUM needs make_message

namespace hub {

enum class ec : uint8_t {
  none = 0,
  /// The frame is not a readable Cap'n Proto Frame (garbage, truncated, limits hit).
  malformed_frame = 1,
  /// The frame is larger than gateway.max-frame-bytes.
  frame_too_large = 2,
  /// A well-formed frame of a kind partners may not send, or a multi-part message.
  unexpected_frame = 3,
  /// messageId is not exactly 16 bytes (or correlationId not 0 or 16).
  bad_message_id = 4,
  /// The envelope's sender is not the party the connection authenticated as.
  spoofed_sender = 5,
  /// documentType is not one the hub knows.
  unknown_document_type = 6,
  /// The sender's role may not send this document type (permission table).
  role_not_allowed = 7,
  /// recipient is neither "hub" nor a registered, enabled party.
  unknown_recipient = 8,
  /// The envelope carries no payload.
  empty_payload = 9,
  /// The payload does not decode as the document type's schema.
  malformed_payload = 10,
  /// A required field of the document is missing or empty.
  missing_field = 11,
  /// A field has an impossible format or value (the reason names the field).
  invalid_field = 12,
  /// The same (sender, messageId) was accepted before with different content.
  reused_message_id = 13,
  /// createdAt is missing or too far from the hub's clock.
  bad_timestamp = 14,
  /// An HS code is not 10 digits.
  invalid_hs_code = 15,
  /// A quantity is zero, negative or not a number.
  invalid_quantity = 16,
  /// A weight is negative, not a number, or gross < net.
  invalid_weight = 17,
  /// A monetary amount is not a positive decimal with at most 2 fraction digits.
  invalid_amount = 18,
  /// A currency code is not a known ISO 4217 code.
  unknown_currency = 19,
  /// A country code is not a known ISO 3166-1 alpha-2 code.
  unknown_country = 20,
  /// A document has more items than the hub accepts.
  too_many_items = 21,
  /// The hub cannot commit new documents now (map full, disk full or failing); retry
  /// later: it resumes by itself once a probe commit succeeds.
  hub_not_ready = 22,
  /// The hub is overloaded or stopping and dropped the request; retry later.
  hub_busy = 23,
  /// An acknowledgement names no pending notification of the caller.
  unknown_notification = 24,
  /// The caller is not allowed to read what it asked for.
  forbidden_read = 25,
  /// The document type must be signed for the sender's role and carries no signature.
  missing_signature = 26,
  /// The signature does not verify over the envelope's signing input.
  bad_signature = 27,
  /// The signature's key id is not a signing key registered for the sender.
  unknown_key_id = 28,
  /// The signature's algorithm is not one the sender is registered for.
  algorithm_not_registered = 29,
  /// The key was valid once but its validity (rotation overlap) has ended.
  key_expired = 30,
  // 31-45: the customs module's codes (actors/customs/customs_errors.hpp). Further
  // modules register their own ranges (actors/core/domain_module.hpp).
  // ---- internal failures (never put in a receipt as such) ----
  /// LMDB reported an error; the context carries mdb_strerror.
  store_failure = 100,
  /// A requested key does not exist.
  not_found = 101,
  /// A configuration value is missing, unknown or out of range.
  invalid_config = 102,
  /// An OpenSSL call failed; the context names the operation.
  crypto_failure = 103,
  /// The actor is stopping and will not finish this request.
  shutting_down = 104,
  /// The hub's storage is full: the LMDB map (MDB_MAP_FULL) or the disk (ENOSPC,
  /// EDQUOT, or EIO while the filesystem has next to nothing free).
  storage_full = 105,
  /// A transport (socket) operation failed.
  transport_failure = 106,
};

/// Stable symbolic name, e.g. "spoofed_sender"; the receipt's errorName.
const char* to_string(ec x);

/// The numeric wire code of a partner-facing error: internal failures map onto the
/// partner-facing code that tells the partner what to do (hub_not_ready, hub_busy).
uint16_t wire_code(ec x);

/// The wire code of any error: the hub's codes (wire_code), a registered module's
/// codes (actors/core/domain_module.hpp) as they are, anything else (CAF's request
/// timeouts, ...) hub_busy. 0 for no error.
uint16_t wire_code_of(const caf::error& err);

/// The symbolic name of a wire code, the hub's or a module's; "unknown" if none.
std::string wire_code_name(uint16_t code);

/// True if a partner may succeed by sending the same message again later.
bool retryable_wire(uint16_t code);

/// True if `err` carries the hub category and code `x`.
bool is(const caf::error& err, ec x);

/// True if `err` carries the category and code of `x`, any module's error enum.
template <class E>
bool is_code(const caf::error& err, E x) {
  return err && err.category() == caf::detail::error_factory<E>::category
         && err.code() == static_cast<uint8_t>(x);
}

/// `err` with `prefix` before its context, same category and code ("items[2]: ...").
caf::error prefixed(const std::string& prefix, const caf::error& err);

/// The hub code of `err` (ec::none for an empty error, hub_busy for non-hub errors
/// such as CAF's request timeouts).
ec code_of(const caf::error& err);

/// The context of `err` as plain text, without CAF's tuple decoration.
std::string context_text(const caf::error& err);

} // namespace hub

CAF_ERROR_CODE_ENUM(hub::ec, "hub")
