// Issue 16: no amount can wrap. 7 items at the largest value each once wrapped the
// declaration's int64 total and released goods tax-free. Every amount the hub keeps is
// within ±max_amount (CNY 999,999,999,999,999.99) or the declaration is refused with
// invalid_amount naming the amount; tests at one below, at and one above each limit,
// 1 and 50 items, every currency path, and random item sets against an exact reference.

#include <catch2/catch.hpp>

#include <random>

#include "actors/core/error.hpp"
#include "actors/customs/tax.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

using wide = wide_cents;

constexpr const char* laptop = "8471300000";  // 0 % duty, 13 % VAT
constexpr const char* tobacco = "2403110000"; // high duty and consumption tax
constexpr const char* steep = "9999000000";   // 100 % duty, 90 % CT: tax ~21.6 x value

reference_data limit_ref() {
  reference_data ref;
  auto add = [&](std::string hs, std::string unit, ppm mfn, ppm vat, ppm ct) {
    ref.tariff.emplace(hs, tariff_line{hs, "line " + hs, unit, mfn, vat, ct, {}});
  };
  add(laptop, "PCE", 0, 130'000, 0);
  add(tobacco, "KGM", 570'000, 130'000, 560'000);
  add(steep, "KGM", 1'000'000, 130'000, 900'000);
  // Every currency path: at par, stronger than CNY, weaker by two and four digits.
  ref.cny_micro = {{"CNY", 1'000'000}, {"GBP", 9'050'000}, {"JPY", 47'500}, {"KRW", 5'200}};
  return ref;
}

tax_item item(const std::string& hs, cents value, const std::string& currency = "CNY") {
  std::string unit = hs == laptop ? "PCE" : "KGM";
  return tax_item{hs, value, currency, "DE", "", 1.0, unit};
}

std::string refused(const caf::expected<assessment>& r) {
  REQUIRE_FALSE(r);
  CHECK(is(r.error(), ec::invalid_amount));
  return context_text(r.error());
}

/// round half away from zero of num / den (den > 0), written apart from money.cpp.
wide rhu(wide num, wide den) {
  wide q = (num < 0 ? -num : num) * 2 + den;
  q /= 2 * den;
  return num < 0 ? -q : q;
}

/// The exact assessment in 128 bits: per item and in total, nothing checked.
struct exact {
  wide value = 0, duty = 0, ct = 0, vat = 0;
  bool item_beyond = false;
};

exact reference(const reference_data& ref, const std::vector<tax_item>& items) {
  exact e;
  auto beyond = [](wide v) { return v > max_amount || v < -max_amount; };
  for (auto& it : items) {
    auto& line = ref.tariff.at(it.hs);
    wide v = rhu(wide{it.value} * ref.cny_micro.at(it.currency), 1'000'000);
    wide d = rhu(v * line.mfn_duty, 1'000'000);
    wide base = v + d;
    wide c = line.consumption_tax > 0 ? rhu(base * 1'000'000, 1'000'000 - line.consumption_tax) - base : 0;
    wide t = rhu((base + c) * line.vat, 1'000'000);
    e.item_beyond = e.item_beyond || beyond(v) || beyond(d) || beyond(base) || beyond(base + c)
                    || beyond(t) || beyond(d + c + t);
    e.value += v;
    e.duty += d;
    e.ct += c;
    e.vat += t;
  }
  return e;
}

} // namespace

TEST_CASE("SR-08.1 amounts at one below, at and one above the limit", "[money][limits]") {
  CHECK(within_limit(max_amount - 1, "x").value() == max_amount - 1);
  CHECK(within_limit(max_amount, "x").value() == max_amount);
  CHECK(within_limit(-max_amount, "x").value() == -max_amount);
  auto above = within_limit(wide{max_amount} + 1, "the total");
  REQUIRE_FALSE(above);
  CHECK(is(above.error(), ec::invalid_amount));
  CHECK(context_text(above.error())
        == "the total CNY 1000000000000000.00 is beyond the limit of CNY 999999999999999.99 "
           "(split the goods over several declarations)");
  CHECK_FALSE(within_limit(-wide{max_amount} - 1, "x"));
  // Far beyond int64: the message still names the exact value.
  CHECK(format_wide_amount(wide{max_amount} * 7) == "6999999999999999.93");
  CHECK(format_wide_amount(wide{INT64_MAX} * 4) == "368934881474191032.28");
}

TEST_CASE("SR-08.1 a sum of amounts is exact in any number and order", "[money][limits]") {
  amount_sum s;
  for (int i = 0; i < 7; ++i)
    s += max_amount;
  CHECK(s.exact() == wide{max_amount} * 7);
  CHECK_FALSE(s.total("sum"));
  for (int i = 0; i < 6; ++i)
    s -= max_amount;
  CHECK(s.total("sum").value() == max_amount);
}

TEST_CASE("SR-08.1 rate products beyond the limit fail instead of wrapping", "[money][limits]") {
  CHECK(convert(max_amount, 1'000'000).value() == max_amount); // CNY at par: at the limit
  CHECK(convert(max_amount, 47'500).value() == 4'750'000'000'000'000); // 4749999999999999.9525
  CHECK_FALSE(convert(max_amount, 9'050'000)); // GBP 999,999,999,999,999.99: CNY 9e15
  CHECK_FALSE(convert(max_amount, 1'000'001));
  CHECK(gross_up(max_amount / 10, 900'000).value() == max_amount - 9); // /0.1: ~the limit
  CHECK_FALSE(gross_up(max_amount / 10 + 1, 900'000));
  CHECK(apply_rate(max_amount, one_ppm).value() == max_amount);
  CHECK_FALSE(apply_rate(max_amount, one_ppm + 1));
}

TEST_CASE("SR-08.1 issue 16: 7 tobacco items at the largest GBP value are refused, not "
          "released tax-free",
          "[tax][limits]") {
  auto ref = limit_ref();
  std::vector<tax_item> items(7, item(tobacco, max_amount, "GBP"));
  auto msg = refused(assess(ref, items, true));
  CHECK(msg.find("items[0].value GBP 999999999999999.99") == 0);
  CHECK(msg.find("the converted value CNY 9049999999999999.91 is beyond the limit") != std::string::npos);
}

TEST_CASE("SR-08.1 the declaration's total value at one below, at and one above the limit",
          "[tax][limits]") {
  auto ref = limit_ref();
  SECTION("1 item at the limit") {
    auto a = assess(ref, {item(laptop, max_amount)}, true);
    REQUIRE(a);
    CHECK(a->value_cny == max_amount);
    CHECK(a->vat == 12'999'999'999'999'999 + 1); // 13 %, half up
  }
  SECTION("2 items summing to one below, at and one above") {
    CHECK(assess(ref, {item(laptop, max_amount - 2), item(laptop, 1)}, true)->value_cny == max_amount - 1);
    CHECK(assess(ref, {item(laptop, max_amount - 1), item(laptop, 1)}, true)->value_cny == max_amount);
    auto msg = refused(assess(ref, {item(laptop, max_amount - 1), item(laptop, 2)}, true));
    CHECK(msg.find("the declaration's total customs value CNY 1000000000000000.00 is beyond") == 0);
  }
  SECTION("50 items, each well inside, together beyond") {
    std::vector<tax_item> items(50, item(laptop, max_amount / 40));
    auto msg = refused(assess(ref, items, true));
    CHECK(msg.find("the declaration's total customs value CNY 1249999999999999.50") == 0);
    items.resize(40);
    CHECK(assess(ref, items, true)->value_cny == max_amount / 40 * 40);
  }
  SECTION("exports: values are summed and checked too") {
    auto msg = refused(assess(ref, {item(laptop, max_amount), item(laptop, 1)}, false));
    CHECK(msg.find("the declaration's total customs value") == 0);
  }
}

TEST_CASE("SR-08.1 taxes beyond the limit are refused per item and per declaration",
          "[tax][limits]") {
  auto ref = limit_ref();
  // steep: base 2v, CT base 20v, CT 18v, VAT 2.6v: the item's tax is ~21.6 x value.
  auto msg = refused(assess(ref, {item(steep, max_amount / 10)}, true));
  CHECK(msg.find("items[0]: ") == 0);
  CHECK(msg.find("beyond the limit") != std::string::npos);
  // Each item's taxes fit; two together do not: the total CT is named.
  auto each = max_amount / 25; // CT 18/25 of the limit each
  REQUIRE(assess(ref, {item(steep, each)}, true));
  msg = refused(assess(ref, {item(steep, each), item(steep, each)}, true));
  CHECK(msg.find("the declaration's total consumption tax CNY") == 0);
  // The three taxes of one declaration together: 5 items whose CT, VAT and duty each
  // fit but whose sum does not.
  auto v = max_amount / 22 / 5;
  std::vector<tax_item> five(5, item(steep, v));
  auto r = assess(ref, five, true);
  auto e = reference(ref, five);
  if (e.duty + e.ct + e.vat > max_amount)
    CHECK(refused(r).find("the declaration's total tax CNY") == 0);
  else
    CHECK(r);
}

TEST_CASE("SR-08.1 every currency path at the limit", "[tax][limits]") {
  auto ref = limit_ref();
  // Weaker currencies at the largest value parse_amount allows convert within the limit.
  for (auto* cur : {"JPY", "KRW"}) {
    INFO(cur);
    auto a = assess(ref, {item(laptop, max_amount, cur)}, true);
    REQUIRE(a);
    CHECK(a->value_cny == static_cast<cents>(reference(ref, {item(laptop, max_amount, cur)}).value));
  }
  // GBP: the largest value whose conversion is at the limit, and one cent more.
  cents at = static_cast<cents>(wide{max_amount} * 1'000'000 / 9'050'000);
  while (convert(at + 1, 9'050'000))
    ++at;
  REQUIRE(convert(at, 9'050'000));
  CHECK(assess(ref, {item(laptop, at, "GBP")}, true));
  refused(assess(ref, {item(laptop, at + 1, "GBP")}, true));
}

TEST_CASE("SR-08.1 random item sets: the totals equal an exact 128-bit reference or the "
          "declaration is refused",
          "[tax][limits][property]") {
  auto ref = limit_ref();
  std::mt19937_64 rng{20261207};
  const char* lines[] = {laptop, tobacco, steep};
  const char* currencies[] = {"CNY", "GBP", "JPY", "KRW"};
  int accepted = 0, refusals = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<tax_item> items(1 + rng() % 50);
    for (auto& it : items) {
      // Magnitudes from 1 cent to the limit, log-uniform, so sums near the limit occur.
      int digits = static_cast<int>(rng() % 18);
      cents v = 1;
      for (int d = 0; d < digits; ++d)
        v *= 10;
      v = std::min<cents>(max_amount, v + static_cast<cents>(rng() % static_cast<uint64_t>(v)));
      it = item(lines[rng() % 3], v, currencies[rng() % 4]);
    }
    INFO("round " << round << ", " << items.size() << " items");
    auto e = reference(ref, items);
    auto a = assess(ref, items, true);
    auto beyond = [](wide x) { return x > max_amount; };
    bool must_refuse = e.item_beyond || beyond(e.value) || beyond(e.duty) || beyond(e.ct) || beyond(e.vat);
    auto small = [](wide x) { return x < 5000 ? wide{0} : x; };
    wide total = small(e.duty) + small(e.ct) + small(e.vat);
    must_refuse = must_refuse || beyond(total);
    if (must_refuse) {
      REQUIRE_FALSE(a);
      CHECK(is(a.error(), ec::invalid_amount));
      ++refusals;
      continue;
    }
    REQUIRE(a);
    CHECK(wide{a->value_cny} == e.value);
    CHECK(wide{a->duty} == small(e.duty));
    CHECK(wide{a->consumption_tax} == small(e.ct));
    CHECK(wide{a->vat} == small(e.vat));
    CHECK(wide{a->total} == total);
    ++accepted;
  }
  // Both outcomes must have been exercised for the property to mean anything.
  CHECK(accepted > 300);
  CHECK(refusals > 300);
}
