// What a voluntary disclosure earns (SR-14.3, GACC Announcement 2025 No. 194 as
// shipped): waived within a year of the error; within two years if the underpaid tax
// is below 30 % of the tax payable or below CNY 1,000,000; lighter after; nothing when
// customs knew first. One below, at and one above each limit.

#include <catch2/catch.hpp>

#include "actors/customs/disclosure_terms.hpp"

using namespace hub;
using namespace hub::customs;

namespace {
constexpr int64_t day = 86400LL * 1000;
constexpr cents million = 100000000; // CNY 1,000,000.00
} // namespace

TEST_CASE("SR-14.3 a disclosure within the penalty-free time waives the penalty, one day later it depends "
          "on the amount", "[disclosure]") {
  disclosure_config cfg;
  auto big = 5 * million, payable = 10 * million; // 50 % of the payable, above the amount
  CHECK(terms_of(cfg, 364 * day, big, payable, "").penalty_waived);
  CHECK(terms_of(cfg, 365 * day, big, payable, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 365 * day + 1, big, payable, "").penalty_waived);
  CHECK_THAT(terms_of(cfg, 366 * day, big, payable, "").text, Catch::Contains("penalty lighter"));
  // Small by amount: within two years.
  CHECK(terms_of(cfg, 700 * day, million - 1, payable, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 700 * day, million, 2 * million, "").penalty_waived); // 50 %, at the amount
  CHECK(terms_of(cfg, 730 * day, 1, 100, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 730 * day + 1, 1, 100, "").penalty_waived);
}

TEST_CASE("SR-14.3 a small share of the tax payable: below 30 percent waived, at 30 percent not", "[disclosure]") {
  disclosure_config cfg;
  cfg.small_amount = 0; // the share alone decides
  CHECK(terms_of(cfg, 400 * day, 29 * million, 100 * million, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 400 * day, 30 * million, 100 * million, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 400 * day, 31 * million, 100 * million, "").penalty_waived);
  // At the largest amounts the share is computed without overflow.
  cents huge = 99999999999999999; // CNY 999,999,999,999,999.99
  CHECK(terms_of(cfg, 400 * day, huge / 4, huge, "").penalty_waived);
  CHECK_FALSE(terms_of(cfg, 400 * day, huge / 2, huge, "").penalty_waived);
}

TEST_CASE("SR-14.3 when customs knew first it is not a voluntary disclosure", "[disclosure]") {
  disclosure_config cfg;
  auto t = terms_of(cfg, 1 * day, 100, 1000, "the post-release review by A found it first");
  CHECK_FALSE(t.voluntary);
  CHECK_FALSE(t.penalty_waived);
  CHECK_THAT(t.text, Catch::Contains("found it first"));
  CHECK(terms_of(cfg, 1 * day, 100, 1000, "").voluntary);
}
