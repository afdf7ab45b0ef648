#pragma once
// Reference data the customs actors decide with: the tariff (HS code -> unit and
// rates), exchange rates, the prohibited and restricted lists, reference unit-value
// ranges and classification precedents. Loaded at start from TOML files in one
// directory (config/reference/ ships SAMPLE data, see its README). Immutable once
// loaded; shared read-only between actors.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/core/money.hpp"

namespace hub::customs {

struct tariff_line {
  std::string hs;          ///< 10 digits
  std::string description;
  std::string unit;        ///< UN/ECE Rec. 20 code of the statutory quantity unit ("KGM", "PCE", ...)
  ppm mfn_duty = 0;        ///< most-favoured-nation ad valorem duty
  ppm vat = 0;             ///< import VAT (13 % or 9 %)
  ppm consumption_tax = 0; ///< ad valorem consumption tax, 0 if none
  std::map<std::string, ppm> preferential; ///< agreement code ("RCEP", "CN-ASEAN") -> rate
};

/// A reference range of customs value per statutory unit, in CNY (SR-06.2).
struct reference_price {
  std::string hs_prefix;   ///< 4 to 10 digits
  std::string unit;
  cents min_per_unit = 0;  ///< CNY cents per unit
  cents max_per_unit = 0;
};

/// Goods whose import/export is prohibited or needs a licence.
struct restriction {
  std::string hs_prefix;
  bool prohibited = false;   ///< prohibited outright; otherwise restricted
  std::string licence_type;  ///< restricted: the licence needed (e.g. "automatic-import-licence")
  std::string reason;
};

/// A classification precedent (归类先例): goods described like this were classified here.
struct precedent {
  std::string id;
  std::string keyword;     ///< matched case-insensitively as a substring of the item description
  std::string hs;          ///< 10 digits
  std::string note;
};

/// A certificate of origin supporting a preferential claim (SAMPLE registry until the
/// foreign-customs exchange feeds it).
struct origin_certificate {
  std::string number;
  std::string agreement;   ///< "RCEP", "CN-ASEAN", ...
  std::string country;     ///< issuing (origin) country, ISO alpha-2
  std::vector<std::string> hs_prefixes; ///< goods it covers; empty = any
  int64_t valid_until_ms = 0;           ///< 0 = open-ended
};

struct reference_data {
  std::map<std::string, tariff_line, std::less<>> tariff;        ///< by 10-digit HS code
  std::map<std::string, int64_t, std::less<>> cny_micro;         ///< currency -> CNY per unit * 1e6
  std::vector<reference_price> prices;
  std::vector<restriction> restrictions;
  std::vector<precedent> precedents;
  std::map<std::string, origin_certificate, std::less<>> certificates; ///< by number

  const tariff_line* line(std::string_view hs) const;             ///< exact 10-digit match
  const reference_price* price_for(std::string_view hs) const;    ///< longest prefix
  const restriction* restriction_for(std::string_view hs) const;  ///< longest prefix
  const precedent* precedent_for(std::string_view description) const; ///< first keyword hit
  /// amount (in `currency`) -> CNY cents; ec::unknown_currency if no rate.
  caf::expected<cents> to_cny(cents amount, std::string_view currency) const;
};

/// True if `part` (non-empty) occurs in `text`, ignoring ASCII case. How keywords,
/// ruling descriptions and item descriptions are matched.
bool contains_ci(std::string_view text, std::string_view part);

/// Reads tariff.toml, rates.toml, restricted.toml, prices.toml, precedents.toml and
/// certificates.toml
/// from `dir`. Strict like hub.toml: an unknown key, a bad HS code or rate is an
/// ec::invalid_config error naming the file, key and line.
caf::expected<reference_data> load_reference_data(const std::string& dir);

} // namespace hub::customs
