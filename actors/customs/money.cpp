#include "actors/customs/money.hpp"

#include <cmath>

#include "actors/core/error.hpp"

namespace hub::customs {

namespace {

__extension__ typedef __int128 wide; // exact intermediate products (no -pedantic warning)

/// num / den rounded half away from zero (half-up on magnitudes, the usual rule for
/// money); den > 0.
cents div_round(wide num, wide den) {
  bool neg = num < 0;
  wide mag = neg ? -num : num;
  wide q = (mag + den / 2) / den; // an exact half only exists for even den: rounds up
  return static_cast<cents>(neg ? -q : q);
}

} // namespace

caf::expected<cents> parse_amount(std::string_view text) {
  auto fail = [&](const char* why) {
    return caf::make_error(ec::invalid_amount, "amount \"" + std::string{text} + "\" " + why
                                                   + " (write it like 1250 or 1250.50)");
  };
  if (text.empty())
    return fail("is empty");
  size_t i = 0;
  cents whole = 0;
  size_t int_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (++int_digits > 15)
      return fail("has more than 15 integer digits");
    whole = whole * 10 + (text[i] - '0');
    ++i;
  }
  if (int_digits == 0)
    return fail("does not start with a digit");
  cents frac = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t frac_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++frac_digits > 2)
        return fail("has more than 2 fraction digits");
      frac = frac * 10 + (text[i] - '0');
      ++i;
    }
    if (frac_digits == 0)
      return fail("has no digits after the decimal point");
    if (frac_digits == 1)
      frac *= 10;
  }
  if (i != text.size())
    return fail("is not a plain decimal number");
  return whole * 100 + frac;
}

std::string format_amount(cents amount) {
  bool neg = amount < 0;
  // Magnitude as unsigned so INT64_MIN formats too.
  uint64_t mag = neg ? uint64_t{0} - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
  auto frac = mag % 100;
  std::string out = neg ? "-" : "";
  out += std::to_string(mag / 100);
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  out += static_cast<char>('0' + frac % 10);
  return out;
}

cents apply_rate(cents amount, ppm rate) {
  return div_round(static_cast<wide>(amount) * rate, one_ppm);
}

cents gross_up(cents amount, ppm rate) {
  if (rate < 0 || rate >= one_ppm) // precondition violated: no gross-up possible
    return amount;
  return div_round(static_cast<wide>(amount) * one_ppm, one_ppm - rate);
}

cents convert(cents amount, int64_t micro) {
  return div_round(static_cast<wide>(amount) * micro, 1'000'000);
}

caf::expected<ppm> percent_to_ppm(double percent) {
  if (!std::isfinite(percent) || percent < 0.0 || percent > 100.0)
    return caf::make_error(ec::invalid_config, "rate " + std::to_string(percent)
                                                   + " is not a percentage between 0 and 100");
  double scaled = percent * 10000.0;
  double rounded = std::round(scaled);
  if (std::fabs(scaled - rounded) > 1e-6)
    return caf::make_error(ec::invalid_config,
                           "rate " + std::to_string(percent)
                               + " has more than 4 decimals (write e.g. 13.0 or 84.76)");
  return static_cast<ppm>(rounded);
}

std::string format_percent(ppm rate) {
  bool neg = rate < 0;
  uint64_t mag = neg ? uint64_t{0} - static_cast<uint64_t>(rate) : static_cast<uint64_t>(rate);
  std::string out = neg ? "-" : "";
  out += std::to_string(mag / 10000);
  auto frac = mag % 10000;
  if (frac != 0) {
    std::string digits = std::to_string(frac);
    digits.insert(0, 4 - digits.size(), '0');
    while (digits.back() == '0')
      digits.pop_back();
    out += '.';
    out += digits;
  }
  out += '%';
  return out;
}

} // namespace hub::customs
