#pragma once
// The inputs of the recorded-decision replay (tests/unit/actors/risk/replay.cpp): a
// rule set (config/risk-parameters.toml, extra parameters that reach every condition
// key, control instructions at level 1 and 2) and a fixed list of declarations with
// their seeds and times, made without any library RNG so they never change. The
// golden file recorded_decisions.json holds what the engine decided for each before
// the risk engine became a shared service (issue 17); `record-risk-decisions` prints
// the same file from the engine of the current build.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/customs/declaration_risk_facts.hpp"

namespace hub::risk_replay {

/// One recorded evaluation: the declaration, the seed and the time.
struct recorded_case {
  customs::declaration_facts facts;
  uint64_t seed = 0;
  int64_t at_ms = 0;
};

/// The rule set every case is evaluated with.
caf::expected<risk::rule_set> replay_rules(const std::string& source_dir);

/// The cases, always the same ones in the same order.
std::vector<recorded_case> replay_cases();

/// One decision as one line of canonical JSON (every field of the decision).
std::string decision_line(size_t index, const recorded_case& c, const risk::lane_decision& d);

/// The whole golden file: a comment, then one decision per line.
std::string golden_text(const std::vector<std::string>& lines);

} // namespace hub::risk_replay
