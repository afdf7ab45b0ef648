#pragma once
// ecommerce.toml (named by hub.toml's [ecommerce] config): the enterprises that send CEB
// messages and the hub party each one is, signature policy, the matching window, the
// buyer quota and the retail import tax (SR-15.1, SR-15.2, ecommerce.md §7, §10).
// Strict like hub.toml: unknown keys and wrong types name the key and its line.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/ceb/ceb_message.hpp"

namespace hub::ecommerce {

/// Amounts in CEB's own unit: 1e-5 CNY (N19,5), exact.
using units = int64_t;
inline constexpr units units_per_yuan = 100000;

/// What a CEB enterprise does; decides which codes of a document must be its own.
enum class enterprise_kind : uint8_t { platform, ecommerce, payment, logistics, agent, site_operator, guarantor };
const char* to_string(enterprise_kind k);

/// An enterprise known to the e-commerce module by its customs code (10 characters) or
/// unified social credit code (18).
struct enterprise {
  std::string code;
  std::string name;
  std::set<enterprise_kind> kinds;
  std::string party;        ///< the hub party that sends for it ("" = it sends nothing)
  std::string dxp_id;       ///< its DXP account (BaseTransfer/dxpId, DxpMsg SenderId)
  std::string certificate;  ///< PEM of its registered signing certificate or public key
  std::string certificate_file;
  /// "" = the type's default; "required" or "optional" for every type it sends.
  std::string signature;
  units guarantee = 0;      ///< tax guarantee for inventories naming it in assureCode
  std::vector<std::string> transmits_for; ///< codes it may send as copCode for
  /// Credit tier (SR-14): the selectivity class of the risk rules for inventories it
  /// declares ("advanced-certified", "general-certified", "general-credit", "discredited").
  std::string tier = "general-credit";
};

/// Tax rates of a group of goods, by the start of the 10-digit gcode.
struct tax_line {
  std::string prefix;
  int64_t duty_ppm = 0, vat_ppm = 130000, consumption_ppm = 0;
  /// Cosmetics: consumption tax only at or above this value per first statutory unit
  /// (unit1 code -> 1e-5 CNY; ecommerce.md §7: RMB 10 per ml/g, 15 per piece).
  std::map<std::string, units> consumption_threshold;
};

struct ecommerce_config {
  std::vector<enterprise> enterprises;
  std::map<std::string, size_t> by_code;   ///< code -> enterprises index
  std::map<std::string, std::vector<size_t>> by_party;
  std::set<std::string> signature_required; ///< root names, e.g. "CEB621Message"
  ceb::limits limits;
  int64_t match_window_ms = 72LL * 3600 * 1000;
  int64_t return_window_ms = 30LL * 86400 * 1000;
  int64_t expiry_check_ms = 60 * 1000;
  /// An order, payment or waybill no inventory list has named this long after it came
  /// is dropped and its sender told ([matching] keep-unmatched-days).
  int64_t keep_unmatched_ms = 30LL * 86400 * 1000;
  units per_transaction = 5000 * units_per_yuan;
  units per_year = 26000 * units_per_yuan;
  int64_t reduced_ppm = 700000; ///< VAT and CT within the limits: 70 %
  tax_line default_rates;       ///< goods no tax line names
  std::vector<tax_line> tax_lines; ///< longest prefix wins
  std::string quota_secret_file;   ///< HMAC key of the quota ledger (generated if missing)
  std::string customs_code = "0000"; ///< fallback customs unit for numbers
  std::string risk_file;   ///< [risk] rules-file: risk parameters and selectivity (TOML)
  std::string risk_text;   ///< its content

  const enterprise* find(const std::string& code) const;
  /// The enterprises a hub party sends for.
  std::vector<const enterprise*> of_party(const std::string& party) const;
  const tax_line& rates_for(const std::string& gcode) const;
};

caf::expected<ecommerce_config> load_ecommerce_config(const std::string& path);
caf::expected<ecommerce_config> parse_ecommerce_config(const std::string& text,
                                                       const std::string& path,
                                                       const std::string& base_dir);

} // namespace hub::ecommerce
