#pragma once
// The CEB XML adapter: reads a CEB import message exactly as a platform sends it to
// China E-Port (bare CEBnnnMessage or wrapped in a DxpMsg terminal-node envelope) with
// libxml2, safely (no DTD, no entities, no network, limits on size, depth and count),
// validates it against the project's schema (schemas/ceb/ceb-import.xsd, chosen by the
// root element), and turns each document into a Cap'n Proto record (schemas/ceb.capnp).
// It decides nothing: business rules live in actors/ecommerce.
//
// A message is a batch (docs/design.md, "CEB messages are batches"): a fault of the
// message itself (not XML, wrong root or namespace, too large, BaseTransfer invalid)
// refuses the whole message; a fault inside one document refuses that document only,
// and the others are read.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::ceb {

using bytes = std::vector<uint8_t>;

/// The import message types the hub accepts (2022-05 edition).
enum class message_type : uint8_t {
  ceb311, ///< CEB311Message: orders           -> CEB312Message receipts
  ceb411, ///< CEB411Message: payments         -> CEB412Message
  ceb511, ///< CEB511Message: waybills         -> CEB512Message
  ceb513, ///< CEB513Message: waybill statuses -> CEB514Message
  ceb621, ///< CEB621Message: inventory lists  -> CEB622Message
  ceb623, ///< CEB623Message: cancellations    -> CEB624Message
  ceb625, ///< CEB625Message: returns          -> CEB626Message
  ceb711, ///< CEB711Message: inbound notes    -> CEB712Message
};

/// "CEB311Message", ...
const char* root_name(message_type t);
/// "CEB312Message", ... (the receipt message answering `t`)
const char* receipt_root_name(message_type t);
/// "ceb311", ... (the suffix of the hub document type "ecommerce.ceb311")
const char* short_name(message_type t);
std::optional<message_type> from_root_name(std::string_view root);

/// What is wrong, in categories the e-commerce module maps to its error codes.
enum class fault : uint8_t {
  none = 0,
  malformed_xml,      ///< not well-formed XML, or not UTF-8
  forbidden_markup,   ///< a DTD, entity declaration or reference, processing instruction
  too_large,          ///< more bytes than limits.max_bytes
  too_deep,           ///< nesting deeper than limits.max_depth
  too_many,           ///< more documents, lines or nodes than the limits allow
  wrong_namespace,    ///< root not in http://www.chinaport.gov.cn/ceb (or dxp for DxpMsg)
  unknown_root,       ///< a root element the hub does not accept (export, receipt, ...)
  bad_envelope,       ///< DxpMsg not valid (TransInfo, base64 Data, ...)
  missing_element,    ///< a mandatory element is absent
  older_layout,       ///< missing elements that the 2016/2018 layouts lack
  unexpected_element, ///< an element the schema does not allow there
  bad_length,         ///< text length outside the schema's bounds (dates: wrong length)
  bad_decimal,        ///< not an N19,5 decimal (empty, sixth fraction digit, too long)
  out_of_range,       ///< a decimal beyond what the hub holds exactly (|v| >= 2^63 units)
  bad_value,          ///< any other schema violation (enumeration, pattern, integer)
};

/// One fault with where it is and what a partner can do about it.
struct problem {
  fault what = fault::none;
  std::string element; ///< path of the element at fault, "InventoryHead/declTime"
  std::string detail;  ///< "'2016030' has 7 characters; declTime is YYYYMMDD (8)"
};

/// Limits against hostile or broken input (config [ecommerce] ceb-*).
struct limits {
  size_t max_bytes = 8u << 20;   ///< the whole message, as received
  size_t max_depth = 24;         ///< element nesting (DxpMsg and business XML each)
  size_t max_documents = 100;    ///< documents per message (XSD: 100)
  size_t max_lines = 99;         ///< lines per document (CEB711: max_delivery_lines)
  size_t max_delivery_lines = 100000;
  size_t max_nodes = 2000000;    ///< XML nodes per message
};

/// The transport envelope a message came in, when it came in a DxpMsg.
struct dxp_envelope {
  std::string cop_msg_id, sender_id, msg_type, create_time;
  std::vector<std::string> receiver_ids;
};

struct base_transfer {
  std::string cop_code, cop_name, dxp_mode, dxp_id, note;
};

struct base_subscribe {
  std::string status, dxp_mode, dxp_address, note; ///< status: ALL, DATA or RET
};

/// One document of the message.
struct document {
  uint32_t index = 0;     ///< position in the message, from 0
  /// The record (a flat Cap'n Proto message whose root is swhub::ceb::Document),
  /// empty when `error` is set.
  bytes record;
  std::optional<problem> error;
  /// Keys a receipt needs even for a document that could not be read (what could be
  /// read of guid, orderNo, ebpCode, ebcCode, copNo, ... by element name; may be empty).
  std::vector<std::pair<std::string, std::string>> keys;
};

/// A parsed message. Holds the libxml2 tree of the business XML for the signature
/// check (adapters/ceb/xml_signature.hpp); movable, not copyable.
class message {
public:
  message();
  ~message();
  message(message&&) noexcept;
  message& operator=(message&&) noexcept;

  message_type type = message_type::ceb311;
  std::string guid, version;           ///< root attributes, as sent
  base_transfer transfer;
  std::vector<base_subscribe> subscribers;
  std::optional<dxp_envelope> envelope; ///< set if it came in a DxpMsg
  std::vector<document> documents;
  bool has_signature = false;           ///< a ds:Signature child of the root
  /// The business XML as received (inside a DxpMsg: the base64-decoded Data).
  bytes business_xml;

  /// libxml2's xmlDocPtr of business_xml (as void* to keep libxml2 out of this header).
  void* xml_doc() const;

  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Reads one message. A message-level fault is returned as the problem (nothing of the
/// message is usable); document-level faults are in documents[i].error.
/// Thread-safe: the project's schemas (schemas/ceb/*.xsd, compiled into the library)
/// are parsed once on first use and shared read-only.
struct parse_result {
  std::optional<message> msg;
  problem refusal; ///< set (what != none) when msg is empty
};
parse_result parse(const uint8_t* data, size_t size, const limits& lim);

/// "" if the compiled-in schemas load; otherwise why not (swhubd checks at start).
std::string schema_status();

/// The message type of `data` without validating it (bare or DxpMsg): for clients that
/// must name the document type before sending (swhub-ceb). Empty if not recognisable.
std::optional<message_type> sniff(const uint8_t* data, size_t size);

} // namespace hub::ceb
