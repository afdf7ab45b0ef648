#pragma once
// CEB receipt messages (CEB312Message ... CEB712Message) as E-Port writes them: default
// namespace, standalone="yes", root guid and version, one *Return per document, no
// BaseTransfer, no ds:Signature (docs/design.md; ecommerce.md §10.2).

#include "adapters/ceb/ceb_message.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hub::ceb {

/// One *Return: element name -> text (guid, orderNo, returnStatus, returnTime, returnInfo,
/// ...). Written in the order the schema declares for the return type of `answered`;
/// absent elements are omitted and names the return type does not have are ignored, so a
/// document's `keys` can be passed as they are. The caller supplies every mandatory
/// element (the receipt is not validated here). 1..100 returns per receipt (XSD).
using return_fields = std::vector<std::pair<std::string, std::string>>;

/// The receipt message answering a message of type `answered`, UTF-8, laid out as
/// libxml2's text writer lays it out (4-space indent); the root guid is a fresh
/// uppercase UUID. Throws std::runtime_error only if the schema tables are missing or
/// the random generator fails.
bytes write_receipt(message_type answered, const std::vector<return_fields>& returns);

/// `unix_ms` as a CEB returnTime: 17 characters YYYYMMDDhhmmssSSS in China time (UTC+8).
std::string return_time(int64_t unix_ms);

/// A fresh random (version 4) UUID in uppercase, 36 characters: message guids.
std::string new_guid();


/// One `*Return` of a CEB receipt message, as a partner's system reads it.
struct read_return {
  std::string element;                          ///< "InventoryReturn"
  std::map<std::string, std::string> fields;    ///< by element name (returnStatus, copNo, ...)
};

/// What a CEB receipt message holds: its root and every `*Return`.
struct read_receipt_result {
  std::string root;                 ///< "CEB622Message"
  std::vector<read_return> returns;
  std::string error;                ///< set if the bytes are not a well-formed receipt
};

/// Reads a receipt message (libxml2, no network, no DTD loading): for the partner-side
/// tools and tests that read what the hub sends (swhub-ceb, swhub-sim, tests/support).
read_receipt_result read_receipt(const uint8_t* data, size_t size);

} // namespace hub::ceb
