// "Replays of recorded decisions still match" (issue 17, SR-05.4, SR-12.4): the risk
// engine decides every recorded case exactly as the engine did when the golden file
// was recorded (see recorded_decisions.hpp): lane, every hit with its draw and
// selection, the random draw and lane, valuation evidence and the explanation, byte
// for byte. The cases go through the customs adapter (declaration_risk_facts), as
// clearance's do.

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/unit/actors/risk/recorded_decisions.hpp"

using namespace hub;

TEST_CASE("replays of recorded decisions still match, byte for byte") {
  std::ifstream in{std::string{SWHUB_SOURCE_DIR} + "/tests/unit/actors/risk/recorded_decisions.json"};
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto golden = nlohmann::json::parse(text.str());
  auto& recorded = golden.at("decisions");
  auto rules = risk_replay::replay_rules(SWHUB_SOURCE_DIR);
  REQUIRE(rules);
  auto rule_ids = std::set<std::string>{};
  for (auto& p : rules->parameters)
    rule_ids.insert(p.id);
  for (auto& ci : rules->instructions)
    rule_ids.insert(ci.id);
  auto engine = customs::customs_risk_engine(*rules);
  auto cases = risk_replay::replay_cases();
  REQUIRE(cases.size() >= 200);
  REQUIRE(recorded.size() == cases.size());
  std::set<std::string> hit, selected;
  std::set<std::string> lanes;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto d = customs::evaluate(engine, cases[i].facts, cases[i].seed, cases[i].at_ms);
    auto line = risk_replay::decision_line(i, cases[i], d);
    INFO("case " << i);
    CHECK(line == recorded[i].dump());
    for (auto& h : d.hits) {
      hit.insert(h.id);
      if (h.selected)
        selected.insert(h.id);
    }
    lanes.insert(risk::to_string(d.lane));
  }
  // The cases reach every rule, and every lane comes out.
  CHECK(hit == rule_ids);
  CHECK(lanes == std::set<std::string>{"green", "yellow", "red"});
  CHECK(selected.size() >= rule_ids.size() - 2);
}
