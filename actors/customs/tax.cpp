#include "actors/customs/tax.hpp"

#include <cmath>

#include "actors/core/error.hpp"

namespace hub::customs {

namespace {

/// Below this a tax type is not collected for the declaration (customs-processing.md §9).
constexpr cents small_amount = 5000;

std::string item_key(size_t i, const char* field) {
  return "items[" + std::to_string(i) + "]." + field;
}

} // namespace

item_tax tax_at_line(const tariff_line& line, cents value_cny, std::string_view claim) {
  item_tax t;
  t.value_cny = value_cny;
  t.duty_rate = line.mfn_duty;
  if (!claim.empty()) {
    auto pref = line.preferential.find(std::string{claim});
    if (pref != line.preferential.end()) {
      t.duty_rate = pref->second;
      t.preferential = true;
    }
  }
  // Duty = value x duty rate
  t.duty = apply_rate(value_cny, t.duty_rate);
  // CT = (value + duty) / (1 - CT rate) x CT rate, with one rounding: it equals the
  // grossed-up base minus (value + duty), so VAT base = value + duty + CT = that base.
  cents base = value_cny + t.duty;
  t.consumption_tax = line.consumption_tax > 0 ? gross_up(base, line.consumption_tax) - base : 0;
  // VAT = (value + duty + CT) x VAT rate
  t.vat = apply_rate(base + t.consumption_tax, line.vat);
  return t;
}

caf::expected<assessment> assess(const reference_data& ref, const std::vector<tax_item>& items,
                                 bool import) {
  assessment out;
  out.items.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    auto* line = ref.line(it.hs);
    if (line == nullptr)
      return caf::make_error(ec::unknown_hs_code,
                             item_key(i, "hs") + " \"" + it.hs
                                 + "\" is not a line of the customs tariff (give the 10-digit "
                                   "commodity code of the goods)");
    if (it.unit != line->unit)
      return caf::make_error(ec::unit_mismatch,
                             item_key(i, "unit") + " \"" + it.unit + "\" is not the tariff unit \""
                                 + line->unit + "\" of HS " + it.hs + " (declare the quantity in "
                                 + line->unit + ")");
    if (!std::isfinite(it.quantity) || it.quantity <= 0)
      return caf::make_error(ec::invalid_quantity, item_key(i, "quantity")
                                                       + " must be a positive number of "
                                                       + line->unit);
    if (it.value <= 0)
      return caf::make_error(ec::invalid_amount, item_key(i, "value") + " "
                                                     + format_amount(it.value)
                                                     + " must be a positive amount");
    auto cny = ref.to_cny(it.value, it.currency);
    if (!cny)
      return caf::make_error(hub::code_of(cny.error()),
                             item_key(i, "currency") + ": " + hub::context_text(cny.error()));
    item_tax t;
    if (import) {
      t = tax_at_line(*line, *cny, it.preferential_claim);
    } else {
      t.value_cny = *cny; // no export duty lines in the tariff: nothing to collect
    }
    out.value_cny += t.value_cny;
    out.duty += t.duty;
    out.consumption_tax += t.consumption_tax;
    out.vat += t.vat;
    out.items.push_back(t);
  }
  // Small-amount rule: per declaration, a tax type below CNY 50 is not collected.
  for (cents* total : {&out.duty, &out.consumption_tax, &out.vat})
    if (*total < small_amount)
      *total = 0;
  out.total = out.duty + out.consumption_tax + out.vat;
  return out;
}

} // namespace hub::customs
