#include "actors/ecommerce/ceb_records.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/crypto/digest.hpp"

namespace hub::ecommerce {

std::string join_key(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty())
      out += '\x1f';
    out += p;
  }
  return out;
}

const char* state_name(swhub::wire::ParcelState s) {
  using swhub::wire::ParcelState;
  switch (s) {
    case ParcelState::WAITING: return "waiting";
    case ParcelState::REFUSED: return "refused";
    case ParcelState::RELEASED: return "released";
    case ParcelState::INSPECTION: return "inspection";
    case ParcelState::CANCELLED: return "cancelled";
    case ParcelState::RETURNED: return "returned";
    case ParcelState::EXPIRED: return "expired";
  }
  return "?";
}

bytes record_digest(const bytes& record) {
  // The document's content, not its position: the same order repeated in a message
  // (or sent again in another) is the same document.
  auto r = held<swhub::ceb::Document>::decode(record);
  if (!r)
    return sha256(record.data(), record.size());
  capnp::MallocMessageBuilder mb;
  mb.setRoot(**r);
  mb.getRoot<swhub::ceb::Document>().setIndex(0);
  auto flat = capnp::messageToFlatArray(mb);
  auto b = flat.asBytes();
  return sha256(b.begin(), b.size());
}

} // namespace hub::ecommerce
