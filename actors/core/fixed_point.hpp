#pragma once
// 128-bit integers for exact products and sums of fixed-point values (money in
// actors/core/money.hpp, quantities in actors/core/quantity.hpp), and their text.

#include <optional>
#include <string>
#include <string_view>

namespace hub {

__extension__ typedef __int128 wide_int; ///< exact intermediates (no -pedantic warning)

/// `v` / 10^fraction_digits as exact decimal text: format_fixed(-12345, 2) is
/// "-123.45"; every fraction digit is written.
std::string format_fixed(wide_int v, unsigned fraction_digits);

/// Exact value of decimal text ("14000", "0.0", "-15.8", "200.00000") in units of
/// 10^-fraction_digits: nullopt if it is not [+-]digits[.digits], has more fraction
/// digits than `fraction_digits` or more than 30 digits in all.
std::optional<wide_int> parse_fixed(std::string_view text, unsigned fraction_digits);

} // namespace hub
