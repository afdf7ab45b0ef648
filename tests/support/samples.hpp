#pragma once
// Sample documents for tests: valid by default, with knobs to break one field.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/actors.hpp"
#include "adapters/zmq/client.hpp"

namespace hub::test {

struct declaration_spec {
  std::string declaration_id = "DECL-TEST-0001";
  std::string declarant = "91310000MA1FL0TEST";
  std::string hs_code = "8471300000";
  double quantity = 10;
  double net_kg = 12.5;
  double gross_kg = 14.0;
  std::string value = "1250.00";
  std::string currency = "USD";
  std::string origin = "DE";
  std::string customs_unit = "2200";
  size_t items = 1;
  std::string description = "Portable computers (TEST SAMPLE)";
  // customs (issue 4)
  std::string unit = "PCE";
  std::string importer;            ///< importer id (export: exporter id); empty = declarant
  bool is_export = false;
  uint16_t settlement = 0;         ///< 0 payment, 1 guarantee, 2 consolidated
  std::string self_assessed;       ///< selfAssessedTax; empty = none
  std::string claim;               ///< preferentialOriginClaim
  std::string certificate;         ///< originCertificate
  std::string ruling_id;
  std::vector<std::string> licences; ///< licence ids every item quotes
  /// foreignOperators: (role, AEO id), e.g. {"consignor", "DE1234567890123"} (SR-18.2)
  std::vector<std::pair<std::string, std::string>> foreign_operators;
};

/// A Declaration payload (Cap'n Proto flat array).
bytes declaration_payload(const declaration_spec& spec = {});
/// A declaration of `first` whose second item is `second`'s first (two kinds of goods).
bytes two_item_declaration_payload(const declaration_spec& first, const declaration_spec& second);

/// 10 portable computers worth CNY 50,000 (CNY 5,000 each, inside the reference range)
/// at unit 2248: duty 0 %, VAT 13 % => CNY 6,500.00 due. Settlement 0 payment,
/// 1 guarantee.
declaration_spec laptops(const std::string& id, const std::string& importer,
                         uint16_t settlement = 1);

/// A KeyRotation payload (hub.key-rotation): `party` empty = the sender's own key.
bytes key_rotation_payload(const std::string& party, bool signing, const std::string& new_key,
                           uint32_t overlap_seconds, const std::string& key_id = "");

/// An outgoing customs.declaration (valid by default) with a fresh message id.
outgoing declaration_doc(const std::string& declaration_id = "DECL-TEST-0001");

/// customs.amendment: kind 0 amend, 1 cancel, 2 correct (replacement for 0 and 2).
bytes amendment_payload(const std::string& declaration_id, uint16_t kind, const std::string& reason,
                        const declaration_spec* replacement = nullptr);

/// customs.inspection-result: outcome 0 cleared, 1 documentary errors, 2 refused.
bytes inspection_payload(const std::string& declarant, const std::string& declaration_id,
                         uint16_t outcome, const std::string& findings = "");

/// customs.valuation-evidence with one image.
bytes evidence_payload(const std::string& declarant, const std::string& declaration_id);

/// customs.tax-payment for a declaration (or, with `period`, a consolidated statement).
bytes payment_payload(const std::string& declaration_id, const std::string& amount,
                      const std::string& period = "", const std::string& enterprise = "");

/// customs.control-instruction: action 0 issue, 1 propose, 2 approve, 3 revoke.
struct instruction_spec {
  std::string id;
  uint16_t action = 0;
  std::string lane = "red";
  int64_t valid_from = 0;
  int64_t valid_until = 0;
  std::vector<std::string> hs_prefixes;
  std::vector<std::string> enterprises;
  std::string reason = "test instruction";
};
bytes instruction_payload(const instruction_spec& spec);

/// customs.advance-ruling (classification, or valuation with a CNY range).
/// customs.credit-decision: `enterprise` becomes `tier` (effective_from 0 = at commit).
bytes credit_decision_payload(const std::string& enterprise, const std::string& tier,
                              const std::string& reason, int64_t effective_from = 0);

/// customs.disclosure of an error in the sender's released declaration.
/// One operator of a partner customs' AEO list (foreign.aeo-batch).
struct aeo_spec {
  aeo_spec(std::string operator_id = {}) : id(std::move(operator_id)) {} // NOLINT: {"DE..."} reads well
  std::string id;           ///< in the arrangement's scheme, e.g. an EORI "DE1234567890123"
  std::string name = "Operator (TEST SAMPLE)";
  uint16_t status = 0;      ///< 0 valid, 1 suspended, 2 revoked, 3 withdrawn
  uint64_t version = 1;
  std::string programme = "AEOF";
  std::string reason;
};

/// foreign.aeo-batch of `records` (data set "aeo-7/1" unless given).
bytes aeo_batch_payload(const std::string& batch_id, const std::vector<aeo_spec>& records,
                        const std::string& data_set = "aeo-7/1", bool snapshot = false);

/// `items`: the declaration's items the error is in, 1 = the first.
bytes disclosure_payload(const std::string& id, const std::string& declaration_id, const std::string& tax_underpaid,
                         const std::string& description, int64_t violation_date = 0,
                         const std::vector<uint16_t>& items = {1});

bytes ruling_payload(const std::string& id, const std::string& holder, const std::string& hs,
                     const std::string& description, bool valuation = false,
                     const std::string& min = "", const std::string& max = "");

/// agency.licence: `quantity` of `unit` for goods under `hs_prefix`, valid from
/// `from_ms` to `until_ms`.
bytes licence_payload(const std::string& id, const std::string& type, const std::string& holder,
                      const std::string& hs_prefix, double quantity, const std::string& unit, int64_t from_ms,
                      int64_t until_ms);

/// agency.decision on case `case_id`: verdict 0 approve, 1 reject, 2 need inspection,
/// 3 need documents (all but approve need a reason).
bytes agency_decision_payload(const std::string& case_id, uint16_t verdict,
                              const std::string& reason = "");

/// A TradeMessage payload.
bytes trade_message_payload(const std::string& subject, const std::string& body = "");

/// The SAMPLE of document kind `kind` (docs/protocol.md): a valid payload, built fresh
/// (dated now). Sent in hub::document_types() order by a party whose role may send it
/// to a test customs hub (the sample enterprises, a licensing agency issuing
/// "automatic-import-licence"), most are accepted. Empty for a kind without a sample:
/// every registered kind needs one here (the conformance test,
/// tests/unit/actors/intake/document_kinds.cpp), and the fuzz seeds come from here.
std::optional<bytes> sample_payload(std::string_view kind);

/// The declaration the samples refer to (customs.declaration's sample lodges it):
/// 10 portable computers, CNY 50,000, GOOD-ENT on guarantee at customs unit 2248.
declaration_spec sample_declaration();

} // namespace hub::test
