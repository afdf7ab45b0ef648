#pragma once
// CEB receipt messages (CEB312Message ... CEB712Message) as E-Port writes them: default
// namespace, standalone="yes", root guid and version, one *Return per document, no
// BaseTransfer, no ds:Signature (docs/design.md; ecommerce.md §10.2).

#include "adapters/ceb/ceb_message.hpp"

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

/// The receipt message answering a message of type `answered`, UTF-8, built with
/// libxml2's writer; the root guid is a fresh uppercase UUID. Throws std::runtime_error
/// only if libxml2 fails (out of memory).
bytes write_receipt(message_type answered, const std::vector<return_fields>& returns);

/// `unix_ms` as a CEB returnTime: 17 characters YYYYMMDDhhmmssSSS in China time (UTC+8).
std::string return_time(int64_t unix_ms);

/// A fresh random (version 4) UUID in uppercase, 36 characters: message guids.
std::string new_guid();

} // namespace hub::ceb
