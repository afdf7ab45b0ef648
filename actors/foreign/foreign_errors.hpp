#pragma once
// The foreign-customs module's error codes (wire codes 80-99, docs/protocol.md): its
// own enum and CAF error category "foreign", registered as the module's error range.
// Codes are appended, never renumbered.

#include <cstdint>

#include <caf/error.hpp>
#include <caf/make_message.hpp> // CAF_ERROR_CODE_ENUM needs make_message

namespace hub::foreign {

enum class errc : uint8_t {
  no_arrangement = 80,       ///< the sending party is no partner of a mutual-recognition arrangement
  data_set_mismatch = 81,    ///< the batch names another data-set version than the arrangement's
  invalid_identifier = 82,   ///< an operator id is not of the arrangement's identifier scheme
};

inline constexpr uint8_t first_error = 80;
inline constexpr uint8_t last_error = 99;

/// Stable symbolic name ("no_arrangement"); "unknown" outside the range.
const char* error_name(uint8_t code);

} // namespace hub::foreign

CAF_ERROR_CODE_ENUM(hub::foreign::errc, "foreign")
