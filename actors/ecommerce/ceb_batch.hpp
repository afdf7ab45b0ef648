#pragma once
// A CEB message as a CEB reader hands it to the parcel matcher: who sent it, and each
// document as a record (schemas/ceb.capnp) or with the reason it was refused.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors.hpp"
#include "actors/ecommerce/ecommerce_errors.hpp"
#include "adapters/ceb/ceb_message.hpp"

namespace hub::ecommerce {

struct ceb_doc {
  uint32_t index = 0;
  bytes record;                   ///< swhub::ceb::Document; empty if refused
  std::optional<errc> error;      ///< refused by the adapter (schema)
  std::string detail;             ///< why, naming the element
  std::vector<std::pair<std::string, std::string>> keys; ///< for its receipt
};

struct ceb_batch {
  ceb::message_type type = ceb::message_type::ceb311;
  std::string party;          ///< the sending hub party
  std::string cop_code;       ///< BaseTransfer/copCode (checked: the sender's)
  std::vector<std::string> sender_codes; ///< codes the sender may act as in documents
  std::vector<std::string> subscribers;  ///< parties named in BaseSubscribe for receipts
  std::string signature_way;    ///< how the signature verified; "" if unsigned
  std::string signature_method; ///< its SignatureMethod URI
  std::vector<ceb_doc> docs;
};

} // namespace hub::ecommerce
