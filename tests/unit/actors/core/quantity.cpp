// Fixed-point quantities (issue 16): 1/100000 units, limits at one below, at and above,
// exact sums however many draws and returns.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "actors/core/error.hpp"
#include "actors/core/quantity.hpp"

using namespace hub;

TEST_CASE("quantities convert to 1/100000 units with their limits", "[quantity][limits]") {
  CHECK(to_units(1, "q").value() == 100'000);
  CHECK(to_units(0.1, "q").value() == 10'000);
  CHECK(to_units(12.34567, "q").value() == 1'234'567);
  CHECK(to_units(0.00001, "q").value() == 1);
  CHECK(to_units(0.000005, "q").value() == 1);       // rounds to the nearest 0.00001
  CHECK(to_units(9999999999999.0, "q").value() == 999'999'999'999'900'000);
  CHECK(to_units(9999999999999.99999, "q").value() <= max_units); // at the limit (nearest double)
  for (double bad : {0.0, -1.0, 0.000004, 10000000000000.0, 1e300,
                     std::numeric_limits<double>::infinity(), std::nan("")}) {
    INFO(bad);
    auto q = to_units(bad, "items[0].quantity");
    REQUIRE_FALSE(q);
    CHECK(is(q.error(), ec::invalid_quantity));
    CHECK(context_text(q.error()).rfind("items[0].quantity: ", 0) == 0);
  }
}

TEST_CASE("quantities print exactly", "[quantity]") {
  CHECK(format_units(100'000) == "1");
  CHECK(format_units(150'000) == "1.5");
  CHECK(format_units(1) == "0.00001");
  CHECK(format_units(-250'000) == "-2.5");
  CHECK(format_units(max_units) == "9999999999999.99999");
}

TEST_CASE("a quantity sum is exact over a million draws and beyond the limit",
          "[quantity][limits]") {
  units_sum s;
  auto tenth = to_units(0.1, "q").value();
  for (int i = 0; i < 1'000'000; ++i)
    s += tenth;
  CHECK(s.total("sum").value() == 100'000 * units_per_one); // exactly 100,000 units
  for (int i = 0; i < 1'000'000; ++i)
    s -= tenth;
  CHECK(s.total("sum").value() == 0);
  units_sum big;
  big += max_units;
  CHECK(big.total("drawn").value() == max_units);
  big += 1;
  auto t = big.total("drawn");
  REQUIRE_FALSE(t);
  CHECK(is(t.error(), ec::invalid_quantity));
  CHECK(big.text() == "10000000000000");
  CHECK(big.compare(max_units) == 1);
}

TEST_CASE("quantities stored as doubles before issue 16 convert safely", "[quantity]") {
  CHECK(units_from_stored(10.0) == 1'000'000);
  CHECK(units_from_stored(1.000004) == 100'000); // rounded like to_units
  CHECK(units_from_stored(0.0) == 0);
  CHECK(units_from_stored(-3.0) == 0);
  CHECK(units_from_stored(std::nan("")) == 0);
  CHECK(units_from_stored(1e300) == max_units); // llround would overflow here
}
