#pragma once
// Fixed-point money and rates for customs arithmetic. Amounts are integers in 1/100
// of the currency unit (fen for CNY); rates are parts per million (13 % = 130000).
// No floating point touches an amount: taxes are rounded half-up to 0.01 as the
// tax rules require (../shared/domain/customs-processing.md §9).

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace hub::customs {

using cents = int64_t; ///< 1/100 of a currency unit
using ppm = int64_t;   ///< parts per million: 1 % = 10000

inline constexpr ppm one_ppm = 1'000'000;

/// Parses "1250", "1250.5", "1250.00" (at most 2 fraction digits, no sign, no
/// exponent, at most 15 integer digits). Fails with ec::invalid_amount.
caf::expected<cents> parse_amount(std::string_view text);

/// "1250.00"; negative amounts as "-12.30".
std::string format_amount(cents amount);

/// round_half_up(amount * rate / 1e6), exact (128-bit intermediate).
cents apply_rate(cents amount, ppm rate);

/// round_half_up(amount * 1e6 / (1e6 - rate)): the tax-inclusive base of an ad
/// valorem consumption tax. `rate` must be < 1e6.
cents gross_up(cents amount, ppm rate);

/// round_half_up(amount * micro / 1e6): converts with a rate given in millionths
/// (CNY per unit of the foreign currency, e.g. USD 7.1 = 7100000).
cents convert(cents amount, int64_t micro);

/// A percentage from config (e.g. 13.0, 0.5, 84.76) as ppm; fails (ec::invalid_config)
/// outside [0, 100] or with more than 4 decimals of precision.
caf::expected<ppm> percent_to_ppm(double percent);

/// "13%" or "0.5%" for messages.
std::string format_percent(ppm rate);

} // namespace hub::customs
