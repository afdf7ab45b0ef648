// Case records survive the round trip through their stored JSON, and the lane facts
// needed for replay (SR-05.4) come back exactly.

#include <catch2/catch.hpp>

#include "actors/customs/case_record.hpp"

using namespace hub;
using namespace hub::customs;

TEST_CASE("SR-05.4 a case and its decision facts read back exactly as written", "[customs][case]") {
  case_record c;
  c.case_id = "224820261000000042";
  c.declarant = "ENT-A";
  c.declaration_id = "D-1";
  c.message_id = bytes(16, 7);
  c.sequence = 42;
  c.enterprise = "GOOD-ENT";
  c.customs_unit = "2248";
  c.credit = tier::advanced_certified;
  c.settle = settlement::consolidated;
  c.at = stage::released;
  c.status = "released";
  c.items.push_back({"8471300000", "laptops", "PCE", "CNY", "DE", "", "", "R-1", 10, 12.5, 5000000, {"L-1"}});
  c.drawdowns.push_back({"L-1", 0, 10});
  c.assessed.total = 650000;
  c.assessed.vat = 650000;
  c.assessed.items.push_back({5000000, 0, false, 0, 0, 650000});
  c.reserved = 650000;
  c.period = "2026-11";
  c.audits_pending = {"shanghai-machinery-electronics"};
  c.history.push_back({1, "released", "released: reserved"});
  declaration_facts f;
  f.declarant = "ENT-A";
  f.enterprise = "GOOD-ENT";
  f.customs_unit = "2248";
  f.credit = tier::advanced_certified;
  f.prior_violations = 2;
  f.items.push_back({"8471300000", "DE", 500000, 1.25, -1, false, true});
  c.facts = facts_text(f);
  c.lane = "green";
  c.decision = R"({"lane":"green"})";
  c.evidence.push_back({1, "IMG-1.jpg", std::string(64, 'a')});
  c.audit.push_back(R"({"centre":"x","outcome":"no-action"})");
  auto back = decode_case(encode_case(c));
  REQUIRE(back);
  CHECK(to_json(*back) == to_json(c));
  CHECK(back->message_id == c.message_id);
  CHECK(back->at == stage::released);
  CHECK(back->settle == settlement::consolidated);
  CHECK(back->evidence.size() == 1);
  REQUIRE(back->drawdowns.size() == 1);
  CHECK(back->drawdowns[0].licence == "L-1");
  CHECK(back->drawdowns[0].quantity == 10);
  CHECK(back->items[0].licences == std::vector<std::string>{"L-1"});
  CHECK(back->audit == c.audit);
  auto facts = facts_from_json(nlohmann::json::parse(back->facts));
  REQUIRE(facts);
  CHECK(facts_text(*facts) == facts_text(f)); // replay sees exactly what the decision saw
  auto v = view_of(*back);
  CHECK(v.status == "released");
  CHECK(v.amount_due.empty());
  CHECK(v.reason == "released: reserved");
}

TEST_CASE("a damaged case record is an error, not a crash", "[customs][case]") {
  CHECK_FALSE(decode_case(bytes{'{', 'x'}));
  CHECK_FALSE(decode_case(bytes(16, 0)));
  case_record c;
  c.case_id = "1";
  auto good = encode_case(c);
  for (size_t cut = 8; cut < good.size(); cut += 8)
    CHECK_FALSE(decode_case(bytes(good.begin(), good.begin() + static_cast<long>(cut))));
}

TEST_CASE("decision and facts JSON escape what they quote", "[customs][case]") {
  declaration_facts f;
  f.declarant = "a\"b\\c\n";
  f.transport_documents = {"BL\t1"};
  auto j = nlohmann::json::parse(facts_text(f));
  CHECK(j["declarant"] == "a\"b\\c\n");
  CHECK(j["transportDocuments"][0] == "BL\t1");
}
