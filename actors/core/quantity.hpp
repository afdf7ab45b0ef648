#pragma once
// Fixed-point quantities (issue 16): a quantity of goods held, drawn or summed by the
// hub is an integer of 1/100000 units, the precision of customs and CEB decimals
// (totalDigits 19, fractionDigits 5; ../shared/domain/ecommerce.md §10). Partners send
// Float64 quantities; each is converted once, checked against max_units, and every
// sum is formed in 128 bits, so no sequence of draws and returns can drift or wrap.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/core/fixed_point.hpp"

namespace hub {

using units = int64_t; ///< 1/100000 of a unit of quantity

inline constexpr units units_per_one = 100'000;

/// The largest quantity the hub holds: 9,999,999,999,999.99999 (13 integer digits; 10
/// billion tonnes in KGM), far inside int64.
inline constexpr units max_units = 999'999'999'999'999'999;

/// A partner's quantity as units, rounded to the nearest 0.00001. Fails with
/// ec::invalid_quantity naming `what` if it is not finite, not > 0, rounds to 0 (below
/// 0.000005) or is beyond 9999999999999.99999.
caf::expected<units> to_units(double quantity, std::string_view what);

/// A quantity stored as a double before issue 16 (licences, drawdowns), as units:
/// rounded in long double, NaN and negatives as 0, clamped to max_units.
units units_from_stored(double quantity);

/// The nearest double (for risk facts and display only; never summed).
double to_double(units q);

/// "12.5", "0.00001", "-3": exact decimal, trailing zeros dropped.
std::string format_units(units q);

/// An exact sum of quantities: 128-bit, checked against ±max_units when read.
class units_sum {
public:
  units_sum& operator+=(units x) {
    acc_ += x;
    return *this;
  }
  units_sum& operator-=(units x) {
    acc_ -= x;
    return *this;
  }
  units_sum& operator+=(const units_sum& x) {
    acc_ += x.acc_;
    return *this;
  }
  units_sum& operator-=(const units_sum& x) {
    acc_ -= x.acc_;
    return *this;
  }
  /// -1, 0, 1 as the exact sum compares with `x`.
  int compare(units x) const { return acc_ < x ? -1 : acc_ > x ? 1 : 0; }
  /// The sum, or ec::invalid_quantity naming `what` beyond ±max_units.
  caf::expected<units> total(std::string_view what) const;
  /// The exact sum as format_units would print it, at any size.
  std::string text() const;

private:
  wide_int acc_ = 0;
};

} // namespace hub
