// The risk service without any domain: facts by attribute name, scope from the facts,
// selectivity classes as plain names, and rule books keyed by (domain, version).

#include <catch2/catch.hpp>

#include "actors/risk/rule_book.hpp"

using namespace hub;
using namespace hub::risk;

namespace {

facts order(std::string scope, std::string hs, std::string cls = "standard") {
  facts f;
  f.header.set(attr::scope, std::move(scope)).set(attr::selectivity_class, std::move(cls));
  attributes item;
  item.set(attr::hs, std::move(hs)).set(attr::origin, std::string{"VN"});
  f.items.push_back(std::move(item));
  return f;
}

} // namespace

TEST_CASE("level-2 rules apply to the scope the domain puts in the facts") {
  rule_set rs;
  risk_parameter p;
  p.id = "RP-LOCAL";
  p.level = 2;
  p.scope = "north";
  p.when.hs_prefixes = {"8517"};
  p.lane = lane::red;
  rs.parameters.push_back(p);
  rs.selectivity["standard"] = {0, 0, 0};
  risk_engine e{rs, vocabulary{{"standard"}, "band", "selectivity band"}};
  CHECK(e.evaluate(order("north", "8517130000"), 1, 0).lane == lane::red);
  CHECK(e.evaluate(order("south", "8517130000"), 1, 0).lane == lane::green);
  CHECK(e.evaluate(order("north", "0101210000"), 1, 0).lane == lane::green);
  auto d = e.evaluate(order("north", "8517130000"), 1, 0);
  CHECK(d.explanation.find("(band standard: red 0%") != std::string::npos);
}

TEST_CASE("attributes: typed reads, absent or mistyped ones read as empty") {
  attributes a;
  a.set("n", int64_t{3}).set("x", 2.5).set("b", true).set("s", std::string{"t"});
  a.set("n", int64_t{4});
  CHECK(a.integer("n") == 4);
  CHECK(a.number("n") == 4.0);
  CHECK(a.number("x") == 2.5);
  CHECK(a.flag("b"));
  CHECK(a.text("s") == "t");
  CHECK(a.text("n").empty());
  CHECK(a.list("missing").empty());
  CHECK(a.all().size() == 4);
}

TEST_CASE("rule book keys: domain, a zero byte, the version big-endian") {
  auto k = rule_book_key("customs", 0x0102030405060708);
  CHECK(k == std::vector<uint8_t>{'c', 'u', 's', 't', 'o', 'm', 's', 0, 1, 2, 3, 4, 5, 6, 7, 8});
  auto id = rule_book_id_of(k);
  REQUIRE(id);
  CHECK(id->domain == "customs");
  CHECK(id->version == 0x0102030405060708);
  CHECK(rule_book_key("customs", 2) > rule_book_key("customs", 1)); // versions in order
  CHECK_FALSE(rule_book_id_of({1, 2, 3}));
  // Legacy rule_sets keys (8-byte BE version) become the domain's keys.
  std::vector<uint8_t> legacy{0, 0, 0, 0, 0, 0, 0, 7};
  CHECK(rule_book_key_from_legacy("customs", legacy) == rule_book_key("customs", 7));
  CHECK_FALSE(rule_book_key_from_legacy("customs", {1, 2}));
  rule_book book{"customs", std::make_shared<const risk_engine>(rule_set{})};
  CHECK(book.domain() == "customs");
  CHECK(book.get()->rules().version == 0);
}
