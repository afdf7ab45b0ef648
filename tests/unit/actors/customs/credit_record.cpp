// The credit record (SR-14.1): the tier valid at a time from a history of changes,
// changes kept in order of their date, customs.toml as the start, and the stored JSON
// read back exactly (and refused when damaged, never guessed).

#include <catch2/catch.hpp>

#include "actors/customs/credit_record.hpp"
#include "actors/customs/customs_config.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

credit_change change(int64_t from, tier to, const std::string& cause = "decision") {
  credit_change c;
  c.from = from;
  c.to = to;
  c.cause = cause;
  c.by = "CRD-2200";
  c.reason = "reason at " + std::to_string(from);
  c.document = "00ff";
  c.decided_at = from - 5;
  return c;
}

} // namespace

TEST_CASE("SR-14.1 the tier at a time is the last change at or before it, general credit before any",
          "[credit]") {
  credit_record r;
  r.enterprise = "GOOD-ENT";
  CHECK(r.tier_at(1000) == tier::general_credit);
  r.add(change(1000, tier::advanced_certified));
  r.add(change(3000, tier::discredited));
  r.add(change(2000, tier::general_credit)); // added later, dated between: kept in date order
  REQUIRE(r.history.size() == 3);
  CHECK(r.history[1].from == 2000);
  CHECK(r.tier_at(999) == tier::general_credit);
  CHECK(r.tier_at(1000) == tier::advanced_certified); // one below, at and above each change
  CHECK(r.tier_at(1999) == tier::advanced_certified);
  CHECK(r.tier_at(2000) == tier::general_credit);
  CHECK(r.tier_at(2999) == tier::general_credit);
  CHECK(r.tier_at(3000) == tier::discredited);
  // Two changes from the same moment: the one decided later applies.
  r.add(change(3000, tier::general_credit));
  CHECK(r.tier_at(3000) == tier::general_credit);
}

TEST_CASE("SR-14.1 customs.toml's tier history is where the record starts", "[credit]") {
  enterprise_config e;
  e.code = "GOOD-ENT";
  e.tiers = {{0, tier::general_credit}, {5000, tier::advanced_certified}};
  auto r = credit_from_config(e);
  CHECK(r.enterprise == "GOOD-ENT");
  REQUIRE(r.history.size() == 2);
  CHECK(r.history[0].cause == "customs.toml");
  for (int64_t t : {int64_t{0}, int64_t{4999}, int64_t{5000}, int64_t{1} << 50})
    CHECK(r.tier_at(t) == e.tier_at(t));
}

TEST_CASE("SR-14.1 a stored credit record reads back exactly, a damaged one is refused", "[credit]") {
  credit_record r;
  r.enterprise = "GOOD-ENT";
  r.add(change(0, tier::advanced_certified, "customs.toml"));
  r.add(change(1765000000000, tier::general_certified));
  r.history.back().reason = "revoked: \"quotes\", 中文 and a newline\n";
  auto back = credit_from_bytes(credit_to_bytes(r));
  REQUIRE(back);
  CHECK(back->enterprise == r.enterprise);
  REQUIRE(back->history.size() == r.history.size());
  for (size_t i = 0; i < r.history.size(); ++i) {
    auto& a = r.history[i];
    auto& b = back->history[i];
    CHECK(a.from == b.from);
    CHECK(a.to == b.to);
    CHECK(a.cause == b.cause);
    CHECK(a.by == b.by);
    CHECK(a.reason == b.reason);
    CHECK(a.document == b.document);
    CHECK(a.decided_at == b.decided_at);
  }
  auto text = [](const std::string& s) { return bytes(s.begin(), s.end()); };
  CHECK_FALSE(credit_from_bytes(text("not json")));
  std::string why;
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"tier":"discredited"}]})"), &why));
  CHECK_THAT(why, Catch::Contains("from"));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"from":"1","tier":"discredited"}]})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"from":true,"tier":"discredited"}]})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"from":1}]})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"from":1,"tier":"discredited","by":7}]})")));
  CHECK_FALSE(credit_from_bytes(
    text(R"({"enterprise":"X","history":[{"from":9,"tier":"discredited"},{"from":1,"tier":"general-credit"}]})"),
    &why));
  CHECK_THAT(why, Catch::Contains("dated before"));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":7,"history":[]})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X"})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[{"from":1,"tier":"platinum"}]})")));
  CHECK_FALSE(credit_from_bytes(text(R"({"enterprise":"X","history":[7]})")));
}

TEST_CASE("SR-14.1 a change supersedes what was scheduled after it", "[credit]") {
  credit_record r;
  r.add(change(0, tier::general_credit, "customs.toml"));
  r.add(change(5000, tier::advanced_certified)); // scheduled
  auto gone = r.supersede(change(2000, tier::discredited));
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].from == 5000);
  CHECK(gone[0].to == tier::advanced_certified);
  REQUIRE(r.history.size() == 2);
  CHECK(r.tier_at(1999) == tier::general_credit);
  CHECK(r.tier_at(2000) == tier::discredited);
  CHECK(r.tier_at(6000) == tier::discredited); // the re-certification no longer undoes it
  CHECK(r.supersede(change(2000, tier::general_credit)).empty()); // same moment: nothing after it
  CHECK(r.tier_at(2000) == tier::general_credit);
}
