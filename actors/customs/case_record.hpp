#pragma once
// A customs case: one declaration from lodgement to closure, with both tracks of
// SR-07.1 (admissibility: lane, inspection, release; fiscal: assessment, payment or
// guarantee, post-release review). Stored as a Cap'n Proto StoredCase in the `cases`
// table, keyed by the 18-digit declaration number; the lane decision and the facts it
// was taken on are kept as canonical JSON text, written once, so that `swhub customs
// explain` can show and replay them (docs/design.md, "Customs").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/actors.hpp"
#include "actors/core/quantity.hpp"
#include "actors/core/money.hpp"
#include "actors/customs/post_release_audit.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "actors/customs/tax.hpp"

namespace hub::customs {

/// Where a case is in its processing; `status` is what the declarant sees.
enum class stage : uint8_t {
  inspection = 0,  ///< yellow/red lane: waits for the inspection result
  evidence = 1,    ///< waits for valuation evidence (sample, images) before release
  settlement = 2,  ///< waits for payment or a guarantee reservation
  released = 3,    ///< released; post-release review pending
  closed = 4,      ///< reviewed (or nothing to review); final
  rejected = 5,    ///< refused (inspection refused the goods, prohibited goods)
  cancelled = 6,   ///< withdrawn by the declarant before release
};
const char* to_string(stage x);

enum class settlement : uint8_t { payment = 0, guarantee = 1, consolidated = 2 };
const char* to_string(settlement x);

struct case_item {
  std::string hs, description, unit, currency, origin, claim, certificate, ruling_id;
  double quantity = 0, net_kg = 0;
  cents value = 0;
  std::vector<std::string> licences; ///< licence ids quoted
};

/// A quantity the case holds on a licence: reserved when the declaration is accepted,
/// given back if it is cancelled or refused.
struct drawdown {
  std::string licence;
  uint16_t item = 0;
  units quantity = 0; ///< fixed point (actors/core/quantity.hpp)
};

/// An evidence attachment bound to the case by its hash (SR-07.3).
struct evidence_ref {
  uint16_t kind = 0;     ///< wire EvidenceKind
  std::string reference;
  std::string sha256;    ///< hex
};

/// Tax made payable after release for some of the case's items: by a disclosure (a
/// later review's adjustment for those items is reduced by what it still has `open`),
/// or by a review (the part no disclosure covered). What the assessment does not
/// include yet (`not_assessed`) a correction of those items uses up: owed once.
struct disclosure_claim {
  std::string id;              ///< the disclosureId; "review:" + tax centre for a review's charge
  std::vector<uint16_t> items; ///< 0-based item indices
  cents open = 0;              ///< what a review of these items may still match (disclosures)
  bool voluntary = false;      ///< disclosed before customs knew: a review finding it is no violation
  cents not_assessed = 0;
  bool from_review = false;
};

/// What one agency must do on a case (single window).
struct agency_task {
  std::string agency;
  std::string state = "pending"; ///< pending, approved, rejected, inspection, documents
  std::string reason;
  int64_t deadline = 0;
  bool escalated = false;
};

struct case_event {
  int64_t at = 0;
  std::string status; ///< DocumentStatus name at that moment
  std::string detail;
};

struct case_record {
  std::string case_id;         ///< 18 digits: unit(4) year(4) I/E flag(1) serial(9)
  std::string declarant;       ///< party id that lodged it
  std::string declaration_id;  ///< the declarant's reference
  bytes message_id;            ///< the latest declaration document (lodgement or amendment)
  uint64_t sequence = 0;       ///< unused (0): the document sequence is on the dedupe record of message_id
  std::string enterprise;      ///< importer (import) / exporter (export) code
  std::string customs_unit;
  bool import = true;
  tier credit = tier::general_credit;
  enum settlement settle = settlement::payment;
  enum stage at = stage::settlement;
  std::string status = "accepted"; ///< wire DocumentStatus name
  std::string waiting_on;
  std::vector<case_item> items;
  assessment assessed;
  cents self_assessed = -1;    ///< -1: none declared
  cents due = 0;               ///< to pay now for release, or after an audit adjustment
  cents reserved = 0;          ///< on the enterprise's guarantee
  cents paid = 0;
  cents disclosed = 0;         ///< tax disclosed (customs.disclosure), in total
  std::vector<disclosure_claim> claims; ///< disclosed tax no review has matched yet, per disclosure
  std::string period;          ///< consolidated: the statement month "YYYY-MM"
  std::string lane;            ///< "green", "yellow", "red"; empty before the decision
  std::string decision;        ///< the lane decision as canonical JSON (hits, draws, seed, rule-set version)
  std::string facts;           ///< what the risk engine saw, JSON (for replay)
  int64_t decided_at = 0;      ///< time the lane was decided (replay input)
  bool valuation_evidence = false;  ///< required before release
  std::vector<evidence_ref> evidence;
  std::string inspection;      ///< "", "cleared", "documentaryErrors", "refused"
  bool amendment_required = false;  ///< released first, amendment due (先放行后改单)
  uint32_t amendments = 0;
  int64_t lodged_at = 0, released_at = 0, closed_at = 0;
  std::vector<std::string> audits_pending; ///< tax centre ids still reviewing
  std::vector<std::string> audit; ///< one JSON object per tax centre review (findings)
  std::vector<case_event> history;
  std::vector<drawdown> drawdowns;
  std::vector<agency_task> agencies;

  /// A post-release verification (核查) or audit (稽查) is under way: only the officer's
  /// result ends it (status auditPending, waitingOn naming it).
  bool review_under_way() const {
    return status == "auditPending"
           && (waiting_on.rfind("post-release verification", 0) == 0 || waiting_on.rfind("audit", 0) == 0);
  }
  /// All the case waits for is a payment.
  bool awaits_payment() const { return waiting_on.rfind("payment", 0) == 0; }
  /// Tax made payable after release (review adjustments, disclosed tax) that the
  /// assessment does not include: the sum of the claims' `not_assessed`, so the two
  /// cannot disagree. Each addition was checked against the amount limit.
  cents charged() const {
    cents sum = 0;
    for (auto& cl : claims)
      sum += cl.not_assessed;
    return sum;
  }
  bool released_already() const { return at >= stage::released && at != stage::cancelled && at != stage::rejected; }
  bool final() const { return at == stage::closed || at == stage::rejected || at == stage::cancelled; }
  /// Final and nothing left to collect or review: the case may leave memory.
  bool settled() const { return final() && audits_pending.empty() && reserved == 0 && due == 0; }
  /// What one payment for this case must be: before release the tax due for release;
  /// after it, what is due (correction, adjustment, disclosure) plus the tax the
  /// guarantee still secures (a consolidated statement is paid on its own).
  cents payable() const {
    if (at < stage::released)
      return due > 0 ? due : assessed.total - paid;
    return due + (settle == settlement::consolidated ? 0 : reserved);
  }
};

/// The case for people (swhub customs case): every field, decision and facts as JSON.
nlohmann::json to_json(const case_record& c);
/// The stored form (Cap'n Proto StoredCase), and back; a damaged record is an error.
bytes encode_case(const case_record& c);
caf::expected<case_record> decode_case(const bytes& b);

/// Canonical JSON text of a lane decision and of the facts it was taken on. Built
/// without an intermediate tree (they are written for every declaration); the same
/// input always gives the same bytes, which is what replay compares.
std::string decision_text(const lane_decision& d);
std::string facts_text(const declaration_facts& f);
caf::expected<declaration_facts> facts_from_json(const nlohmann::json& j);

/// An advance ruling as stored in the rulings table (JSON), and back (nothing if damaged).
bytes ruling_to_bytes(const advance_ruling& r);
std::optional<advance_ruling> ruling_from_bytes(const bytes& b);

/// What a status query shows the declarant about a case.
struct case_view {
  std::string case_id, declaration_id, status, reason, amount_due, waiting_on;
};
case_view view_of(const case_record& c);

/// Keys of the customs tables (docs/design.md, "Storage layout").
std::string case_ref_key(std::string_view declarant, std::string_view declaration_id);
std::string audit_queue_key(std::string_view centre, std::string_view case_id);

} // namespace hub::customs
