#pragma once
// Exact CEB decimals (xs:decimal, totalDigits 19, fractionDigits 5) as int64 units of 1e-5.

#include <cstdint>
#include <string>
#include <string_view>

namespace hub::ceb {

enum class decimal_status : uint8_t { ok, empty, not_decimal, too_precise, out_of_range };

struct decimal_result {
  decimal_status status = decimal_status::ok;
  int64_t units = 0; ///< value * 100000, exact
};

/// Parses the xs:decimal lexical form (leading/trailing XML whitespace collapsed, optional
/// sign, "5.", ".5"): "200.00000" -> 20000000, "15.8" -> 1580000. A sixth non-zero
/// fraction digit is too_precise (trailing zeros beyond it are accepted, as the XSD's
/// value-space facet does); |value| >= 2^63 units is out_of_range. Never rounds.
decimal_result parse_decimal(std::string_view text);

/// Parses an xs:int-like integer ("1", "+3", "-2"; whitespace collapsed).
decimal_result parse_integer(std::string_view text);

} // namespace hub::ceb
