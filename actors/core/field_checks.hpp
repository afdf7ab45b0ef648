#pragma once
// Field checks every document validator uses (the core's in intake/document_types.cpp,
// each module's beside its documents): every failure names the field and says what is
// wrong.

#include <string>
#include <string_view>
#include <utility>

#include <caf/error.hpp>

#include "actors/core/domain_module.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"

namespace hub {

/// "field: what" under `code`: the hub's or a module's error enum.
template <class Code>
caf::error fail(Code code, const std::string& field, const std::string& what) {
  return caf::make_error(code, field + ": " + what);
}

inline bool all_digits(std::string_view s) {
  for (auto c : s)
    if (c < '0' || c > '9')
      return false;
  return !s.empty();
}

/// A positive decimal with at most 2 fraction digits and at most 15 integer digits.
inline bool is_amount(std::string_view s) {
  auto dot = s.find('.');
  auto ints = s.substr(0, dot);
  if (!all_digits(ints) || ints.size() > 15)
    return false;
  if (dot != std::string_view::npos) {
    auto frac = s.substr(dot + 1);
    if (!all_digits(frac) || frac.size() > 2)
      return false;
  }
  for (auto c : s)
    if (c >= '1' && c <= '9')
      return true; // not all zeros
  return false;
}

inline std::string quoted(std::string_view s) {
  return "\"" + std::string{s.substr(0, 64)} + "\"";
}

/// A payload_validator that decodes the payload as `T` and runs `check(reader, limits)`.
/// A payload that does not decode fails with malformed_payload (validate_payload names
/// the document kind).
template <class T, class Check>
payload_validator validator_of(Check check) {
  return [check](const aligned_message& msg, const validation_limits& limits) {
    return with_root<T>(msg, ec::malformed_payload,
                        [&](typename T::Reader r) { return check(r, limits); });
  };
}

} // namespace hub
