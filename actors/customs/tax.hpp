#pragma once
// The self-assessment calculator (SR-08.1): duty, consumption tax and VAT per goods
// item from the tariff, compounding as the rules require:
//   duty = value x duty rate; CT = (value + duty) / (1 - CT rate) x CT rate;
//   VAT = (value + duty + CT) x VAT rate; each rounded half-up to 0.01 CNY.
// Per declaration, a tax type totalling less than CNY 50 is not collected.

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/core/money.hpp"
#include "actors/customs/reference_data.hpp"

namespace hub::customs {

/// One goods item as the calculator needs it (already validated for format).
struct tax_item {
  std::string hs;                 ///< 10 digits
  cents value = 0;                ///< customs value in `currency`
  std::string currency;
  std::string origin;             ///< ISO 3166-1 alpha-2
  std::string preferential_claim; ///< agreement code or empty
  double quantity = 0;
  std::string unit;
};

/// Per item, the taxes as computed (before the declaration-level small-amount rule,
/// which only changes the totals in `assessment`).
struct item_tax {
  cents value_cny = 0;
  ppm duty_rate = 0;
  bool preferential = false;  ///< the claimed agreement's rate was applied
  cents duty = 0, consumption_tax = 0, vat = 0;
};

struct assessment {
  std::vector<item_tax> items;
  cents value_cny = 0;
  cents duty = 0, consumption_tax = 0, vat = 0; ///< after the CNY 50 small-amount rule
  cents total = 0;
};

/// Import assessment. Fails with errc::unknown_hs_code (not in the tariff),
/// errc::unit_mismatch (unit differs from the tariff's), ec::unknown_currency, or
/// ec::invalid_amount; the reason names the item ("items[2]: ...") or, for a
/// declaration total beyond max_amount, the total.
/// A claim for an agreement the line has no rate for is assessed at MFN and the
/// item is not marked preferential. Exports are assessed at zero (no export duty
/// lines in the sample tariff) but still checked for HS code and unit.
caf::expected<assessment> assess(const reference_data& ref, const std::vector<tax_item>& items,
                                 bool import);

/// The import taxes of one item whose value is already in CNY, at `line`, with the
/// agreement `claim` (empty = none) applied if the line has a rate for it. No unit or
/// currency checks: the post-release audit uses it to recompute at another HS code.
/// Fails (invalid_amount) if a tax or the item's tax total is beyond max_amount.
caf::expected<item_tax> tax_at_line(const tariff_line& line, cents value_cny, std::string_view claim);

/// Sets the value and tax totals of `a` from its items, exactly, without the
/// small-amount rule (a review of some of a declaration's lines); fails
/// (invalid_amount) beyond max_amount, leaving `a` unchanged.
caf::error sum_items(assessment& a);

/// Total of the three taxes of one item (each within max_amount, so no wrap; the
/// assessment and tax_at_line check it is within max_amount too).
inline cents total_tax(const item_tax& t) {
  return t.duty + t.consumption_tax + t.vat;
}

} // namespace hub::customs
