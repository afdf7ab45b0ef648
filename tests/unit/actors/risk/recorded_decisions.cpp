#include "tests/unit/actors/risk/recorded_decisions.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace hub::risk_replay {

namespace {

using namespace hub::customs;

/// splitmix64: a fixed generator, so the cases never depend on a library's RNG.
struct fixed_rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <class T, size_t N>
  const T& pick(const T (&xs)[N]) { return xs[below(N)]; }
};

/// 2024-03-01T00:00:00Z: the instructions' validity windows are around it.
constexpr int64_t t0 = 1709251200000;
constexpr int64_t day = 86400000;

/// Parameters beyond config/risk-parameters.toml, so that every condition key and
/// level-2 scope is exercised.
const char* const extra_parameters = R"(
[[risk-parameter]]
id = "RP-X-PROHIB"
lane = "red"
reason = "prohibited goods"
[risk-parameter.when]
prohibited = true

[[risk-parameter]]
id = "RP-X-TIER"
lane = "yellow"
percent = 50.0
reason = "discredited enterprise, computers"
[risk-parameter.when]
tiers = ["discredited", "general-credit"]
hs-prefixes = ["8471"]

[[risk-parameter]]
id = "RP-X-ENT"
lane = "yellow"
percent = 40.0
reason = "enterprise under watch"
[risk-parameter.when]
enterprises = ["91440300MA5F000003"]

[[risk-parameter]]
id = "RP-X-BL"
lane = "red"
reason = "bill of lading flagged"
[risk-parameter.when]
transport-documents = ["COSU6000000001", "MAEU7000000002"]

[[risk-parameter]]
id = "RP-X-EXP"
lane = "yellow"
percent = 25.0
reason = "exported garments"
[risk-parameter.when]
direction = "export"
hs-prefixes = ["6109"]

[[risk-parameter]]
id = "RP-X-IMP"
lane = "red"
percent = 60.0
reason = "imports from a sanctioned origin"
[risk-parameter.when]
direction = "import"
origins = ["IR"]

[[risk-parameter]]
id = "RP-X-ABOVE"
lane = "yellow"
percent = 70.0
valuation-evidence = true
reason = "unit value above the reference range"
[risk-parameter.when]
price = "above"

[[risk-parameter]]
id = "RP-X-OUTSIDE"
lane = "green"
reason = "outside the reference range either way: noted only"
[risk-parameter.when]
price = "outside"

[[risk-parameter]]
id = "RP-X-LIGHT"
lane = "yellow"
percent = 60.0
reason = "computers lighter than 0.5 kg"
[risk-parameter.when]
hs-prefixes = ["847130"]
max-kg-per-unit = 0.5
min-kg-per-unit = 0.1

[[risk-parameter]]
id = "RP-X-GZ"
level = 2
district = "51"
lane = "red"
percent = 35.0
reason = "Guangzhou district: phones"
[risk-parameter.when]
hs-prefixes = ["8517", "851762"]

[[risk-parameter]]
id = "RP-X-HIST"
lane = "red"
percent = 50.0
reason = "five or more post-release findings"
[risk-parameter.when]
min-prior-violations = 5
ruling-deviation = true

[[risk-parameter]]
id = "RP-X-ALL"
lane = "yellow"
percent = 2.0
reason = "every declaration: a small share"
)";

condition when_hs(std::vector<std::string> prefixes) {
  condition c;
  c.hs_prefixes = std::move(prefixes);
  return c;
}

control_instruction instruction(std::string id, int level, std::string district, int64_t from,
                                int64_t until, condition when, lane l) {
  control_instruction ci;
  ci.id = std::move(id);
  ci.level = level;
  ci.scope = std::move(district);
  ci.issuer = level == 1 ? "officer-gacc" : "officer-" + ci.scope;
  ci.valid_from_ms = from;
  ci.valid_until_ms = until;
  ci.when = std::move(when);
  ci.lane = l;
  ci.reason = "instruction " + ci.id;
  return ci;
}

std::vector<control_instruction> instructions() {
  std::vector<control_instruction> out;
  out.push_back(instruction("CI-N-001", 1, "", t0, t0 + 10 * day, when_hs({"0306"}), lane::red));
  condition ent;
  ent.enterprises = {"91310000MA1K000001"};
  out.push_back(instruction("CI-N-002", 1, "", t0 + 5 * day, 0, ent, lane::yellow));
  condition wine;
  wine.hs_prefixes = {"2204"};
  wine.classes = {to_string(tier::general_credit)};
  out.push_back(instruction("CI-N-003", 1, "", t0 - day, t0 + day, wine, lane::yellow));
  condition vn;
  vn.origins = {"VN"};
  out.push_back(instruction("CI-D22-001", 2, "22", t0, t0 + 20 * day, vn, lane::red));
  condition bl;
  bl.transport_documents = {"EGLV8000000003"};
  out.push_back(instruction("CI-D51-001", 2, "51", t0 + 2 * day, t0 + 12 * day, bl, lane::red));
  out.push_back(instruction("CI-D42-001", 2, "42", t0, 0, when_hs({"6109", "6203"}), lane::yellow));
  return out;
}

const char* const hs_pool[] = {"0306171000", "2204210000", "8471300000", "3304990000",
                               "8517130000", "8517620000", "6109100000", "6203420000",
                               "9301100000", "2933399000", "0101210000", "847130"};
const char* const origin_pool[] = {"VN", "IN", "EC", "CN", "US", "FR", "IR", "DE", "JP", "KR"};
const double kg_pool[] = {0.05, 0.2, 0.4, 1.0, 2.5, 5.0, 7.5};
const char* const unit_pool[] = {"2201", "2248", "2200", "5141", "5100", "4200", "4201",
                                 "0000", "22", "2"};
const char* const enterprise_pool[] = {"91310000MA1K000001", "91440300MA5F000003",
                                       "91110000MA0A000002", "91510100MA6B000004"};
const char* const declarant_pool[] = {"broker-1", "broker-2", "trader-1"};
const char* const document_pool[] = {"COSU6000000001", "MAEU7000000002", "EGLV8000000003",
                                     "OOLU1000000004", "999-12345675", "CMDU2000000005"};
const tier tier_pool[] = {tier::advanced_certified, tier::general_certified,
                          tier::general_credit, tier::general_credit, tier::discredited};

} // namespace

caf::expected<rule_set> replay_rules(const std::string& source_dir) {
  std::ifstream in{source_dir + "/config/risk-parameters.toml"};
  std::stringstream text;
  text << in.rdbuf() << extra_parameters;
  auto rules = parse_rule_set_toml(text.str(), "risk-parameters.toml + replay extras");
  if (!rules)
    return rules;
  rules->version = 42;
  rules->instructions = instructions();
  return rules;
}

std::vector<recorded_case> replay_cases() {
  fixed_rng rng{20240301};
  std::vector<recorded_case> out;
  for (size_t i = 0; i < 320; ++i) {
    recorded_case c;
    c.seed = rng.next();
    c.at_ms = t0 - 2 * day + static_cast<int64_t>(i) * (25 * day / 320);
    auto& f = c.facts;
    f.declarant = rng.pick(declarant_pool);
    f.enterprise = rng.pick(enterprise_pool);
    f.customs_unit = rng.pick(unit_pool);
    f.import = rng.chance(75);
    f.credit = rng.pick(tier_pool);
    f.prior_declarations = static_cast<uint32_t>(rng.below(500));
    f.prior_violations = static_cast<uint32_t>(rng.below(7));
    f.ruling_deviation = rng.chance(12);
    for (size_t n = rng.below(3); n > 0; --n)
      f.transport_documents.push_back(rng.pick(document_pool));
    for (size_t n = 1 + rng.below(3); n > 0; --n) {
      item_facts it;
      it.hs = rng.pick(hs_pool);
      it.origin = rng.pick(origin_pool);
      it.unit_value_cny = static_cast<cents>(rng.below(5'000'000));
      it.kg_per_unit = rng.pick(kg_pool);
      it.price_position = static_cast<int>(rng.below(5)) - 2; // -2..2: mostly outside ±1
      if (it.price_position < -1 || it.price_position > 1)
        it.price_position = 0;
      it.prohibited = rng.chance(6);
      it.restricted = !it.prohibited && rng.chance(10);
      f.items.push_back(std::move(it));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string decision_line(size_t index, const recorded_case& c, const lane_decision& d) {
  nlohmann::json hits = nlohmann::json::array();
  for (auto& h : d.hits)
    hits.push_back({{"id", h.id},
                    {"instruction", h.instruction},
                    {"lane", to_string(h.lane)},
                    {"draw", h.draw},
                    {"selected", h.selected},
                    {"reason", h.reason}});
  nlohmann::json j{{"case", index},
                   {"seed", std::to_string(c.seed)},
                   {"at_ms", c.at_ms},
                   {"lane", to_string(d.lane)},
                   {"hits", std::move(hits)},
                   {"decision_seed", std::to_string(d.seed)},
                   {"random_draw", d.random_draw},
                   {"random_lane", to_string(d.random_lane)},
                   {"valuation_evidence", d.valuation_evidence},
                   {"rule_set_version", d.rule_set_version},
                   {"explanation", d.explanation}};
  return j.dump();
}

std::string golden_text(const std::vector<std::string>& lines) {
  std::string out = "{\"comment\": \"Recorded by record-risk-decisions (tests/unit/actors/risk/"
                    "record_decisions.cpp) from the risk engine as it was before it became a "
                    "shared service (hub::customs::risk_engine, issue 17): rules and cases in "
                    "recorded_decisions.cpp. Regenerate only for an intended change of "
                    "decisions.\",\n\"decisions\": [\n";
  for (size_t i = 0; i < lines.size(); ++i)
    out += lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  return out + "]}\n";
}

} // namespace hub::risk_replay
