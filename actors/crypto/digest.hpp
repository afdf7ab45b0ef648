#pragma once
// Content digests (OpenSSL 3 EVP only).

#include <string_view>

#include "actors/actors.hpp"

namespace hub {

/// SHA-256 of `data` (32 bytes).
bytes sha256(const uint8_t* data, size_t size);

/// The digest a receipt reports and dedupe compares: SHA-256 over the envelope's
/// content fields, each length-prefixed (u32 big-endian): documentType, recipient,
/// correlationId, payload. Sender and messageId are the dedupe key; createdAt and
/// the signature are excluded, so a retry with a fresh clock or signature still
/// counts as the same document (docs/protocol.md).
bytes content_digest(std::string_view document_type, std::string_view recipient,
                     const bytes& correlation_id, const uint8_t* payload,
                     size_t payload_size);

} // namespace hub
