#pragma once
// Customs' side of the risk service (actors/risk/): what customs knows about a
// declaration (stored in the case record, so recorded decisions can be replayed), the
// credit tiers (a customs/AEO concept: the engine sees the tier as the selectivity
// class), and the adapter that turns a declaration into risk::facts (facts.hpp names
// the attributes). Customs rule sets use the customs vocabulary: the four tiers are
// the only selectivity classes, and explanations say "tier".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "actors/core/money.hpp"
#include "actors/risk/rule_book.hpp"
#include "actors/customs/customs_tables.hpp"

namespace hub::customs {

// The risk service's names, as customs uses them everywhere.
using risk::control_instruction;
using risk::condition;
using risk::lane;
using risk::lane_decision;
using risk::lane_from_string;
using risk::risk_engine;
using risk::risk_parameter;
using risk::rule_book;
using risk::rule_hit;
using risk::rule_set;
using risk::to_string;

/// The domain name of customs rule books.
inline constexpr std::string_view risk_domain = "customs";

/// Enterprise credit tiers (GACC Decree 237 names; Decree 251 folds the two middle ones).
enum class tier : uint8_t {
  advanced_certified = 0,
  general_certified = 1,
  general_credit = 2,
  discredited = 3,
};
const char* to_string(tier x);                       ///< "advanced-certified", ...
std::optional<tier> tier_from_string(std::string_view s);

/// What customs knows about one goods item.
struct item_facts {
  std::string hs;                 ///< 10 digits
  std::string origin;             ///< ISO 3166-1 alpha-2
  cents unit_value_cny = 0;       ///< customs value per statutory unit, CNY cents
  double kg_per_unit = 0;         ///< net weight per statutory unit
  int price_position = 0;         ///< -1 below the reference range, +1 above, 0 inside or none
  bool prohibited = false;        ///< on the prohibited list
  bool restricted = false;        ///< on the restricted list
};

/// A foreign operator the declaration names by its AEO id, and what the hub held of it
/// at lodgement (SR-18.2).
struct foreign_operator_fact {
  std::string role, id;
  std::string arrangement;        ///< under which MRA the hub holds it; empty if none
  std::string status = "unknown"; ///< "valid", "suspended", "revoked", "withdrawn", "unknown"
  std::string programme;
  uint64_t version = 0;
  bool recognised = false;        ///< its programme is one we recognise

  /// The MRA benefit applies: held, valid and of a recognised programme.
  bool benefits() const { return recognised && status == "valid"; }
};

/// What customs knows about one declaration (SR-05.3).
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
  std::vector<foreign_operator_fact> foreign_operators;

  /// The tier whose random selectivity applies: a recognised foreign AEO named in the
  /// declaration brings the advanced-certified rate (MRA benefit: fewer inspections).
  tier selectivity_tier() const;
};

/// The tiers as selectivity classes, and the words for them.
const risk::vocabulary& risk_vocabulary();

/// The declaration as the engine sees it. The scope of level-2 rules is the district:
/// the 2-digit prefix of the customs unit ("2248" -> "22").
risk::facts risk_facts_of(const declaration_facts& f);

/// engine.evaluate(risk_facts_of(f), seed, at_ms).
lane_decision evaluate(const risk_engine& engine, const declaration_facts& f, uint64_t seed,
                       int64_t at_ms);

/// An engine for a customs rule set (customs vocabulary).
risk_engine customs_risk_engine(rule_set rules);

/// The rule set codecs with the customs vocabulary.
caf::expected<rule_set> decode_rule_set(const std::string& json);
caf::expected<rule_set> parse_rule_set_toml(const std::string& text, const std::string& origin);
using risk::encode;

// Where customs rule sets are stored: the module's own table, under the risk service's
// key (domain, version); a schema-2 `rule_sets` row (8-byte version) is moved there with
// risk_rule_book_key_from_legacy as the key transform (customs_tables.cpp).
inline constexpr std::string_view rule_book_table = tables::rule_sets;
std::vector<uint8_t> rule_book_storage_key(uint64_t version); ///< risk::rule_book_key("customs", v)

/// Legacy `rule_sets` key (8-byte BE version) -> risk.rule_books key of "customs".
std::optional<std::vector<uint8_t>> risk_rule_book_key_from_legacy(const std::vector<uint8_t>& key);

} // namespace hub::customs
