// record-risk-decisions: prints the golden file of the replay test from the risk
// engine of this build (through the customs adapter). Made once, before the engine
// became a shared service (then hub::customs::risk_engine on declaration_facts):
//   build/ci/tests/unit/record-risk-decisions . > tests/unit/actors/risk/recorded_decisions.json
// On stderr: how often each rule hit and each lane came out (every rule must hit).

#include <cstdio>
#include <iostream>
#include <map>

#include "tests/unit/actors/risk/recorded_decisions.hpp"

int main(int argc, char** argv) {
  using namespace hub;
  std::string source_dir = argc > 1 ? argv[1] : ".";
  auto rules = risk_replay::replay_rules(source_dir);
  if (!rules) {
    std::cerr << "rules: " << to_string(rules.error()) << '\n';
    return 1;
  }
  auto engine = customs::customs_risk_engine(*rules);
  std::map<std::string, int> hits, selected, lanes;
  std::vector<std::string> lines;
  auto cases = risk_replay::replay_cases();
  for (size_t i = 0; i < cases.size(); ++i) {
    auto d = customs::evaluate(engine, cases[i].facts, cases[i].seed, cases[i].at_ms);
    for (auto& h : d.hits) {
      hits[h.id]++;
      selected[h.id] += h.selected ? 1 : 0;
    }
    lanes[risk::to_string(d.lane)]++;
    lines.push_back(risk_replay::decision_line(i, cases[i], d));
  }
  std::cout << risk_replay::golden_text(lines);
  for (auto& [id, n] : hits)
    std::cerr << id << ": " << n << " hits, " << selected[id] << " selected\n";
  for (auto& [l, n] : lanes)
    std::cerr << l << ": " << n << '\n';
  return 0;
}
