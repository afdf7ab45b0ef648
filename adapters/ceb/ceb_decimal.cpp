#include "adapters/ceb/ceb_decimal.hpp"

#include <limits>

namespace hub::ceb {

namespace {

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && ws(s.back()))
    s.remove_suffix(1);
  return s;
}

__extension__ typedef unsigned __int128 u128;

bool digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace

decimal_result parse_decimal(std::string_view text) {
  auto s = trim(text);
  if (s.empty())
    return {decimal_status::empty, 0};
  bool negative = false;
  if (s.front() == '+' || s.front() == '-') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  auto dot = s.find('.');
  auto int_part = s.substr(0, dot);
  auto frac_part = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty())
    return {decimal_status::not_decimal, 0};
  for (char c : int_part)
    if (!digit(c))
      return {decimal_status::not_decimal, 0};
  for (char c : frac_part)
    if (!digit(c))
      return {decimal_status::not_decimal, 0};
  // Beyond five fraction digits only zeros are exact.
  for (size_t i = 5; i < frac_part.size(); ++i)
    if (frac_part[i] != '0')
      return {decimal_status::too_precise, 0};
  // Magnitude in units, accumulated in 128 bits: the limit is 2^63 - 1 (or 2^63 negative).
  u128 v = 0;
  constexpr u128 cap = static_cast<u128>(1) << 64;
  for (char c : int_part) {
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v >= cap)
      return {decimal_status::out_of_range, 0};
  }
  for (size_t i = 0; i < 5; ++i) {
    v = v * 10 + (i < frac_part.size() ? static_cast<unsigned>(frac_part[i] - '0') : 0u);
    if (v >= cap * 100000)
      return {decimal_status::out_of_range, 0};
  }
  constexpr auto max = static_cast<u128>(std::numeric_limits<int64_t>::max());
  if (v > max + (negative ? 1 : 0))
    return {decimal_status::out_of_range, 0};
  if (negative)
    return {decimal_status::ok, v == max + 1 ? std::numeric_limits<int64_t>::min()
                                              : -static_cast<int64_t>(v)};
  return {decimal_status::ok, static_cast<int64_t>(v)};
}

decimal_result parse_integer(std::string_view text) {
  auto s = trim(text);
  if (s.empty())
    return {decimal_status::empty, 0};
  if (s.find('.') != std::string_view::npos)
    return {decimal_status::not_decimal, 0};
  auto r = parse_decimal(s);
  if (r.status == decimal_status::ok)
    r.units /= 100000;
  return r;
}

} // namespace hub::ceb
