#include "actors/core/quantity.hpp"

#include <cmath>

#include "actors/core/error.hpp"

namespace hub {

caf::expected<units> to_units(double quantity, std::string_view what) {
  auto fail = [&](const std::string& why) {
    return caf::make_error(ec::invalid_quantity, std::string{what} + ": " + why);
  };
  if (!std::isfinite(quantity) || quantity <= 0)
    return fail("must be a positive number");
  // long double: 1e13 x 1e5 keeps its last digit (64-bit mantissa).
  long double scaled = std::round(static_cast<long double>(quantity) * units_per_one);
  if (scaled > static_cast<long double>(max_units))
    return fail(format_units(max_units) + " at most (got " + std::to_string(quantity) + ")");
  if (scaled < 1)
    return fail("must be at least 0.00001 (quantities have 5 decimals)");
  return static_cast<units>(scaled);
}

units units_from_stored(double quantity) {
  if (!(quantity > 0))
    return 0;
  long double scaled = std::round(static_cast<long double>(quantity) * units_per_one);
  return scaled >= static_cast<long double>(max_units) ? max_units : static_cast<units>(scaled);
}

double to_double(units q) {
  return static_cast<double>(q) / units_per_one;
}

namespace {

/// Exact text of a quantity of any size, trailing fraction zeros dropped.
std::string format_wide(wide_int q) {
  auto out = format_fixed(q, 5);
  while (out.back() == '0')
    out.pop_back();
  if (out.back() == '.')
    out.pop_back();
  return out;
}

} // namespace

std::string format_units(units q) {
  return format_wide(q);
}

std::string units_sum::text() const {
  return format_wide(acc_);
}

caf::expected<units> units_sum::total(std::string_view what) const {
  if (acc_ > max_units || acc_ < -max_units)
    return caf::make_error(ec::invalid_quantity,
                           std::string{what} + " is beyond " + format_units(max_units));
  return static_cast<units>(acc_);
}

} // namespace hub
