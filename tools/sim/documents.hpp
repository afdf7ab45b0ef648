#pragma once
// Documents the simulator sends: customs declarations that pass the hub's validation
// and its customs admissibility (registered enterprises, tariff lines with their
// statutory units, units of the customs organisation, values inside the reference
// price ranges), built with Cap'n Proto builders (no JSON on the hot path);
// deliberately invalid ones; the customs case documents of issue 4 (amendments, tax
// payments, inspection results, control instructions); trade messages.
//
// The codes below are those of the SAMPLE configuration (config/customs.toml and
// config/reference/): change them together.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "actors/actors.hpp"

namespace sim {

/// Seeded per thread; documents are reproducible for a given seed.
using rng_type = std::mt19937_64;

/// Enterprises registered with customs in config/customs.toml ([[enterprise]]).
namespace enterprise {
inline constexpr const char* advanced_certified = "91310000MA1FL0TEST"; // guarantee 500,000
inline constexpr const char* general_credit = "91310000MA1GENERAL";     // guarantee 100,000
inline constexpr const char* general_certified = "91440101MA5CERTIFY";  // guarantee 300,000
inline constexpr const char* discredited = "91370200MA3DISCRED";        // payment only
} // namespace enterprise

/// How the declarant settles the tax (schemas/declaration.capnp, Settlement).
enum class settlement : uint16_t { payment = 0, guarantee = 1, consolidated = 2 };

/// One goods item, written out in full.
struct goods_item {
  std::string hs_code;        ///< 10 digits, a line of config/reference/tariff.toml
  std::string description;
  std::string unit;           ///< the tariff line's statutory unit
  double quantity = 1;
  double net_kg = 1;
  std::string value;          ///< customs value, decimal with 2 fraction digits
  std::string currency = "CNY";
  std::string origin = "CN";
  std::string claim;          ///< preferential origin claim ("" none)
  std::string certificate;    ///< certificate of origin backing the claim
};

/// A declaration written out in full.
struct declaration_fields {
  std::string declaration_id;
  bool is_import = true;
  std::string enterprise;     ///< importer (import) or exporter (export): a registered code
  std::string enterprise_name = "Simulated Trader (SAMPLE)";
  std::string declarant_id = "91310000MA1SIMBRK";
  std::string customs_unit = "2248";
  settlement settle = settlement::guarantee;
  std::string transport_document; ///< bill of lading or air waybill number
  bool air = false;               ///< air waybill instead of bill of lading
  std::vector<goods_item> items;
};

/// The declaration as a customs.declaration payload.
hub::bytes make_declaration(const declaration_fields& d);

/// How to build one random declaration.
struct declaration_spec {
  /// Goods items: 2 gives ~0.9 KB payloads (~1 KB envelope frames).
  unsigned items = 2;
  /// Non-empty: items[0].hsCode gets this (e.g. "847130", a 6-digit code the hub
  /// must reject with invalid_hs_code).
  std::string hs_code_override;
};

/// A random declaration that passes the hub's validation and customs admissibility:
/// importer (import) or exporter (export) among the registered enterprises (the
/// discredited one rarely, settling by payment as it must), goods from the tariff
/// with their statutory units and unit values inside the reference price ranges
/// (for enterprises other than the advanced-certified one, about 2 % of items are
/// priced below the range, which the risk engine sends to a documentary check),
/// customs units of the organisation, settlement mostly on guarantee. The
/// advanced-certified enterprise's imports settle by payment here and its values stay
/// inside the ranges: its guarantee and its clean record are left for the customs
/// scenario (`swhub-sim customs`), whose outcomes must not depend on earlier load.
declaration_fields random_declaration(rng_type& rng, const declaration_spec& spec = {});

/// random_declaration as a payload.
hub::bytes make_declaration(rng_type& rng, const declaration_spec& spec = {});

/// customs.amendment: amend or correct carry the full replacement; cancel does not.
enum class amendment_kind : uint16_t { amend = 0, cancel = 1, correct = 2 };
hub::bytes make_amendment(const std::string& declaration_id, amendment_kind kind,
                          const std::string& reason,
                          const declaration_fields* replacement = nullptr);

/// customs.tax-payment for one declaration.
hub::bytes make_tax_payment(const std::string& declaration_id, const std::string& amount,
                            const std::string& bank_reference);

/// customs.inspection-result.
enum class inspection_outcome : uint16_t { cleared = 0, documentary_errors = 1, refused = 2 };
hub::bytes make_inspection_result(const std::string& declarant, const std::string& declaration_id,
                                  inspection_outcome outcome, const std::string& findings);

/// customs.control-instruction.
enum class control_action : uint16_t { issue = 0, propose = 1, approve = 2, revoke = 3 };
struct control_instruction {
  std::string id;
  control_action action = control_action::issue;
  std::string lane = "red";
  int64_t valid_until_ms = 0;
  std::string reason;
  std::vector<std::string> hs_prefixes;
  std::vector<std::string> enterprises;
  std::vector<std::string> transport_documents;
};
hub::bytes make_control_instruction(const control_instruction& ci);

/// A trade.message payload.
hub::bytes make_trade_message(const std::string& subject, const std::string& body,
                              const std::vector<std::string>& references);

/// Random lower-case hex, for readable unique references.
std::string random_hex(rng_type& rng, size_t bytes);

/// "1234.50": cents as a CNY decimal.
std::string format_cents(int64_t cents);

} // namespace sim
