#pragma once
// Field checks shared by the document validators (document_types.cpp,
// customs_documents.cpp): every failure names the field and says what is wrong.

#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "actors/core/error.hpp"
#include "actors/core/quantity.hpp"
#include "actors/intake/document_types.hpp"
#include "schemas/declaration.capnp.h"

namespace hub {

inline caf::error fail(ec code, const std::string& field, const std::string& what) {
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

/// A Declaration's business rules (also applied to an amendment's replacement).
caf::error validate_declaration(wire::Declaration::Reader d, const validation_limits& lim);

} // namespace hub
