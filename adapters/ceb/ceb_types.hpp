#pragma once
// What each accepted message type looks like (internal to swhub_ceb): the element that
// holds one document, its head and line elements, the record's union field and the
// receipt's return element. From ceb-import.xsd and schemas/ceb.capnp.

#include "adapters/ceb/ceb_message.hpp"

namespace hub::ceb::detail {

struct type_info {
  message_type type;
  const char* root;         ///< "CEB311Message"
  const char* receipt_root; ///< "CEB312Message"
  const char* short_name;   ///< "ceb311"
  const char* document;     ///< child of the root holding one document: "Order"
  const char* head;         ///< head element inside it, nullptr if `document` is the head
  const char* line;         ///< line element, nullptr if none
  const char* record_field; ///< field of the swhub::ceb::Document union: "order"
  const char* return_element; ///< "OrderReturn"
};

const type_info& info(message_type t);
/// All accepted types, in enum order.
const type_info* all_types();
inline constexpr size_t type_count = 8;

} // namespace hub::ceb::detail
