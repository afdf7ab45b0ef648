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
