#include "actors/ecommerce/retail_tax.hpp"

#include "actors/core/error.hpp"
#include "actors/core/fixed_point.hpp"

namespace hub::ecommerce {

namespace {

constexpr wide_int million = 1'000'000;

/// n / d rounded half up (n >= 0, d > 0).
wide_int div_round(wide_int n, wide_int d) {
  return (n + d / 2) / d;
}

std::string text(capnp::Text::Reader t) {
  return std::string{t.cStr(), t.size()};
}

} // namespace

std::string yuan(units u) {
  return format_fixed(div_round(u, 1000), 2);
}

caf::expected<retail_tax_result> retail_tax(swhub::ceb::Inventory::Reader inv,
                                            const ecommerce_config& cfg, bool full_rates) {
  retail_tax_result r;
  r.full_rates = full_rates;
  auto head = inv.getHead();
  wide_int goods = 0;
  for (auto l : inv.getLines()) {
    if (l.getTotalPrice() < 0)
      return caf::make_error(ec::invalid_amount, "InventoryList[gnum " + std::to_string(l.getGnum())
                                                   + "]/totalPrice is negative");
    goods += l.getTotalPrice();
  }
  if (head.getFreight() < 0 || head.getInsuredFee() < 0)
    return caf::make_error(ec::invalid_amount, "InventoryHead/freight or insuredFee is negative");
  wide_int value = goods + head.getFreight() + head.getInsuredFee();
  constexpr wide_int limit = wide_int{1'000'000'000'000} * units_per_yuan; // CNY 10^12
  if (value > limit)
    return caf::make_error(ec::invalid_amount, "inventory value is beyond CNY 10^12");
  r.goods = static_cast<units>(goods);
  r.value = static_cast<units>(value);
  wide_int total = 0;
  for (auto l : inv.getLines()) {
    line_tax lt;
    lt.gnum = l.getGnum();
    // The line's share of freight and insurance, in proportion to its total.
    wide_int v = goods == 0 ? 0 : wide_int{l.getTotalPrice()} * value / goods;
    lt.value = static_cast<units>(v);
    auto& rates = cfg.rates_for(text(l.getGcode()));
    wide_int ct = rates.consumption_ppm;
    auto th = rates.consumption_threshold.find(text(l.getUnit1()));
    if (ct > 0 && th != rates.consumption_threshold.end() && l.getQty1() > 0) {
      // value per first statutory unit: totalPrice / qty1 (both 1e-5 scaled)
      wide_int per_unit = wide_int{l.getTotalPrice()} * units_per_yuan / l.getQty1();
      if (per_unit < th->second)
        ct = 0;
    }
    lt.consumption = ct > 0;
    wide_int vat = rates.vat_ppm;
    wide_int tax;
    if (full_rates) {
      wide_int duty_v = div_round(v * rates.duty_ppm, million);
      tax = duty_v + div_round((v + duty_v) * (ct + vat), million - ct);
    } else {
      tax = div_round(v * (ct + vat) * cfg.reduced_ppm, (million - ct) * million);
    }
    lt.tax = static_cast<units>(tax);
    total += tax;
    r.lines.push_back(lt);
  }
  r.tax = static_cast<units>(div_round(total, 1000) * 1000); // to 0.01 CNY
  return r;
}

} // namespace hub::ecommerce
