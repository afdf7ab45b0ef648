#pragma once
// The customs module's error codes (wire codes 31-45, docs/protocol.md): its own enum
// and CAF error category "customs", registered as the module's error range
// (actors/core/domain_module.hpp). Codes are appended, never renumbered.

#include <cstdint>

#include <caf/error.hpp>
#include <caf/make_message.hpp> // CAF_ERROR_CODE_ENUM needs make_message

namespace hub::customs {

enum class errc : uint8_t {
  /// An HS code is well formed but not a line of the tariff.
  unknown_hs_code = 31,
  /// A goods item's unit is not the tariff line's statutory unit.
  unit_mismatch = 32,
  /// The importer/exporter is not registered with customs.
  unknown_enterprise = 33,
  /// A document refers to a declaration the sender has not lodged.
  unknown_declaration = 34,
  /// A new declaration reuses a declarationId of another message.
  declaration_id_reused = 35,
  /// The declaration is not in a state that allows this action.
  invalid_case_state = 36,
  /// A correction after release arrives after the configured window.
  amendment_window_closed = 37,
  /// A tax payment does not match the amount due.
  payment_mismatch = 38,
  /// A customs unit code is not in the customs organisation.
  unknown_customs_unit = 39,
  /// An officer acted outside its unit, level or tax centre.
  out_of_scope = 40,
  /// A document refers to an advance ruling or proposal that does not exist.
  unknown_ruling = 41,
  /// A goods item quotes a licence the hub does not hold.
  unknown_licence = 42,
  /// A quoted licence is not for this holder, goods, unit or date.
  licence_not_valid = 43,
  /// A quoted licence has less quantity left than the item declares.
  licence_exhausted = 44,
  /// An agency answered for a case not routed to it.
  not_routed = 45,
};

inline constexpr uint8_t first_error = 31;
inline constexpr uint8_t last_error = 45;

/// Stable symbolic name ("unknown_declaration"); "unknown" outside the range.
const char* error_name(uint8_t code);

} // namespace hub::customs

CAF_ERROR_CODE_ENUM(hub::customs::errc, "customs")
