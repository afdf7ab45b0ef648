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

# parties table, key = party id
struct PartyRecord {
  id @0 :Text;
  role @1 :Text;
  name @2 :Text;
  curvePublicKey @3 :Text; # Z85, 40 characters
  enabled @4 :Bool;
}
