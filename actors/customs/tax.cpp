#include "actors/customs/tax.hpp"

#include <cmath>

#include "actors/core/error.hpp"
#include "actors/customs/customs_errors.hpp"

namespace hub::customs {

namespace {

/// Below this a tax type is not collected for the declaration (customs-processing.md §9).
constexpr cents small_amount = 5000;

std::string item_key(size_t i, const char* field) {
  return "items[" + std::to_string(i) + "]." + field;
}

/// `err` (from money.hpp, "the tax CNY ... is beyond ...") with the tax it concerns.
caf::error named(const caf::error& err, const char* tax) {
  return prefixed(std::string{tax} + ": ", err);
}

} // namespace

caf::expected<item_tax> tax_at_line(const tariff_line& line, cents value_cny, std::string_view claim) {
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
  auto duty = apply_rate(value_cny, t.duty_rate);
  if (!duty)
    return named(duty.error(), "duty");
  t.duty = *duty;
  // CT = (value + duty) / (1 - CT rate) x CT rate, with one rounding: it equals the
  // grossed-up base minus (value + duty), so VAT base = value + duty + CT = that base.
  auto base = within_limit(wide_cents{value_cny} + t.duty, "value plus duty");
  if (!base)
    return base.error();
  cents vat_base = *base;
  if (line.consumption_tax > 0) {
    auto grossed = gross_up(*base, line.consumption_tax);
    if (!grossed)
      return named(grossed.error(), "consumption tax");
    vat_base = *grossed;
    t.consumption_tax = vat_base - *base;
  }
  // VAT = (value + duty + CT) x VAT rate
  auto vat = apply_rate(vat_base, line.vat);
  if (!vat)
    return named(vat.error(), "VAT");
  t.vat = *vat;
  if (auto all = within_limit(wide_cents{t.duty} + t.consumption_tax + t.vat, "the item's tax"); !all)
    return all.error();
  return t;
}

caf::error sum_items(assessment& a) {
  amount_sum value, duty, consumption_tax, vat, total;
  for (auto& t : a.items) {
    value += t.value_cny;
    duty += t.duty;
    consumption_tax += t.consumption_tax;
    vat += t.vat;
    total += total_tax(t);
  }
  auto v = value.total("the reviewed lines' customs value");
  auto d = duty.total("the reviewed lines' duty");
  auto c = consumption_tax.total("the reviewed lines' consumption tax");
  auto t = vat.total("the reviewed lines' VAT");
  auto all = total.total("the reviewed lines' tax");
  for (auto* r : {&v, &d, &c, &t, &all})
    if (!*r)
      return r->error();
  a.value_cny = *v;
  a.duty = *d;
  a.consumption_tax = *c;
  a.vat = *t;
  a.total = *all;
  return caf::none;
}

caf::expected<assessment> assess(const reference_data& ref, const std::vector<tax_item>& items,
                                 bool import) {
  assessment out;
  out.items.reserve(items.size());
  amount_sum value, duty, consumption_tax, vat;
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    auto* line = ref.line(it.hs);
    if (line == nullptr)
      return caf::make_error(errc::unknown_hs_code,
                             item_key(i, "hs") + " \"" + it.hs
                                 + "\" is not a line of the customs tariff (give the 10-digit "
                                   "commodity code of the goods)");
    if (it.unit != line->unit)
      return caf::make_error(errc::unit_mismatch,
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
    if (!cny) {
      auto code = hub::code_of(cny.error());
      auto where = code == ec::unknown_currency
                     ? item_key(i, "currency")
                     : item_key(i, "value") + " " + it.currency + " " + format_amount(it.value);
      return caf::make_error(code, where + ": " + hub::context_text(cny.error()));
    }
    item_tax t;
    if (import) {
      auto taxed = tax_at_line(*line, *cny, it.preferential_claim);
      if (!taxed)
        return caf::make_error(ec::invalid_amount,
                               "items[" + std::to_string(i) + "]: " + hub::context_text(taxed.error()));
      t = *taxed;
    } else {
      t.value_cny = *cny; // no export duty lines in the tariff: nothing to collect
    }
    value += t.value_cny;
    duty += t.duty;
    consumption_tax += t.consumption_tax;
    vat += t.vat;
    out.items.push_back(t);
  }
  // Each total is checked on its own (and the three taxes together) before the
  // small-amount rule can zero it: a sum beyond the limit is refused, never wrapped.
  auto checked = [](const amount_sum& sum, const char* what, cents& into) -> caf::error {
    auto v = sum.total(std::string{"the declaration's total "} + what);
    if (!v)
      return v.error();
    into = *v;
    return caf::none;
  };
  if (auto err = checked(value, "customs value", out.value_cny))
    return err;
  if (auto err = checked(duty, "duty", out.duty))
    return err;
  if (auto err = checked(consumption_tax, "consumption tax", out.consumption_tax))
    return err;
  if (auto err = checked(vat, "VAT", out.vat))
    return err;
  // Small-amount rule: per declaration, a tax type below CNY 50 is not collected.
  for (cents* total : {&out.duty, &out.consumption_tax, &out.vat})
    if (*total < small_amount)
      *total = 0;
  auto total = within_limit(wide_cents{out.duty} + out.consumption_tax + out.vat,
                            "the declaration's total tax");
  if (!total)
    return total.error();
  out.total = *total;
  return out;
}

} // namespace hub::customs
