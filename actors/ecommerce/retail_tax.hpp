#pragma once
// Retail import tax of a cross-border e-commerce inventory list (ecommerce.md §7,
// Cai Guan Shui [2016] No. 18 and [2018] No. 49; SR-15.2):
// - taxable value: the goods' transaction price plus freight and insurance (freight and
//   insurance shared over the lines in proportion to their totals);
// - within the limits: duty 0, VAT and consumption tax at 70 % (config reduced-rate):
//   tax = value x (ct + vat) / (1 - ct) x 70 %;
// - a single indivisible item above the per-transaction limit: full duty, CT and VAT:
//   tax = duty + (value + duty) x (ct + vat) / (1 - ct);
// - cosmetics: consumption tax only at or above a value per first statutory unit.
// Exact: 128-bit intermediates, each line rounded half up to 1e-5 CNY, the total to
// 0.01 CNY.

#include <vector>

#include <caf/expected.hpp>

#include "actors/ecommerce/ecommerce_config.hpp"
#include "schemas/ceb.capnp.h"

namespace hub::ecommerce {

struct line_tax {
  int64_t gnum = 0;
  units value = 0;        ///< taxable value of the line (with its share of freight)
  units tax = 0;
  bool consumption = false; ///< consumption tax applied
};

struct retail_tax_result {
  units goods = 0;        ///< sum of line totals
  units value = 0;        ///< taxable value: goods + freight + insurance (quota use)
  units tax = 0;          ///< rounded to 0.01 CNY
  bool full_rates = false;
  std::vector<line_tax> lines;
};

/// The tax of `inv` at full (above the single limit) or reduced rates. Fails with
/// ec::invalid_amount naming the figure if a value is negative or out of range.
caf::expected<retail_tax_result> retail_tax(swhub::ceb::Inventory::Reader inv,
                                            const ecommerce_config& cfg, bool full_rates);

/// "27.30": units as CNY with two decimals (units are multiples of 0.01 here).
std::string yuan(units u);

} // namespace hub::ecommerce
