#pragma once
// The risk engine: the lane (green, yellow, red) one evaluated thing takes (SR-05.1,
// SR-05.4, SR-12.4). Pure logic, no actors, no domain: the domain supplies the facts
// (facts.hpp) and keeps the rule book (rule_book.hpp). The random draw comes from a
// recorded 64-bit seed. The lane is the most severe of every hit and the random lane,
// so a level-2 rule can never lower what a level-1 one asks for. evaluate() is a pure
// function of (rule set, facts, seed, time): replaying a recorded decision gives the
// same answer, byte for byte.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/risk/facts.hpp"
#include "actors/risk/rule_set.hpp"

namespace hub::risk {

/// One rule that matched.
struct rule_hit {
  std::string id;
  bool instruction = false;      ///< control instruction (else risk parameter)
  enum lane lane = lane::green;
  ppm draw = 0;                  ///< this rule's draw in [0, 1e6), from the seed
  bool selected = false;         ///< draw < probability
  std::string reason;
};

struct lane_decision {
  enum lane lane = lane::green;
  std::vector<rule_hit> hits;    ///< every matching rule, selected or not
  uint64_t seed = 0;
  ppm random_draw = 0;           ///< the selectivity draw in [0, 1e6)
  enum lane random_lane = lane::green;
  bool valuation_evidence = false;
  uint64_t rule_set_version = 0;
  std::string explanation;       ///< one line for officers: why this lane
};

/// Evaluates facts against one rule set. Rules are indexed by HS prefix so that 1,000
/// rules cost little more than the handful that can match. Instructions outside their
/// validity at `at_ms`, or for another scope, do not match.
class risk_engine {
public:
  explicit risk_engine(rule_set rules, vocabulary words = {});
  ~risk_engine();
  risk_engine(risk_engine&&) noexcept;
  risk_engine& operator=(risk_engine&&) noexcept;

  lane_decision evaluate(const facts& f, uint64_t seed, int64_t at_ms) const;
  const rule_set& rules() const;
  const vocabulary& words() const;

private:
  struct index;
  rule_set rules_;
  vocabulary words_;
  std::unique_ptr<index> index_;
};

/// The draw for `label` from `seed`: the first 8 bytes of SHA-256(seed BE || label),
/// reduced to [0, 1e6). Label "selectivity" for the random lane, the rule id for a rule.
ppm draw(uint64_t seed, std::string_view label);

} // namespace hub::risk
