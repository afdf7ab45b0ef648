@0xd3b1b1d5c0a4e7f2;
# Customs case documents after lodgement (issue 4): amendments, inspection results,
# evidence, tax payments, control instructions and advance rulings. Each is the payload
# of an envelope addressed to "hub"; documentType names it (actors/intake/document_types).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");
using Decl = import "declaration.capnp";

# customs.amendment: the declarant changes or withdraws its declaration (SR-12.7).
enum AmendmentKind {
  amend @0;       # before release: replaces the declaration; the risk centre decides again
  cancel @1;      # before release: withdraws it; a guarantee reservation is restored
  correct @2;     # after release, within the correction window: taxes are assessed again
}

struct Amendment {
  declarationId @0 :Text;       # the declaration being changed (declarant's reference)
  kind @1 :AmendmentKind;
  reason @2 :Text;
  replacement @3 :Decl.Declaration;  # amend / correct: the full corrected declaration
}

# customs.inspection-result: the one result of a documentary check or an examination.
enum InspectionOutcome {
  cleared @0;            # nothing found: release may proceed
  documentaryErrors @1;  # only the documents are wrong: release first, amend after (先放行后改单)
  refused @2;            # goods may not enter/leave: the declaration is rejected
}

enum EvidenceKind {
  sample @0;
  image @1;
  scan @2;        # container scanner image
  document @3;
}

# An evidence attachment bound to a declaration by hash (SR-07.3).
struct EvidenceRef {
  kind @0 :EvidenceKind;
  reference @1 :Text;   # sample id, file name or URI
  sha256 @2 :Data;      # 32 bytes
}

struct InspectionResult {
  declarant @0 :Text;          # party id that lodged the declaration
  declarationId @1 :Text;
  outcome @2 :InspectionOutcome;
  findings @3 :Text;           # what was found, shown to the declarant
  evidence @4 :List(EvidenceRef);
}

# customs.valuation-evidence: samples or images taken before release where on-site
# valuation is required (SR-07.3); release waits for it.
struct ValuationEvidence {
  declarant @0 :Text;
  declarationId @1 :Text;
  evidence @2 :List(EvidenceRef);
}

# customs.tax-payment: the declarant paid (self-payment; SR-08.2) the tax of a
# declaration, or of a month's consolidated statement (period "YYYY-MM").
struct TaxPayment {
  declarationId @0 :Text;      # empty when paying a consolidated period
  period @1 :Text;             # "2026-11" for a consolidated statement
  amount @2 :Text;             # CNY decimal; must equal the amount due
  paymentReference @3 :Text;   # the bank's reference
  enterprise @4 :Text;         # consolidated statement: the enterprise it is for
}

# A condition of a control instruction; every field set must hold (AND), list fields
# match if any element does (actors/customs/risk_engine.hpp, `condition`).
struct RiskCondition {
  hsPrefixes @0 :List(Text);
  origins @1 :List(Text);
  enterprises @2 :List(Text);
  transportDocuments @3 :List(Text);
  tiers @4 :List(Text);        # "advanced-certified", "general-certified", "general-credit", "discredited"
}

enum ControlAction {
  issue @0;     # publish now within the sender's own level and district
  propose @1;   # level 2: ask level 1 to publish it nationally (SR-05.2)
  approve @2;   # level 1: publish a level-2 proposal (instructionId = the proposal's id)
  revoke @3;    # withdraw a published instruction (instructionId)
}

# customs.control-instruction (布控指令), sent by a risk officer (SR-05.1, SR-05.2).
struct ControlInstruction {
  instructionId @0 :Text;
  action @1 :ControlAction;
  lane @2 :Text;               # "yellow" or "red"
  validFrom @3 :Int64;         # Unix ms; 0 = now
  validUntil @4 :Int64;        # Unix ms; expiry, required
  reason @5 :Text;
  when @6 :RiskCondition;
}

enum RulingKind {
  classification @0;   # 预归类
  valuation @1;        # 预审价
}

# customs.advance-ruling (预裁定, GACC Decree 236), registered by a tax officer.
struct AdvanceRuling {
  rulingId @0 :Text;
  holder @1 :Text;             # enterprise code (importer/exporter id in declarations)
  kind @2 :RulingKind;
  description @3 :Text;        # the goods it covers
  hsCode @4 :Text;             # 10 digits: the ruled code (classification) or the goods' code
  minUnitValue @5 :Text;       # valuation: accepted customs value per unit, CNY decimal
  maxUnitValue @6 :Text;
  validFrom @7 :Int64;         # Unix ms
  validUntil @8 :Int64;        # Unix ms; at most 3 years after validFrom
}

# customs.credit-decision (SR-14.1): an enterprise-management (credit) officer certifies,
# revokes or rates an enterprise's credit. It applies to the enterprise's declarations
# from effectiveFrom on, is recorded in its tier history and told to the enterprise.
struct CreditDecision {
  enterprise @0 :Text;         # enterprise code (importer/exporter id in declarations)
  tier @1 :Text;               # advanced-certified, general-certified, general-credit, discredited
  reason @2 :Text;             # why: certification audit, revocation, penalty, restoration
  effectiveFrom @3 :Int64;     # Unix ms; 0 = when the hub commits it
}

# customs.disclosure (SR-14.3, 主动披露): the declarant discloses an error in one of its
# released declarations before customs finds it; the tax is corrected, the penalty
# waived or lighter (customs.toml [disclosure]) and the credit tier kept.
struct Disclosure {
  disclosureId @0 :Text;       # the sender's id for it, unique per sender
  declarationId @1 :Text;      # the released declaration the error is in
  violationDate @2 :Int64;     # Unix ms when the error was made; 0 = the declaration's lodgement
  taxUnderpaid @3 :Text;       # CNY decimal the declaration under-paid; empty or "0.00" if none
  description @4 :Text;        # what was wrong
  items @5 :List(UInt16);      # the declaration's items the error is in: 1 = its first item
}

# agency.licence: a licensing agency registers a licence (import/export licence,
# quarantine permit, CITES permit, ...) that declarations then draw on, quantity by
# quantity (logistics-and-bonded.md §5).
struct Licence {
  licenceId @0 :Text;
  licenceType @1 :Text;        # e.g. "automatic-import-licence" (config/reference/restricted.toml)
  holder @2 :Text;             # enterprise code
  hsPrefixes @3 :List(Text);   # goods it covers (2 to 10 digits each)
  quantity @4 :Float64;        # authorised quantity, in `unit`
  unit @5 :Text;               # UN/ECE Rec. 20, the tariff's statutory unit of the goods
  validFrom @6 :Int64;         # Unix ms
  validUntil @7 :Int64;        # Unix ms
}

# agency.decision: an agency's answer on a declaration routed to it (single window).
enum AgencyVerdict {
  approve @0;
  reject @1;           # the goods may not enter/leave: the declaration is refused
  needInspection @2;   # joins customs' inspection, or asks for one: one inspection for all
  needDocuments @3;    # the declarant must provide documents to the agency first
}

struct AgencyDecision {
  caseId @0 :Text;
  verdict @1 :AgencyVerdict;
  reason @2 :Text;     # shown to the declarant with the agency's name
}
