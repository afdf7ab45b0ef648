// The self-assessment calculator (SR-08.1): duty, consumption tax and VAT compounding
// as customs-processing.md §9 says, integer cents, half-up per tax, the CNY 50
// small-amount rule per declaration, preferential rates only when claimed and held by
// the line, and trader-facing errors naming the item and field.

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/customs/tax.hpp"
#include "actors/customs/customs_errors.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

/// A small hand-made tariff so each number below can be checked by hand.
reference_data sample_ref() {
  reference_data ref;
  auto add = [&](std::string hs, std::string unit, ppm mfn, ppm vat, ppm ct,
                 std::map<std::string, ppm> pref = {}) {
    tariff_line l{hs, "test line " + hs, unit, mfn, vat, ct, std::move(pref)};
    ref.tariff.emplace(hs, std::move(l));
  };
  add("3304990000", "KGM", 100'000, 130'000, 150'000);                 // worked example rates
  add("0810100000", "KGM", 140'000, 90'000, 0, {{"RCEP", 100'000}});   // strawberries
  add("8471300000", "PCE", 0, 130'000, 0);                             // laptops
  add("2204210000", "LTR", 140'000, 130'000, 100'000, {{"CN-CL", 0}}); // wine
  ref.cny_micro = {{"CNY", 1'000'000}, {"USD", 7'100'000}, {"EUR", 7'750'000}};
  return ref;
}

tax_item item(std::string hs, cents value, std::string currency, double qty, std::string unit,
              std::string claim = {}, std::string origin = "DE") {
  return tax_item{std::move(hs),    value, std::move(currency), std::move(origin),
                  std::move(claim), qty,   std::move(unit)};
}

template <class E>
std::string error_of(const caf::expected<assessment>& r, E code) {
  REQUIRE_FALSE(r);
  CHECK(is_code(r.error(), code));
  return context_text(r.error());
}

} // namespace

TEST_CASE("SR-08.1 duty, consumption tax and VAT compound as the rules say (worked example)",
          "[tax]") {
  auto ref = sample_ref();
  auto a = assess(ref, {item("3304990000", 1'000'000, "CNY", 50, "KGM")}, true);
  REQUIRE(a);
  // value 10000.00; duty 10 % = 1000.00
  // CT base (10000.00 + 1000.00) / (1 - 15 %) = 12941.176 -> 12941.18; CT = 1941.18
  // VAT 13 % of 12941.18 = 1682.3534 -> 1682.35; total 1000.00 + 1941.18 + 1682.35 = 4623.53
  REQUIRE(a->items.size() == 1);
  CHECK(a->items[0].value_cny == 1'000'000);
  CHECK(a->items[0].duty_rate == 100'000);
  CHECK(a->items[0].duty == 100'000);
  CHECK(a->items[0].consumption_tax == 194'118);
  CHECK(a->items[0].vat == 168'235);
  CHECK(a->value_cny == 1'000'000);
  CHECK(a->duty == 100'000);
  CHECK(a->consumption_tax == 194'118);
  CHECK(a->vat == 168'235);
  CHECK(a->total == 462'353);
  CHECK(format_amount(a->total) == "4623.53");
}

TEST_CASE("SR-08.1 goods without consumption tax: duty then VAT on value plus duty", "[tax]") {
  auto ref = sample_ref();
  auto a = assess(ref, {item("0810100000", 200'000, "CNY", 100, "KGM")}, true);
  REQUIRE(a);
  // 2000.00 x 14 % = 280.00; VAT 9 % of 2280.00 = 205.20; total 485.20
  CHECK(a->duty == 28'000);
  CHECK(a->consumption_tax == 0);
  CHECK(a->vat == 20'520);
  CHECK(a->total == 48'520);
  CHECK_FALSE(a->items[0].preferential);
}

TEST_CASE("SR-08.1 foreign values are converted to CNY before taxing", "[tax]") {
  auto ref = sample_ref();
  auto a = assess(
      ref,
      {item("8471300000", 100'000, "USD", 1, "PCE"), item("2204210000", 33'333, "EUR", 12, "LTR")},
      true);
  REQUIRE(a);
  // laptop: USD 1000.00 x 7.1 = 7100.00; duty 0; VAT 13 % = 923.00
  CHECK(a->items[0].value_cny == 710'000);
  CHECK(a->items[0].duty == 0);
  CHECK(a->items[0].vat == 92'300);
  // wine: EUR 333.33 x 7.75 = 2583.3075 -> 2583.31; duty 14 % = 361.6634 -> 361.66
  // CT: (2583.31 + 361.66) / 0.9 = 3272.1889 -> 3272.19, CT = 3272.19 - 2944.97 = 327.22
  // VAT 13 % of 3272.19 = 425.3847 -> 425.38
  CHECK(a->items[1].value_cny == 258'331);
  CHECK(a->items[1].duty == 36'166);
  CHECK(a->items[1].consumption_tax == 32'722);
  CHECK(a->items[1].vat == 42'538);
  // declaration: value 9683.31, duty 361.66, CT 327.22, VAT 923.00 + 425.38 = 1348.38
  CHECK(a->value_cny == 968'331);
  CHECK(a->duty == 36'166);
  CHECK(a->consumption_tax == 32'722);
  CHECK(a->vat == 134'838);
  CHECK(a->total == 36'166 + 32'722 + 134'838); // 2033.26
}

TEST_CASE("SR-08.1 a tax type below CNY 50 per declaration is not collected", "[tax]") {
  auto ref = sample_ref();
  SECTION("one small item: duty and VAT both under 50") {
    auto a = assess(ref, {item("0810100000", 30'000, "CNY", 10, "KGM")}, true);
    REQUIRE(a);
    // 300.00 x 14 % = 42.00 (< 50); VAT 9 % of 342.00 = 30.78 (< 50): nothing collected
    CHECK(a->items[0].duty == 4'200);
    CHECK(a->items[0].vat == 3'078);
    CHECK(a->duty == 0);
    CHECK(a->vat == 0);
    CHECK(a->total == 0);
  }
  SECTION("the rule applies to the declaration's total per tax type, not per item") {
    auto a = assess(ref,
                    {item("0810100000", 30'000, "CNY", 10, "KGM"),
                     item("0810100000", 30'000, "CNY", 10, "KGM")},
                    true);
    REQUIRE(a);
    // duty 42.00 + 42.00 = 84.00 (collected); VAT 30.78 + 30.78 = 61.56 (collected)
    CHECK(a->duty == 8'400);
    CHECK(a->vat == 6'156);
    CHECK(a->total == 14'556);
  }
  SECTION("exactly CNY 50.00 is collected") {
    // 357.15 x 14 % = 50.001 -> 50.00; VAT 9 % of 407.15 = 36.6435 -> 36.64 (not collected)
    auto a = assess(ref, {item("0810100000", 35'715, "CNY", 10, "KGM")}, true);
    REQUIRE(a);
    CHECK(a->duty == 5'000);
    CHECK(a->vat == 0);
    CHECK(a->total == 5'000);
  }
}

TEST_CASE("SR-08.1 a preferential rate applies only when claimed and held by the line", "[tax]") {
  auto ref = sample_ref();
  auto a = assess(ref,
                  {item("0810100000", 200'000, "CNY", 100, "KGM", "RCEP", "VN"),
                   item("0810100000", 200'000, "CNY", 100, "KGM", "CN-AU", "AU"),
                   item("2204210000", 100'000, "CNY", 10, "LTR", "CN-CL", "CL")},
                  true);
  REQUIRE(a);
  // RCEP 10 %: duty 200.00, VAT 9 % of 2200.00 = 198.00
  CHECK(a->items[0].preferential);
  CHECK(a->items[0].duty_rate == 100'000);
  CHECK(a->items[0].duty == 20'000);
  CHECK(a->items[0].vat == 19'800);
  // CN-AU is not a rate of this line: MFN 14 %, not marked preferential
  CHECK_FALSE(a->items[1].preferential);
  CHECK(a->items[1].duty_rate == 140'000);
  CHECK(a->items[1].duty == 28'000);
  // CN-CL 0 % on wine: duty 0, CT 1000.00 / 0.9 = 1111.11 -> CT 111.11, VAT 13 % of 1111.11 =
  // 144.44
  CHECK(a->items[2].preferential);
  CHECK(a->items[2].duty == 0);
  CHECK(a->items[2].consumption_tax == 11'111);
  CHECK(a->items[2].vat == 14'444);
}

TEST_CASE("SR-08.1 exports are assessed at zero but still checked", "[tax]") {
  auto ref = sample_ref();
  auto a = assess(ref, {item("3304990000", 1'000'000, "USD", 50, "KGM")}, false);
  REQUIRE(a);
  CHECK(a->value_cny == 7'100'000);
  CHECK(a->items[0].duty == 0);
  CHECK(a->items[0].consumption_tax == 0);
  CHECK(a->items[0].vat == 0);
  CHECK(a->total == 0);
  error_of(assess(ref, {item("3304990001", 100, "CNY", 1, "KGM")}, false), errc::unknown_hs_code);
  error_of(assess(ref, {item("3304990000", 100, "CNY", 1, "PCE")}, false), errc::unit_mismatch);
}

TEST_CASE("SR-17.2 assessment errors name the item and the field", "[tax]") {
  auto ref = sample_ref();
  auto ok = item("8471300000", 100'000, "USD", 1, "PCE");
  SECTION("unknown HS code") {
    auto msg = error_of(assess(ref, {ok, item("8471300001", 100, "CNY", 1, "PCE")}, true),
                        errc::unknown_hs_code);
    CHECK(msg.find("items[1].hs \"8471300001\" is not a line of the customs tariff")
          != std::string::npos);
  }
  SECTION("unit mismatch") {
    auto msg = error_of(assess(ref, {ok, ok, item("8471300000", 100, "CNY", 1, "KGM")}, true),
                        errc::unit_mismatch);
    CHECK(msg.find("items[2].unit \"KGM\" is not the tariff unit \"PCE\" of HS 8471300000")
          != std::string::npos);
  }
  SECTION("unknown currency") {
    auto msg = error_of(assess(ref, {item("8471300000", 100, "XYZ", 1, "PCE")}, true),
                        ec::unknown_currency);
    CHECK(msg.find("items[0].currency") != std::string::npos);
    CHECK(msg.find("\"XYZ\"") != std::string::npos);
    CHECK(msg.find("USD") != std::string::npos); // lists the currencies that do have rates
  }
  SECTION("bad amounts") {
    auto msg =
        error_of(assess(ref, {item("8471300000", 0, "CNY", 1, "PCE")}, true), ec::invalid_amount);
    CHECK(msg.find("items[0].value") != std::string::npos);
    msg = error_of(assess(ref, {ok, item("8471300000", -500, "CNY", 1, "PCE")}, true),
                   ec::invalid_amount);
    CHECK(msg.find("items[1].value -5.00 must be a positive amount") != std::string::npos);
  }
  SECTION("bad quantity") {
    auto msg = error_of(assess(ref, {item("8471300000", 100, "CNY", 0, "PCE")}, true),
                        ec::invalid_quantity);
    CHECK(msg.find("items[0].quantity must be a positive number of PCE") != std::string::npos);
  }
}

TEST_CASE("SR-08.1 the shipped sample tariff taxes a worked declaration", "[tax]") {
  auto ref = load_reference_data(std::string{SWHUB_SOURCE_DIR} + "/config/reference");
  REQUIRE(ref);
  auto a = assess(*ref,
                  {item("0810100000", 200'000, "CNY", 100, "KGM"),
                   item("3304990000", 100'000, "USD", 2, "KGM")},
                  true);
  REQUIRE(a);
  // strawberries (MFN 14 %, VAT 9 %): duty 280.00, VAT 205.20
  CHECK(a->items[0].duty == 28'000);
  CHECK(a->items[0].vat == 20'520);
  // cosmetics: USD 1000.00 x 7.1 = 7100.00; duty 1 % = 71.00;
  // CT (7100.00 + 71.00) / 0.85 = 8436.47 -> CT 1265.47; VAT 13 % of 8436.47 = 1096.7411 -> 1096.74
  CHECK(a->items[1].duty == 7'100);
  CHECK(a->items[1].consumption_tax == 126'547);
  CHECK(a->items[1].vat == 109'674);
  CHECK(a->total == 28'000 + 7'100 + 126'547 + 20'520 + 109'674);
}
