#pragma once
// customs.toml: the customs organisation (SR-04.1), the tax centres by commodity group
// (SR-06.1), the enterprise registry with credit tiers and guarantees (SR-14.1), and
// the release and audit rules. Named from hub.toml's [customs] config; strict like
// hub.toml. The risk parameters and selectivity live in the file `risk-parameters`
// names, the tariff and lists in `reference-dir` (both relative to customs.toml).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "actors/core/money.hpp"
#include "actors/customs/post_release_audit.hpp"
#include "actors/customs/declaration_risk_facts.hpp"

namespace hub::customs {

/// A customs unit with its 4-digit code (JGS/T 18): GACC "0000", a direct customs
/// "XX00", or a subordinate customs "XXnn" at a port or inland.
struct customs_unit {
  enum kind_t : uint8_t { gacc, direct, port, inland } kind = port;
  std::string code;
  std::string name;
  std::string parent; ///< subordinate: its direct customs; direct: "0000"
};
const char* to_string(customs_unit::kind_t x);

/// A tax collection centre: reviews the goods of its HS chapter ranges (SR-06.1).
struct tax_centre_config {
  std::string id;
  std::string name;
  std::vector<std::pair<int, int>> chapters; ///< inclusive HS chapter ranges
  bool covers(std::string_view hs) const;
};

/// An enterprise registered with customs: its credit tier over time and guarantee.
struct enterprise_config {
  std::string code;            ///< the trader id declarations carry (importer / exporter id)
  std::string name;
  std::vector<std::pair<int64_t, tier>> tiers; ///< (from Unix ms, tier), ascending
  cents guarantee = 0;         ///< guarantee account limit, CNY cents
  std::string inland_customs;  ///< its domicile (inland) customs: audit instructions go there
  std::string party;           ///< the hub party told of credit changes (empty: none)
  /// The tier customs.toml gives at `ms` (general credit before the first); once the
  /// enterprise has a record in customs.credit, the record decides (credit_record.hpp).
  tier tier_at(int64_t ms) const;
};

/// A partner agency that issues licences (and, later, acts on declarations).
struct agency_config {
  std::string id;
  std::string name;
  std::string party;                       ///< the party that speaks for it on the hub
  std::vector<std::string> licence_types;  ///< licences it may register
  std::chrono::milliseconds deadline{2LL * 3600 * 1000}; ///< to answer a routed declaration
  std::vector<std::string> fields;         ///< what it may see: hsCode, description, quantity, unit,
                                           ///< originCountry, netWeightKg, customsValue, enterprise,
                                           ///< transportDocuments
  bool may_see(std::string_view field) const;
};

/// Goods (HS prefixes) and regimes that need agencies to act (single window).
struct routing_rule {
  std::vector<std::string> hs_prefixes;
  std::vector<std::string> regimes; ///< "import", "export"; empty = both
  std::vector<std::string> agencies; ///< agency ids
};

struct release_config {
  std::chrono::milliseconds payment_deadline{15LL * 86400 * 1000};  ///< then a reservation is consumed
  std::chrono::milliseconds correction_window{270LL * 86400 * 1000}; ///< corrections after release
  std::vector<tier> consolidated_tiers{tier::advanced_certified};   ///< may use 汇总征税
  std::vector<tier> guarantee_tiers{tier::advanced_certified, tier::general_certified,
                                    tier::general_credit};          ///< may release on guarantee
  std::chrono::milliseconds check_interval{60000};                  ///< deadline scan
};

/// What moves a credit tier without an officer's decision (SR-14.1).
struct credit_config {
  /// Every n-th violation found after release (a post-release review that acts) or at
  /// inspection (goods refused) drops the enterprise one tier, down to discredited;
  /// 0: never. SAMPLE: 1.
  uint32_t violations_per_downgrade = 1;
};

/// Voluntary disclosure (SR-14.3): when the penalty is waived (GACC Announcement 2025
/// No. 194 for tax-related errors; RULE, the figures as shipped); otherwise lighter.
struct disclosure_config {
  int64_t free_days = 365;             ///< disclosed within this of the error: waived
  int64_t free_days_if_small = 730;    ///< up to this if the underpaid tax is small:
  int64_t small_share_percent = 30;    ///< below this share of the tax payable,
  cents small_amount = 100000000;      ///< or below this amount (CNY 1,000,000.00)
};

struct audit_config {
  size_t batch_size = 200;                       ///< review when this many are queued...
  std::chrono::milliseconds interval{60000};     ///< ...or this long after the first
  audit_policy policy;
};

struct customs_config {
  std::string source;
  std::map<std::string, customs_unit, std::less<>> units;
  std::vector<tax_centre_config> tax_centres;
  std::map<std::string, enterprise_config, std::less<>> enterprises;
  std::vector<agency_config> agencies;
  std::vector<routing_rule> routing;
  release_config release;
  audit_config audit;
  credit_config credit;
  disclosure_config disclosure;
  std::string reference_dir;   ///< absolute after loading
  std::string risk_file;       ///< absolute after loading
  rule_set rules;              ///< from risk_file

  const customs_unit* unit(std::string_view code) const;
  /// The direct customs a unit belongs to ("2248" -> "2200"; GACC -> "0000").
  std::string direct_of(std::string_view code) const;
  /// Tax centres owning the HS code's chapter (usually one).
  const tax_centre_config* centre_for(std::string_view hs) const;
  const enterprise_config* enterprise(std::string_view code) const;
  /// The agency a party speaks for, or nullptr.
  const agency_config* agency_of_party(std::string_view party) const;
  const agency_config* agency(std::string_view id) const;
};

/// Reads customs.toml, then its risk-parameters file. Paths in it are relative to
/// the file's directory.
caf::expected<customs_config> load_customs_config(const std::string& path);

/// The core of load_customs_config over text (tests); `base_dir` resolves paths.
caf::expected<customs_config> parse_customs_config(const std::string& text, const std::string& origin,
                                                   const std::string& base_dir);

/// "2026-11-30" (UTC midnight) -> Unix ms.
caf::expected<int64_t> parse_date_ms(std::string_view date);

} // namespace hub::customs
