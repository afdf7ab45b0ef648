#include "actors/core/error.hpp"

#include <string_view>

#include "actors/core/domain_module.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace hub {

const char* to_string(ec x) {
  switch (x) {
    case ec::none: return "none";
    case ec::malformed_frame: return "malformed_frame";
    case ec::frame_too_large: return "frame_too_large";
    case ec::unexpected_frame: return "unexpected_frame";
    case ec::bad_message_id: return "bad_message_id";
    case ec::spoofed_sender: return "spoofed_sender";
    case ec::unknown_document_type: return "unknown_document_type";
    case ec::role_not_allowed: return "role_not_allowed";
    case ec::unknown_recipient: return "unknown_recipient";
    case ec::empty_payload: return "empty_payload";
    case ec::malformed_payload: return "malformed_payload";
    case ec::missing_field: return "missing_field";
    case ec::invalid_field: return "invalid_field";
    case ec::reused_message_id: return "reused_message_id";
    case ec::bad_timestamp: return "bad_timestamp";
    case ec::invalid_hs_code: return "invalid_hs_code";
    case ec::invalid_quantity: return "invalid_quantity";
    case ec::invalid_weight: return "invalid_weight";
    case ec::invalid_amount: return "invalid_amount";
    case ec::unknown_currency: return "unknown_currency";
    case ec::unknown_country: return "unknown_country";
    case ec::too_many_items: return "too_many_items";
    case ec::hub_not_ready: return "hub_not_ready";
    case ec::hub_busy: return "hub_busy";
    case ec::unknown_notification: return "unknown_notification";
    case ec::forbidden_read: return "forbidden_read";
    case ec::missing_signature: return "missing_signature";
    case ec::bad_signature: return "bad_signature";
    case ec::unknown_key_id: return "unknown_key_id";
    case ec::algorithm_not_registered: return "algorithm_not_registered";
    case ec::key_expired: return "key_expired";
    case ec::store_failure: return "store_failure";
    case ec::not_found: return "not_found";
    case ec::invalid_config: return "invalid_config";
    case ec::crypto_failure: return "crypto_failure";
    case ec::shutting_down: return "shutting_down";
    case ec::storage_full: return "storage_full";
    case ec::transport_failure: return "transport_failure";
  }
  return "unknown";
}

uint16_t wire_code(ec x) {
  switch (x) {
    case ec::store_failure:
    case ec::storage_full:
      return static_cast<uint16_t>(ec::hub_not_ready);
    case ec::shutting_down:
    case ec::transport_failure:
    case ec::crypto_failure:
    case ec::not_found:
    case ec::invalid_config:
      return static_cast<uint16_t>(ec::hub_busy);
    default:
      return static_cast<uint16_t>(x);
  }
}

uint16_t wire_code_of(const caf::error& err) {
  if (!err)
    return 0;
  if (err.category() == caf::atom("hub"))
    return wire_code(static_cast<ec>(err.code()));
  for (auto& m : modules())
    if (m.errors && err.category() == caf::atom_from_string(m.errors->category)
        && err.code() >= m.errors->first && err.code() <= m.errors->last)
      return err.code();
  return wire_code(ec::hub_busy);
}

std::string wire_code_name(uint16_t code) {
  if (code <= 255) {
    auto x = static_cast<ec>(code);
    if (std::string_view{to_string(x)} != "unknown")
      return to_string(x);
    for (auto& m : modules())
      if (m.errors && code >= m.errors->first && code <= m.errors->last)
        return m.errors->name(static_cast<uint8_t>(code));
  }
  return "unknown";
}

bool retryable_wire(uint16_t code) {
  return code == wire_code(ec::hub_not_ready) || code == wire_code(ec::hub_busy);
}

caf::error prefixed(const std::string& prefix, const caf::error& err) {
  if (!err)
    return err;
  return caf::error{err.code(), err.category(), caf::make_message(prefix + context_text(err))};
}

bool is(const caf::error& err, ec x) {
  // An empty caf::error has no category in CAF 0.17 (category() dereferences null).
  return err && err.category() == caf::atom("hub") && err.code() == static_cast<uint8_t>(x);
}

ec code_of(const caf::error& err) {
  if (!err)
    return ec::none;
  if (err.category() == caf::atom("hub"))
    return static_cast<ec>(err.code());
  return ec::hub_busy;
}

std::string context_text(const caf::error& err) {
  if (!err)
    return {};
  const auto& ctx = err.context();
  std::string out;
  for (size_t i = 0; i < ctx.size(); ++i) {
    if (!out.empty())
      out += ": ";
    if (ctx.match_element<std::string>(i))
      out += ctx.get_as<std::string>(i);
    else
      out += ctx.stringify(i);
  }
  return out;
}

} // namespace hub
