#include "actors/core/fixed_point.hpp"

namespace hub {

std::string format_fixed(wide_int v, unsigned fraction_digits) {
  __extension__ typedef unsigned __int128 uwide;
  bool neg = v < 0;
  // Magnitude as unsigned so the most negative value formats too.
  uwide mag = neg ? uwide{0} - static_cast<uwide>(v) : static_cast<uwide>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (digits.size() <= fraction_digits)
    digits.insert(0, fraction_digits + 1 - digits.size(), '0');
  if (fraction_digits > 0)
    digits.insert(digits.size() - fraction_digits, 1, '.');
  return neg ? "-" + digits : digits;
}

std::optional<wide_int> parse_fixed(std::string_view text, unsigned fraction_digits) {
  bool neg = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    neg = text[0] == '-';
    text.remove_prefix(1);
  }
  wide_int v = 0;
  unsigned digits = 0, fraction = 0;
  bool point = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9')
      return std::nullopt;
    if (++digits > 30 || (point && ++fraction > fraction_digits))
      return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (digits == 0)
    return std::nullopt;
  for (; fraction < fraction_digits; ++fraction)
    v *= 10;
  return neg ? -v : v;
}

} // namespace hub
