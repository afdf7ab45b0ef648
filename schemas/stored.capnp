@0xc849a885e0f1bcef;
# Records the hub keeps in LMDB. Not a partner contract, but versioned the same way
# (append-only ordinals) because old databases must stay readable.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::stored");

# documents table, key = sequence (u64 big-endian)
struct StoredDocument {
  sequence @0 :UInt64;
  sender @1 :Text;
  messageId @2 :Data;
  documentType @3 :Text;
  recipient @4 :Text;
  digest @5 :Data;
  hubTime @6 :Int64;
  frame @7 :Data;          # the Frame (holding the envelope) exactly as received
}

# dedupe table, key = sender 0x00 messageId
struct DedupeEntry {
  sequence @0 :UInt64;
  digest @1 :Data;
  hubTime @2 :Int64;
  documentType @3 :Text;
  recipient @4 :Text;
  delivered @5 :Bool;
  caseKey @6 :Data;        # the customs case the document opened or changed (cases table key)
  evidenceIndex @7 :UInt64; # the document's evidence record (0: stored before it was kept)
  evidenceHash @8 :Data;    # that record's hash (a duplicate's receipt carries both)
}

# outbox table, key = notification id (u64 big-endian)
struct OutboxEntry {
  recipient @0 :Text;
  createdAt @1 :Int64;
  union {
    deliverySequence @2 :UInt64;  # deliver the stored document with this sequence
    notification @3 :Data;        # a prebuilt wire Notification (status changes)
  }
}

# A party's public key with its validity (rotation ends an old key's validity).
struct KeyRecord {
  id @0 :Text;
  publicKey @1 :Text;      # CURVE: Z85; signing: SubjectPublicKeyInfo PEM
  validFrom @2 :Int64;     # Unix ms, 0 = always
  validUntil @3 :Int64;    # Unix ms, 0 = open-ended
}

# parties table, key = party id
struct PartyRecord {
  id @0 :Text;
  role @1 :Text;
  name @2 :Text;
  curvePublicKey @3 :Text; # first CURVE key (Z85), kept for readers of version 1 records
  enabled @4 :Bool;
  curveKeys @5 :List(KeyRecord);
  signingKeys @6 :List(KeyRecord);
  signatureAlgorithms @7 :List(Text);
}

enum EvidenceKind {
  document @0;     # a document was accepted (its content digest)
  decision @1;     # the hub decided something (delivery confirmed, key rotated, ...)
  checkpoint @2;   # the hub signed the chain head
}

# evidence table, key = index (u64 big-endian, from 1). A hash chain: each record holds
# the previous record's hash; `hash` covers every other field (actors/store/evidence.hpp).
struct EvidenceRecord {
  index @0 :UInt64;
  prevHash @1 :Data;
  kind @2 :EvidenceKind;
  hubTime @3 :Int64;
  sequence @4 :UInt64;          # document: its sequence
  party @5 :Text;               # document: sender; decision: the party concerned
  messageId @6 :Data;
  digest @7 :Data;              # document: content digest; decision: digest of what was decided
  detail @8 :Text;              # decision: what was decided, for people
  checkpointKeyId @9 :Text;     # checkpoint: hub key id
  checkpointSignature @10 :Data; # checkpoint: signature over index and prevHash
  hash @11 :Data;
  frameHash @12 :Data;          # document: SHA-256 of the frame exactly as stored
}

# customs cases (actors/customs/case_record.hpp), cases table, key = 18-digit case id.
struct StoredCaseItem {
  hs @0 :Text;
  description @1 :Text;
  unit @2 :Text;
  currency @3 :Text;
  origin @4 :Text;
  claim @5 :Text;
  certificate @6 :Text;
  rulingId @7 :Text;
  quantity @8 :Float64;
  netKg @9 :Float64;
  value @10 :Int64;          # in `currency`, 1/100 units
  licences @11 :List(Text);  # licence ids quoted
}

# A quantity a case holds on a licence (reserved at acceptance, given back on
# cancellation or refusal).
struct StoredDrawdown {
  licence @0 :Text;
  item @1 :UInt16;
  quantity @2 :Float64;      # before issue 16 only; read when `units` is 0
  units @3 :Int64;           # the quantity in 1/100000 units (actors/core/quantity.hpp)
}

struct StoredItemTax {
  valueCny @0 :Int64;        # CNY cents
  dutyRate @1 :Int64;        # ppm
  preferential @2 :Bool;
  duty @3 :Int64;
  consumptionTax @4 :Int64;
  vat @5 :Int64;
}

struct StoredCaseEvent {
  at @0 :Int64;
  status @1 :Text;
  detail @2 :Text;
}

struct StoredEvidence {
  kind @0 :UInt16;
  reference @1 :Text;
  sha256 @2 :Text;           # hex
}

# What one agency must do on a case (single window).
struct StoredAgencyTask {
  agency @0 :Text;
  state @1 :Text;            # pending, approved, rejected, inspection, documents
  reason @2 :Text;
  deadline @3 :Int64;
  escalated @4 :Bool;
}

struct StoredCase {
  caseId @0 :Text;
  declarant @1 :Text;
  declarationId @2 :Text;
  messageId @3 :Data;
  sequence @4 :UInt64;
  enterprise @5 :Text;
  customsUnit @6 :Text;
  import @7 :Bool;
  tier @8 :Text;
  settlement @9 :Text;
  stage @10 :Text;
  status @11 :Text;
  waitingOn @12 :Text;
  items @13 :List(StoredCaseItem);
  itemTaxes @14 :List(StoredItemTax);
  valueCny @15 :Int64;
  duty @16 :Int64;
  consumptionTax @17 :Int64;
  vat @18 :Int64;
  total @19 :Int64;
  selfAssessed @20 :Int64;   # -1: none declared
  due @21 :Int64;
  reserved @22 :Int64;
  paid @23 :Int64;
  period @24 :Text;
  lane @25 :Text;
  decision @26 :Text;        # the lane decision, canonical JSON (replayed by `swhub customs explain`)
  facts @27 :Text;           # what the risk engine saw, JSON
  decidedAt @28 :Int64;
  valuationEvidence @29 :Bool;
  evidence @30 :List(StoredEvidence);
  inspection @31 :Text;
  amendmentRequired @32 :Bool;
  amendments @33 :UInt32;
  lodgedAt @34 :Int64;
  releasedAt @35 :Int64;
  closedAt @36 :Int64;
  auditsPending @37 :List(Text);
  audit @38 :List(Text);     # one JSON object per tax centre review
  history @39 :List(StoredCaseEvent);
  drawdowns @40 :List(StoredDrawdown);
  agencies @41 :List(StoredAgencyTask);
  charged @42 :Int64;        # derived: the sum of the claims' notAssessed (read only from d7807f1's records)
  disclosed @43 :Int64;      # tax disclosed voluntarily or not (customs.disclosure), in total
  unused44 @44 :Int64;       # written only by d7807f1: disclosed tax open (read into one claim)
  unused45 @45 :Int64;       # written only by d7807f1: of it, voluntary
  claims @46 :List(StoredDisclosureClaim);
}

# Tax made payable after release for some items of a case (a disclosure, or the part
# of a review's adjustment not covered by one): what a later review of those items may
# still match (disclosures only), and what the assessment does not include yet (a
# correction that puts it there uses it up: never charged twice).
struct StoredDisclosureClaim {
  disclosureId @0 :Text;     # the disclosureId; "review:" + tax centre for a review's charge
  items @1 :List(UInt16);    # 0-based item indices
  open @2 :Int64;            # CNY cents a later review of these items may still match
  voluntary @3 :Bool;        # disclosed before customs knew
  notAssessed @4 :Int64;     # CNY cents not in the assessment yet
  fromReview @5 :Bool;       # a review's charge (never matched by a review)
}
