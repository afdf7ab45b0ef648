#pragma once
// Sample documents for tests: valid by default, with knobs to break one field.

#include <string>

#include "actors/actors.hpp"
#include "adapters/zmq/client.hpp"

namespace hub::test {

struct declaration_spec {
  std::string declaration_id = "DECL-TEST-0001";
  std::string declarant = "91310000MA1FL0TEST";
  std::string hs_code = "8471300000";
  double quantity = 10;
  double net_kg = 12.5;
  double gross_kg = 14.0;
  std::string value = "1250.00";
  std::string currency = "USD";
  std::string origin = "DE";
  std::string customs_unit = "2200";
  size_t items = 1;
  std::string description = "Portable computers (TEST SAMPLE)";
};

/// A Declaration payload (Cap'n Proto flat array).
bytes declaration_payload(const declaration_spec& spec = {});

/// A KeyRotation payload (hub.key-rotation): `party` empty = the sender's own key.
bytes key_rotation_payload(const std::string& party, bool signing, const std::string& new_key,
                           uint32_t overlap_seconds, const std::string& key_id = "");

/// An outgoing customs.declaration (valid by default) with a fresh message id.
outgoing declaration_doc(const std::string& declaration_id = "DECL-TEST-0001");

/// A TradeMessage payload.
bytes trade_message_payload(const std::string& subject, const std::string& body = "");

} // namespace hub::test
