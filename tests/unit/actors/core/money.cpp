// Fixed-point money: amounts in cents, rates in ppm, half-up rounding (SR-08.1,
// customs-processing.md §9: "round each tax to 0.01 RMB", fixed-point arithmetic).

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "actors/core/error.hpp"
#include "actors/core/money.hpp"

using namespace hub;

TEST_CASE("SR-08.1 amounts parse exactly into cents", "[money]") {
  CHECK(parse_amount("1250").value() == 125000);
  CHECK(parse_amount("1250.5").value() == 125050);
  CHECK(parse_amount("1250.00").value() == 125000);
  CHECK(parse_amount("0.01").value() == 1);
  CHECK(parse_amount("0").value() == 0);
  CHECK(parse_amount("999999999999999.99").value() == 99999999999999999); // 15 integer digits
}

TEST_CASE("SR-08.1 malformed amounts fail with invalid_amount naming the text", "[money]") {
  for (auto bad : {"", "-1", "+1", "1e3", "1.234", "1.", ".5", "12a", " 1", "1,000.00",
                   "1000000000000000" /* 16 integer digits */}) {
    auto r = parse_amount(bad);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), ec::invalid_amount));
    CHECK(context_text(r.error()).find(std::string{"\""} + bad + "\"") != std::string::npos);
  }
}

TEST_CASE("SR-08.1 amounts format with two decimals", "[money]") {
  CHECK(format_amount(125000) == "1250.00");
  CHECK(format_amount(5) == "0.05");
  CHECK(format_amount(0) == "0.00");
  CHECK(format_amount(-1230) == "-12.30");
  CHECK(format_amount(std::numeric_limits<cents>::min()) == "-92233720368547758.08");
}

TEST_CASE("SR-08.1 rates round half-up to the cent", "[money]") {
  CHECK(apply_rate(1'000'000, 100'000).value() == 100'000); // 10000.00 x 10 % = 1000.00
  CHECK(apply_rate(15, 100'000).value() == 2);              // 0.15 x 10 % = 0.015 -> 0.02 (half up)
  CHECK(apply_rate(14, 100'000).value() == 1);              // 0.014 -> 0.01
  CHECK(apply_rate(5, 100'000).value() == 1);               // 0.005 -> 0.01
  CHECK(apply_rate(4, 100'000).value() == 0);               // 0.004 -> 0.00
  CHECK(apply_rate(-15, 100'000).value() == -2);            // halves round away from zero
  CHECK(apply_rate(1'294'118, 130'000).value() == 168'235); // 12941.18 x 13 % = 1682.3534 -> 1682.35
  // 128-bit intermediate: 10^17 cents x 13 % needs more than 64 bits before dividing.
  CHECK(apply_rate(100'000'000'000'000'000, 130'000).value() == 13'000'000'000'000'000);
  CHECK(apply_rate(123, 0).value() == 0);
  CHECK(apply_rate(123, one_ppm).value() == 123);
}

TEST_CASE("SR-08.1 the consumption tax base is grossed up", "[money]") {
  // 11000.00 / (1 - 15 %) = 12941.176... -> 12941.18
  CHECK(gross_up(1'100'000, 150'000).value() == 1'294'118);
  CHECK(gross_up(1'100'000, 0).value() == 1'100'000);
  // 100.00 / 0.9 = 111.111 -> 111.11; 0.01 / 0.9 = 0.0111 -> 0.01
  CHECK(gross_up(10'000, 100'000).value() == 11'111);
  CHECK(gross_up(1, 100'000).value() == 1);
  CHECK(gross_up(500, one_ppm).value() == 500); // precondition violated: left as is
}

TEST_CASE("SR-08.1 currency conversion uses the rate in millionths", "[money]") {
  CHECK(convert(10'000, 7'100'000).value() == 71'000); // USD 100.00 x 7.1 = CNY 710.00
  CHECK(convert(12'345, 47'500).value() == 586);       // JPY 123.45 x 0.0475 = 5.863875 -> 5.86
  CHECK(convert(100, 5'200).value() == 1);             // KRW 1.00 x 0.0052 = 0.0052 -> 0.01 (0.52 cents)
  CHECK(convert(99, 1'000'000).value() == 99);
}

TEST_CASE("SR-08.1 percentages from config become ppm", "[money]") {
  CHECK(percent_to_ppm(13.0).value() == 130'000);
  CHECK(percent_to_ppm(0.5).value() == 5'000);
  CHECK(percent_to_ppm(84.76).value() == 847'600);
  CHECK(percent_to_ppm(17.5).value() == 175'000);
  CHECK(percent_to_ppm(0).value() == 0);
  CHECK(percent_to_ppm(100).value() == one_ppm);
  CHECK(percent_to_ppm(12.3456).value() == 123'456);
  for (double bad :
       {-1.0, 100.5, 13.00001, std::nan(""), std::numeric_limits<double>::infinity()}) {
    INFO(bad);
    auto r = percent_to_ppm(bad);
    REQUIRE_FALSE(r);
    CHECK(is(r.error(), ec::invalid_config));
  }
}

TEST_CASE("SR-08.1 rates print as short percentages", "[money]") {
  CHECK(format_percent(130'000) == "13%");
  CHECK(format_percent(5'000) == "0.5%");
  CHECK(format_percent(847'600) == "84.76%");
  CHECK(format_percent(123'456) == "12.3456%");
  CHECK(format_percent(0) == "0%");
}
