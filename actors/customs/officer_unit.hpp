#pragma once
// The customs unit an officer acts for: the [[party]] key "customs-unit", which the
// customs module declares (domain_module::party_keys) and the registry keeps as a
// party attribute.

#include <string>

#include "actors/registry/party_registry.hpp"

namespace hub::customs {

inline constexpr const char* customs_unit_key = "customs-unit";

/// The 4-digit unit `p` acts for; empty for parties that are not officers.
inline const std::string& unit_of(const party& p) {
  return p.attribute(customs_unit_key);
}

} // namespace hub::customs
