@0xf695d6c8bed45923;
# Foreign customs under a mutual-recognition arrangement (issue 11, SR-18): the AEO
# data a partner customs administration exchanges with China Customs. Each is the
# payload of an envelope addressed to "hub"; documentType names it. Field names follow
# the EU-US data set's seven elements (aeo-and-3m.md section 2). Fields are appended,
# never renumbered.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

# (3) membership status and (5) suspension or revocation, in one.
enum AeoStatus {
  valid @0;       # certified, benefits apply
  suspended @1;   # temporarily not certified: no benefits until valid again
  revoked @2;     # certification ended by the customs
  withdrawn @3;   # left the exchange (operator's consent withdrawn, programme left)
}

# (7) other details agreed between the customs.
struct AeoExtra {
  key @0 :Text;
  value @1 :Text;
}

# One operator of the partner's programme.
struct AeoRecord {
  id @0 :Text;               # (6) unique identifier in the MRA's scheme: EORI, C-TPAT account, UEN...
  name @1 :Text;             # (1) operator name
  address @2 :Text;          # (2) address
  status @3 :AeoStatus;
  validatedAt @4 :Int64;     # (4) validation or authorisation date, Unix ms
  programme @5 :Text;        # the partner's authorisation type: "AEOS", "AEOF", "C-TPAT"...
  version @6 :UInt64;        # the partner's version of this record (> 0); a higher one replaces it
  changedAt @7 :Int64;       # when the partner changed it, Unix ms
  reason @8 :Text;           # why suspended, revoked or withdrawn
  extras @9 :List(AeoExtra);
}

# foreign.aeo-batch: a part of the partner's full list (snapshot) or its changes since
# the last batch (delta). Records are applied by version: one the hub holds at the same
# or a higher version is left as it is, so a batch sent twice changes nothing.
struct AeoBatch {
  batchId @0 :Text;          # the partner's id for this batch, for its receipt
  dataSet @1 :Text;          # the data-set version the MRA descriptor names
  snapshot @2 :Bool;         # part of a full list (informative: absent records are not withdrawn)
  records @3 :List(AeoRecord);
}
