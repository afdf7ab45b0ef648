// Retail import tax of an inventory list (SR-15.2, ecommerce.md §7): the figures are
// the worked examples of §7 and hand computations, exact to the fen.

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include "actors/ecommerce/ecommerce_config.hpp"
#include "actors/ecommerce/retail_tax.hpp"

using namespace hub::ecommerce;

namespace {

struct line {
  const char* gcode;
  int64_t qty, total; // 1e-5 units
  const char* unit1 = "007";
  int64_t qty1 = 100000;
};

ecommerce_config config() {
  auto cfg = parse_ecommerce_config(R"(
[tax]
vat = "13"
[[tax.line]]
prefix = "3304"
vat = "13"
consumption = "15"
duty = "5"
consumption-threshold = { "011" = "15" }
[[tax.line]]
prefix = "2106"
vat = "13"
duty = "15"
)",
                                    "test.toml", ".");
  REQUIRE(cfg);
  return *cfg;
}

retail_tax_result tax_of(const std::vector<line>& lines, int64_t freight, bool full) {
  capnp::MallocMessageBuilder mb;
  auto inv = mb.initRoot<swhub::ceb::Inventory>();
  auto h = inv.initHead();
  h.setFreight(freight);
  h.setInsuredFee(0);
  auto ls = inv.initLines(static_cast<unsigned>(lines.size()));
  for (unsigned i = 0; i < lines.size(); ++i) {
    ls[i].setGnum(i + 1);
    ls[i].setGcode(lines[i].gcode);
    ls[i].setQty(lines[i].qty);
    ls[i].setTotalPrice(lines[i].total);
    ls[i].setUnit1(lines[i].unit1);
    ls[i].setQty1(lines[i].qty1);
  }
  auto cfg = config();
  auto r = retail_tax(inv.asReader(), cfg, full);
  REQUIRE(r);
  return *r;
}

constexpr int64_t yuan_units = 100000;

} // namespace

TEST_CASE("SR-15.2 a CNY 300 supplement pays 9.1 % (VAT 13 % at 70 %): CNY 27.30", "[ecommerce][tax]") {
  auto r = tax_of({{"2106909090", yuan_units, 300 * yuan_units}}, 0, false);
  CHECK(r.value == 300 * yuan_units);
  CHECK(yuan(r.tax) == "27.30");
  CHECK_FALSE(r.full_rates);
}

TEST_CASE("SR-15.2 CNY 425 of cosmetics (CT 15 %) pays 23.06 %: CNY 98.00", "[ecommerce][tax]") {
  // (0.15 + 0.13) / (1 - 0.15) x 0.7 = 0.230588...; 425 x that = 98.00
  auto r = tax_of({{"3304990000", yuan_units, 425 * yuan_units, "011", yuan_units}}, 0, false);
  CHECK(yuan(r.tax) == "98.00");
  CHECK(r.lines.at(0).consumption);
}

TEST_CASE("SR-15.2 cosmetics below CNY 15 per piece pay no consumption tax", "[ecommerce][tax]") {
  // 10 pieces for CNY 140: CNY 14 a piece, below the threshold: VAT only, 9.1 % of 140
  auto below = tax_of({{"3304990000", 10 * yuan_units, 140 * yuan_units, "011", 10 * yuan_units}}, 0, false);
  CHECK_FALSE(below.lines.at(0).consumption);
  CHECK(yuan(below.tax) == "12.74");
  // at the threshold (CNY 15 a piece) the consumption tax applies
  auto at = tax_of({{"3304990000", 10 * yuan_units, 150 * yuan_units, "011", 10 * yuan_units}}, 0, false);
  CHECK(at.lines.at(0).consumption);
  CHECK(yuan(at.tax) == "34.59"); // 150 x 0.230588 = 34.588
}

TEST_CASE("SR-15.2 freight is part of the taxable value, shared over the lines", "[ecommerce][tax]") {
  // goods 200 + 100 (supplements), freight 30: value 330, tax 330 x 9.1 % = 30.03
  auto r = tax_of({{"2106909090", yuan_units, 200 * yuan_units}, {"2106909090", yuan_units, 100 * yuan_units}},
                  30 * yuan_units, false);
  CHECK(r.goods == 300 * yuan_units);
  CHECK(r.value == 330 * yuan_units);
  CHECK(r.lines.at(0).value == 220 * yuan_units);
  CHECK(r.lines.at(1).value == 110 * yuan_units);
  CHECK(yuan(r.tax) == "30.03");
}

TEST_CASE("SR-15.2 above the single limit: full duty, CT and VAT", "[ecommerce][tax]") {
  // CNY 6000 of cosmetics, duty 5 %, CT 15 %, VAT 13 %:
  // duty 300; CT + VAT = 6300 x 0.28 / 0.85 = 2075.29...; total 2375.29
  auto r = tax_of({{"3304990000", yuan_units, 6000 * yuan_units, "011", yuan_units}}, 0, true);
  CHECK(r.full_rates);
  CHECK(yuan(r.tax) == "2375.29");
}

TEST_CASE("SR-15.2 a zero-value gift line pays nothing and breaks nothing", "[ecommerce][tax]") {
  auto r = tax_of({{"2106909090", yuan_units, 0}}, 0, false);
  CHECK(r.tax == 0);
}
