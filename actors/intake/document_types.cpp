#include "actors/intake/document_types.hpp"

#include <capnp/dynamic.h>

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

/// The first Text field of `s` (at any depth) that is not UTF-8, as its path
/// ("items[2].description"); empty if every one is. Cap'n Proto Text is UTF-8 by
/// definition, and the desks write partner text into JSON records whose writer throws on
/// anything else: refused here, for every kind, instead of failing later as hub_busy.
std::string non_utf8_text(capnp::DynamicStruct::Reader s, const std::string& path);

std::string non_utf8_value(capnp::DynamicValue::Reader v, const std::string& path) {
  switch (v.getType()) {
    case capnp::DynamicValue::TEXT: {
      auto t = v.as<capnp::Text>();
      std::string_view text{t.cStr(), t.size()};
      return valid_utf8(text) == text ? std::string{} : path;
    }
    case capnp::DynamicValue::STRUCT:
      return non_utf8_text(v.as<capnp::DynamicStruct>(), path);
    case capnp::DynamicValue::LIST: {
      auto list = v.as<capnp::DynamicList>();
      for (unsigned i = 0; i < list.size(); ++i)
        if (auto bad = non_utf8_value(list[i], path + "[" + std::to_string(i) + "]"); !bad.empty())
          return bad;
      return {};
    }
    default:
      return {};
  }
}

std::string non_utf8_text(capnp::DynamicStruct::Reader s, const std::string& path) {
  for (auto field : s.getSchema().getFields()) {
    if (!s.has(field))
      continue; // unset pointers and inactive union members
    auto name = std::string{field.getProto().getName().cStr()};
    if (auto bad = non_utf8_value(s.get(field), path.empty() ? name : path + "." + name);
        !bad.empty())
      return bad;
  }
  return {};
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
  if (!err) {
    try {
      capnp::FlatArrayMessageReader reader{msg->words(), msg->options()};
      if (auto bad = non_utf8_text(reader.getRoot<capnp::DynamicStruct>(type.schema), "");
          !bad.empty())
        err = fail(ec::invalid_field, bad, "not UTF-8 text");
    } catch (const kj::Exception& e) {
      err = caf::make_error(ec::malformed_payload, std::string{e.getDescription().cStr()});
    }
  }
  if (is(err, ec::malformed_payload))
    return caf::make_error(ec::malformed_payload, "payload does not decode as " + type.name
                                                    + ": " + context_text(err));
  return err;
}

} // namespace hub
