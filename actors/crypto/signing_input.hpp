#pragma once
// What exactly is signed. Partners sign an envelope's signing input; the hub signs a
// receipt's. Both are length-prefixed concatenations (u32 big-endian length, then the
// bytes) behind a version tag, so no two different messages share an input
// (docs/protocol.md, "Signatures").

#include <string_view>

#include "actors/actors.hpp"

namespace hub::crypto {

/// "swhub-envelope-v1", sender, messageId, recipient, documentType, createdAt (i64
/// big-endian, 8 bytes, no prefix), correlationId, payload.
bytes envelope_signing_input(std::string_view sender, const bytes& message_id,
                             std::string_view recipient, std::string_view document_type,
                             int64_t created_at, const bytes& correlation_id,
                             const uint8_t* payload, size_t payload_size);

/// The fields of a receipt that its signature covers.
struct receipt_fields {
  std::string_view party; ///< whom the receipt was issued to
  const bytes& message_id;
  uint8_t status;         ///< ReceiptStatus enumerant
  uint16_t error_code;
  std::string_view error_name;
  std::string_view reason;
  bool retryable;
  const bytes& digest;
  int64_t hub_time;
  uint64_t sequence;
};

/// "swhub-receipt-v1", party, messageId, status (1 byte), errorCode (2 bytes BE),
/// errorName, reason, retryable (1 byte), digest, hubTime (8 bytes BE), sequence (8
/// bytes BE).
bytes receipt_signing_input(const receipt_fields& r);

} // namespace hub::crypto
