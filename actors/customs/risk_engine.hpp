#pragma once
// Step 1 of "one declaration, step-by-step processing": the lane a declaration takes
// (SR-05.1, SR-05.4, SR-12.4). Pure logic, no actors: the risk centre actors own the
// rule sets and call this. ASYCUDA-style selectivity (customs-processing.md §1):
//   * risk parameters: conditions over declaration facts => a lane with a probability;
//   * control instructions (布控指令): issued at level 1 (national) or level 2 (one
//     district), with a validity window; a hit selects its lane;
//   * per credit tier, expected random rates for red and yellow and a minimum random
//     rate; the random draw comes from a recorded 64-bit seed.
// The lane is the most severe of every hit and the random lane, so a district rule can
// never lower what a national one asks for. evaluate() is a pure function of
// (rule set, facts, seed, time): replaying a recorded decision gives the same answer.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/customs/money.hpp"

namespace hub::customs {

/// Severity order: green < yellow < red.
enum class lane : uint8_t { green = 0, yellow = 1, red = 2 };
const char* to_string(lane x);                       ///< "green", "yellow", "red"
std::optional<lane> lane_from_string(std::string_view s);

/// Enterprise credit tiers (GACC Decree 237 names; Decree 251 folds the two middle ones).
enum class tier : uint8_t {
  advanced_certified = 0,
  general_certified = 1,
  general_credit = 2,
  discredited = 3,
};
const char* to_string(tier x);                       ///< "advanced-certified", ...
std::optional<tier> tier_from_string(std::string_view s);

/// What the engine knows about one goods item.
struct item_facts {
  std::string hs;                 ///< 10 digits
  std::string origin;             ///< ISO 3166-1 alpha-2
  cents unit_value_cny = 0;       ///< customs value per statutory unit, CNY cents
  double kg_per_unit = 0;         ///< net weight per statutory unit
  int price_position = 0;         ///< -1 below the reference range, +1 above, 0 inside or none
  bool prohibited = false;        ///< on the prohibited list
  bool restricted = false;        ///< on the restricted list
};

/// What the engine knows about one declaration (SR-05.3).
struct declaration_facts {
  std::string declarant;          ///< party id that lodged it
  std::string enterprise;         ///< the trader whose tier applies (importer / exporter code)
  std::string customs_unit;       ///< 4-digit code of the declaring office
  bool import = true;
  tier credit = tier::general_credit;
  uint32_t prior_declarations = 0;
  uint32_t prior_violations = 0;  ///< post-release findings against the enterprise (SR-04.3)
  bool ruling_deviation = false;  ///< an item deviates from an advance ruling (SR-08.5)
  std::vector<std::string> transport_documents; ///< B/L, AWB numbers
  std::vector<item_facts> items;
};

/// Every field that is set must hold (AND); list fields match if any element does.
/// A condition with nothing set matches every declaration.
struct condition {
  std::vector<std::string> hs_prefixes;  ///< item HS starts with one of these
  std::vector<std::string> origins;      ///< item origin is one of these
  std::vector<tier> tiers;
  std::vector<std::string> enterprises;
  std::vector<std::string> transport_documents;
  std::optional<int> price_position;     ///< -1: below reference, +1: above, 0: outside either way
  std::optional<double> min_kg_per_unit; ///< item kg/unit >= this
  std::optional<double> max_kg_per_unit; ///< item kg/unit <= this
  bool prohibited = false;               ///< item on the prohibited list
  bool restricted = false;               ///< item on the restricted list
  uint32_t min_prior_violations = 0;     ///< 0 = not checked
  bool ruling_deviation = false;
  bool import_only = false, export_only = false;
  // Item-level fields (hs, origin, price, weight, lists) must all hold for one same item.
};

/// A risk parameter (风险参数), SR-05.1.
struct risk_parameter {
  std::string id;
  int level = 1;                 ///< 1 national, 2 district
  std::string district;          ///< level 2: 2-digit direct-customs prefix ("22"); level 1: ""
  condition when;
  enum lane lane = lane::yellow;
  ppm probability = one_ppm;     ///< share of hits selected ("RedLane IS 100" = 1e6)
  bool valuation_evidence = false; ///< tax risk parameter: sample/images before release (SR-06.3)
  std::string reason;            ///< shown to officers, never to the trader
};

/// A control instruction (布控指令), SR-05.1/05.2.
struct control_instruction {
  std::string id;
  int level = 1;
  std::string district;          ///< level 2: the district it applies to
  std::string issuer;            ///< party id of the officer who issued it
  int64_t valid_from_ms = 0;
  int64_t valid_until_ms = 0;    ///< expiry; 0 = open-ended
  condition when;
  enum lane lane = lane::red;
  std::string reason;
};

/// Random selectivity for one credit tier (ASYCUDA "expected rate" and "minimum
/// random rate"): a random draw selects red with probability `red`, yellow with
/// `yellow`, and at least `min_random` of declarations are selected for some check
/// (the shortfall goes to yellow).
struct tier_selectivity {
  ppm red = 0;
  ppm yellow = 0;
  ppm min_random = 0;
};

struct rule_set {
  uint64_t version = 0;          ///< increases with every change
  std::vector<risk_parameter> parameters;
  std::vector<control_instruction> instructions;
  std::map<tier, tier_selectivity> selectivity; ///< a missing tier selects nothing at random
};

/// Canonical JSON of a rule set (stored per version so decisions can be replayed),
/// and back. encode(decode(x)) == x byte for byte.
std::string encode(const rule_set& rules);
caf::expected<rule_set> decode_rule_set(const std::string& json);
/// Reads risk parameters and tier selectivity from TOML text (config/customs.toml,
/// [[risk-parameter]] and [selectivity.<tier>]); strict, errors name key and line.
caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin);

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

/// Evaluates one declaration. Rules are indexed by HS prefix so that 1,000 rules cost
/// little more than the handful that can match. Instructions outside their validity
/// at `at_ms`, or for another district, do not match.
class risk_engine {
public:
  explicit risk_engine(rule_set rules);
  ~risk_engine();
  risk_engine(risk_engine&&) noexcept;
  risk_engine& operator=(risk_engine&&) noexcept;

  lane_decision evaluate(const declaration_facts& facts, uint64_t seed, int64_t at_ms) const;
  const rule_set& rules() const;

private:
  struct index;
  rule_set rules_;
  std::unique_ptr<index> index_;
};

/// The draw for `label` from `seed`: the first 8 bytes of SHA-256(seed BE || label),
/// reduced to [0, 1e6). Label "selectivity" for the random lane, the rule id for a rule.
ppm draw(uint64_t seed, std::string_view label);

} // namespace hub::customs
