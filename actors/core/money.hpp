#pragma once
// Fixed-point money and rates, shared by every domain (customs taxes, e-commerce
// orders, risk probabilities). Amounts are integers in 1/100 of the currency unit
// (fen for CNY); rates are parts per million (13 % = 130000). No floating point
// touches an amount: taxes are rounded half-up to 0.01 as the tax rules require
// (../shared/domain/customs-processing.md §9).
//
// No amount can wrap (issue 16): every product and sum is formed in 128 bits and
// every amount the hub keeps (a converted value, a tax, a total, a reservation) must
// lie within ±max_amount, or the computation fails with ec::invalid_amount naming
// it. max_amount is far beyond any real declaration and far inside int64, so a sum of
// a few amounts that passed the check cannot wrap either.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/core/fixed_point.hpp"

namespace hub {

using cents = int64_t; ///< 1/100 of a currency unit
using ppm = int64_t;   ///< parts per million: 1 % = 10000

inline constexpr ppm one_ppm = 1'000'000;

/// Exact intermediate products and sums.
using wide_cents = wide_int;

/// The largest amount the hub holds, in cents: CNY 999,999,999,999,999.99 (15
/// integer digits, the most parse_amount accepts; ~1,000 times the world's yearly
/// imports). A per-item value, tax or declaration total beyond it is invalid_amount.
inline constexpr cents max_amount = 99'999'999'999'999'999;

/// `v` as cents, or ec::invalid_amount "<what> CNY <v> is beyond the limit of CNY
/// 999999999999999.99" when |v| > max_amount.
caf::expected<cents> within_limit(wide_cents v, std::string_view what);

/// An exact sum of amounts: 128-bit, so no number or order of additions can wrap;
/// `total` checks the result against max_amount.
class amount_sum {
public:
  amount_sum& operator+=(cents x) {
    acc_ += x;
    return *this;
  }
  amount_sum& operator-=(cents x) {
    acc_ -= x;
    return *this;
  }
  wide_cents exact() const { return acc_; }
  /// The sum, or invalid_amount naming `what` (e.g. "total customs value").
  caf::expected<cents> total(std::string_view what) const { return within_limit(acc_, what); }

private:
  wide_cents acc_ = 0;
};

/// Parses "1250", "1250.5", "1250.00" (at most 2 fraction digits, no sign, no
/// exponent, at most 15 integer digits). Fails with ec::invalid_amount.
caf::expected<cents> parse_amount(std::string_view text);

/// "1250.00"; negative amounts as "-12.30".
std::string format_amount(cents amount);
/// The same for any 128-bit value (messages naming a sum beyond the limit).
std::string format_wide_amount(wide_cents amount);

// The three below compute exactly in 128 bits and fail (invalid_amount) only when
// the result is beyond ±max_amount.

/// round_half_up(amount * rate / 1e6).
caf::expected<cents> apply_rate(cents amount, ppm rate);

/// round_half_up(amount * 1e6 / (1e6 - rate)): the tax-inclusive base of an ad
/// valorem consumption tax. `rate` must be in [0, 1e6) (else `amount` is returned).
caf::expected<cents> gross_up(cents amount, ppm rate);

/// round_half_up(amount * micro / 1e6): converts with a rate given in millionths
/// (CNY per unit of the foreign currency, e.g. USD 7.1 = 7100000).
caf::expected<cents> convert(cents amount, int64_t micro);

/// A percentage from config (e.g. 13.0, 0.5, 84.76) as ppm; fails (ec::invalid_config)
/// outside [0, 100] or with more than 4 decimals of precision.
caf::expected<ppm> percent_to_ppm(double percent);

/// "13%" or "0.5%" for messages.
std::string format_percent(ppm rate);

} // namespace hub
