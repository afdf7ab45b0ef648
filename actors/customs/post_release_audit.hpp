#pragma once
// Step 2 of "one declaration, step-by-step processing": the tax centre's batch review
// of released declarations (SR-06.2, SR-06.4, SR-08.5, SR-08.6). Pure logic; the tax
// centre actors collect batches and record the outcomes.
//   classification: against the enterprise's advance ruling, then the precedent
//                   database (归类尊重先例);
//   value:          against the reference range and the median of similar
//                   declarations in the same batch (same HS code and origin);
//   origin:         a preferential claim needs a valid certificate for that
//                   agreement, country and goods.
// Outcomes, least to most severe: no action, tax adjustment, post-release
// verification (核查), audit instruction (稽查) to the enterprise's inland customs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/core/money.hpp"
#include "actors/customs/reference_data.hpp"
#include "actors/customs/tax.hpp"

namespace hub::customs {

enum class audit_outcome : uint8_t {
  no_action = 0,
  tax_adjustment = 1,
  verification = 2,
  audit_instruction = 3,
};
const char* to_string(audit_outcome x); ///< "no-action", "tax-adjustment", "verification", "audit-instruction"

/// An advance ruling (预裁定, GACC Decree 236) held by an enterprise.
struct advance_ruling {
  std::string id;
  std::string holder;          ///< enterprise code
  enum kind_t : uint8_t { classification = 0, valuation = 1 } kind = classification;
  std::string description;     ///< goods the ruling covers (matched case-insensitively as substring)
  std::string hs;              ///< classification: the ruled 10-digit code; valuation: the goods' code
  cents min_unit_value = 0;    ///< valuation: accepted range per unit, CNY cents
  cents max_unit_value = 0;
  int64_t valid_from_ms = 0, valid_until_ms = 0;
};

/// One released goods item under review.
struct audit_item {
  tax_item goods;              ///< as declared (hs, value, currency, origin, claim, quantity, unit)
  std::string description;
  std::string certificate;     ///< certificate of origin number quoted; empty = none
  double net_kg = 0;
};

/// One released declaration under review.
struct audit_case {
  std::string case_id;
  std::string enterprise;
  int64_t released_at_ms = 0;
  std::vector<audit_item> items;
  assessment assessed;         ///< what was assessed (and paid or guaranteed) at release
  std::vector<advance_ruling> rulings; ///< rulings the enterprise holds (valid at release)
};

struct audit_finding {
  uint16_t item = 0;           ///< 0-based item index
  enum area_t : uint8_t { classification = 0, value = 1, origin = 2 } area = classification;
  audit_outcome outcome = audit_outcome::no_action;
  std::string reason;          ///< for officers and the enterprise: what differs and by how much
  cents adjustment = 0;        ///< additional tax (negative = refund) this finding implies
};

struct case_result {
  std::string case_id;
  audit_outcome outcome = audit_outcome::no_action; ///< the most severe finding's (or raised, see note)
  std::vector<audit_finding> findings;
  cents adjustment = 0;        ///< total additional tax
  std::string note;            ///< why the outcome is above the most severe finding ("" if it is not)
};

struct audit_policy {
  ppm similar_deviation = 400'000;   ///< unit value below the batch median by more than this: verification
  ppm severe_undervaluation = 500'000; ///< below the reference minimum by more than this: audit instruction
  cents min_adjustment = 5000;       ///< adjustments below CNY 50 are not raised (small-amount rule)
  uint32_t audit_after_findings = 3; ///< enterprise with this many findings in one batch: audit instruction
};

/// Per commodity group report (SR-05.5, SR-06.2).
struct group_report {
  size_t cases = 0;
  std::map<audit_outcome, size_t> outcomes;
  cents adjustments = 0;
  struct unit_values { size_t count = 0; cents median = 0, min = 0, max = 0; };
  std::map<std::string, unit_values> by_hs; ///< unit value distribution per HS code (CNY cents)
};

/// Reviews a batch. Deterministic: the same batch gives the same results in the same
/// order (one per case, in input order). `report` is reset and filled for this batch.
/// The exact rules are written at the top of post_release_audit.cpp.
std::vector<case_result> audit_batch(const reference_data& ref, const std::vector<audit_case>& batch,
                                     const audit_policy& policy, int64_t now_ms,
                                     group_report& report);

} // namespace hub::customs
