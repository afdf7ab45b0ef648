#include "actors/core/money.hpp"

#include <cmath>

#include "actors/core/error.hpp"

namespace hub {

namespace {

using wide = wide_cents;

/// num / den rounded half away from zero (half-up on magnitudes, the usual rule for
/// money); den > 0; |num| < 2^126 (every caller multiplies two int64 values at most).
wide div_round(wide num, wide den) {
  bool neg = num < 0;
  wide mag = neg ? -num : num;
  wide q = (mag + den / 2) / den; // an exact half only exists for even den: rounds up
  return neg ? -q : q;
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
  return format_wide_amount(amount);
}

std::string format_wide_amount(wide_cents amount) {
  return format_fixed(amount, 2);
}

caf::expected<cents> within_limit(wide_cents v, std::string_view what) {
  if (v > max_amount || v < -max_amount)
    return caf::make_error(ec::invalid_amount,
                           std::string{what} + " CNY " + format_wide_amount(v)
                             + " is beyond the limit of CNY " + format_amount(max_amount)
                             + " (split the goods over several declarations)");
  return static_cast<cents>(v);
}

caf::expected<cents> apply_rate(cents amount, ppm rate) {
  return within_limit(div_round(static_cast<wide>(amount) * rate, one_ppm), "the tax");
}

caf::expected<cents> gross_up(cents amount, ppm rate) {
  if (rate < 0 || rate >= one_ppm) // precondition violated: no gross-up possible
    return amount;
  return within_limit(div_round(static_cast<wide>(amount) * one_ppm, one_ppm - rate),
                      "the consumption tax base");
}

caf::expected<cents> convert(cents amount, int64_t micro) {
  return within_limit(div_round(static_cast<wide>(amount) * micro, 1'000'000),
                      "the converted value");
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

} // namespace hub
