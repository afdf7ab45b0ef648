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

} // namespace hub
