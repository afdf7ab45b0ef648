#include "actors/intake/document_types.hpp"

#include "actors/core/field_checks.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/signature.hpp"
#include "schemas/keys.capnp.h"
#include "schemas/message.capnp.h"

namespace hub {

namespace {

caf::error validate_message(wire::TradeMessage::Reader m) {
  if (m.getSubject().size() == 0)
    return fail(ec::missing_field, "subject", "required");
  if (m.getSubject().size() > 200)
    return fail(ec::invalid_field, "subject", "longer than 200 characters");
  if (m.getBody().size() > 65536)
    return fail(ec::invalid_field, "body", "longer than 64 KiB");
  return caf::none;
}

bool is_z85_key(std::string_view s) {
  static const std::string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                                      "TUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  return s.size() == 40 && s.find_first_not_of(alphabet) == std::string_view::npos;
}

caf::error validate_key_rotation(wire::KeyRotation::Reader r, const validation_limits& lim) {
  std::string key = r.getNewPublicKey();
  if (key.empty())
    return fail(ec::missing_field, "newPublicKey", "required");
  if (r.getKind() == wire::KeyKind::CURVE) {
    if (!is_z85_key(key))
      return fail(ec::invalid_field, "newPublicKey", "a CURVE key is 40 Z85 characters");
  } else if (r.getKind() == wire::KeyKind::SIGNING) {
    auto parsed = crypto::public_key::from_pem(key);
    if (!parsed)
      return fail(ec::invalid_field, "newPublicKey", context_text(parsed.error()));
  } else {
    return fail(ec::invalid_field, "kind", "unknown key kind");
  }
  if (r.getOverlapSeconds() > lim.max_key_overlap_s)
    return fail(ec::invalid_field, "overlapSeconds",
                std::to_string(r.getOverlapSeconds()) + " exceeds the hub's maximum of "
                  + std::to_string(lim.max_key_overlap_s));
  return caf::none;
}


/// The core's own kinds: routed messages and key rotations.
const std::vector<document_kind>& core_kinds() {
  static const std::vector<document_kind> kinds{
    {doc::trade_message, capnp::Schema::from<wire::TradeMessage>(),
     "free-text message routed to a recipient party",
     validator_of<wire::TradeMessage>(
       [](wire::TradeMessage::Reader m, const validation_limits&) { return validate_message(m); }),
     false},
    {doc::key_rotation, capnp::Schema::from<wire::KeyRotation>(),
     "register a new CURVE or signing key; the old ones expire after an overlap",
     validator_of<wire::KeyRotation>(validate_key_rotation), false},
  };
  return kinds;
}

} // namespace

std::vector<const document_kind*> document_types() {
  std::vector<const document_kind*> out;
  for (auto& k : core_kinds())
    out.push_back(&k);
  for (auto& m : modules())
    for (auto& k : m.documents)
      out.push_back(&k);
  return out;
}

const document_kind* find_document_type(std::string_view name) {
  for (auto& k : core_kinds())
    if (k.name == name)
      return &k;
  for (auto& m : modules())
    for (auto& k : m.documents)
      if (k.name == name)
        return &k;
  return nullptr;
}

caf::error validate_payload(const document_kind& type, const uint8_t* payload, size_t size,
                            const validation_limits& limits) {
  if (size == 0)
    return caf::make_error(ec::empty_payload, "the envelope carries no document");
  auto msg = aligned_message::copy(payload, size, ec::malformed_payload);
  if (!msg)
    return caf::make_error(ec::malformed_payload,
                           "payload is not a Cap'n Proto message of " + type.name + ": "
                             + context_text(msg.error()));
  if (!type.validate)
    return caf::make_error(ec::unknown_document_type, type.name + " has no validator");
  auto err = type.validate(*msg, limits);
  if (is(err, ec::malformed_payload))
    return caf::make_error(ec::malformed_payload, "payload does not decode as " + type.name
                                                    + ": " + context_text(err));
  return err;
}

} // namespace hub
