#pragma once
// A risk rule set: risk parameters, control instructions and random selectivity per
// class (SR-05.1, SR-05.2), its canonical JSON (stored per version so decisions can
// be replayed) and its TOML form. ASYCUDA-style selectivity (customs-processing.md §1):
//   * risk parameters: conditions over facts => a lane with a probability;
//   * control instructions: issued at level 1 (everywhere) or level 2 (one scope the
//     domain names, e.g. a customs district), with a validity window; a hit selects
//     its lane;
//   * per selectivity class (customs: the credit tier), expected random rates for red
//     and yellow and a minimum random rate.
// The JSON and TOML keys are those of the customs rule sets (hs-prefixes, tiers,
// district, ...) so that stored rule sets decode unchanged; facts.hpp maps each key
// to the attribute it tests.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/core/money.hpp"

namespace hub::risk {

/// Severity order: green < yellow < red.
enum class lane : uint8_t { green = 0, yellow = 1, red = 2 };
const char* to_string(lane x);                       ///< "green", "yellow", "red"
std::optional<lane> lane_from_string(std::string_view s);

/// What the domain calls its selectivity classes, for error messages and
/// explanations, and which names are valid (empty: any non-empty name).
struct vocabulary {
  std::vector<std::string> classes; ///< customs: the four credit tiers
  std::string class_noun = "class"; ///< in explanations: "(<noun> <class>: red ...)"
  std::string class_kind = "selectivity class"; ///< in errors: "is not a <kind>"
};

/// Every field that is set must hold (AND); list fields match if any element does.
/// A condition with nothing set matches everything. Attributes: facts.hpp.
struct condition {
  std::vector<std::string> hs_prefixes;  ///< item "hs" starts with one of these
  std::vector<std::string> origins;      ///< item "origin" is one of these
  std::vector<std::string> classes;      ///< "selectivity_class" (key: tiers)
  std::vector<std::string> enterprises;
  std::vector<std::string> transport_documents;
  std::optional<int> price_position;     ///< -1: below reference, +1: above, 0: outside either way
  std::optional<double> min_kg_per_unit; ///< item kg/unit >= this
  std::optional<double> max_kg_per_unit; ///< item kg/unit <= this
  bool prohibited = false;               ///< item on the prohibited list
  bool restricted = false;               ///< item on the restricted list
  uint32_t min_prior_violations = 0;     ///< 0 = not checked
  bool ruling_deviation = false;
  bool import_only = false, export_only = false; ///< "direction"
  // Item-level fields (hs, origin, price, weight, lists) must all hold for one same item.
};

/// A risk parameter (风险参数), SR-05.1.
struct risk_parameter {
  std::string id;
  int level = 1;                 ///< 1 everywhere, 2 one scope
  std::string scope;             ///< level 2: the facts' "scope" it applies to (key: district)
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
  std::string scope;             ///< level 2: the scope it applies to (key: district)
  std::string issuer;            ///< party id of the officer who issued it
  int64_t valid_from_ms = 0;
  int64_t valid_until_ms = 0;    ///< expiry; 0 = open-ended
  condition when;
  enum lane lane = lane::red;
  std::string reason;
};

/// Random selectivity for one class (ASYCUDA "expected rate" and "minimum random
/// rate"): a random draw selects red with probability `red`, yellow with `yellow`,
/// and at least `min_random` of evaluations are selected for some check (the
/// shortfall goes to yellow).
struct class_selectivity {
  ppm red = 0;
  ppm yellow = 0;
  ppm min_random = 0;
};

struct rule_set {
  uint64_t version = 0;          ///< increases with every change
  std::vector<risk_parameter> parameters;
  std::vector<control_instruction> instructions;
  std::map<std::string, class_selectivity, std::less<>> selectivity; ///< a missing class selects nothing at random
};

/// Canonical JSON of a rule set, and back. encode(decode(x)) == x byte for byte.
std::string encode(const rule_set& rules);
caf::expected<rule_set> decode_rule_set(const std::string& json, const vocabulary& words);

/// Reads risk parameters and selectivity from TOML text ([[risk-parameter]] and
/// [selectivity.<class>], syntax in rule_set_toml.cpp); strict, errors name key and line.
caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin,
                                            const vocabulary& words);

} // namespace hub::risk
