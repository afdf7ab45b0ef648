@0xb699c55635a6d24f;
# The wire contract shared by every partner: the envelope that carries any document,
# and the receipt the hub answers with. Ordinals are only ever appended (capnp
# "Evolving Your Protocol"); a new document family never changes these structs.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

enum SignatureAlgorithm {
  none @0;
  ecdsaP256Sha256 @1;   # default (X9.62 DER signature over SHA-256)
  sm2Sm3 @2;            # China E-port certificates
  ed25519 @3;
}

# A detached signature over the envelope's content digest (see docs/protocol.md).
# Carried from day one; verified by the trust layer.
struct Signature {
  keyId @0 :Text;
  algorithm @1 :SignatureAlgorithm;
  value @2 :Data;
}

struct Envelope {
  messageId @0 :Data;        # exactly 16 bytes, chosen by the sender, unique per sender
  sender @1 :Text;           # party id; must equal the party authenticated by CURVE
  recipient @2 :Text;        # "hub" or a registered party id the document is addressed to
  documentType @3 :Text;     # e.g. "customs.declaration"; decides the payload's schema
  createdAt @4 :Int64;       # sender's clock, Unix epoch milliseconds
  correlationId @5 :Data;    # empty or 16 bytes: the message this one relates to
  payload @6 :Data;          # the document: a Cap'n Proto message of documentType's schema
  signature @7 :Signature;   # optional detached signature (keyId empty = unsigned)
}

enum ReceiptStatus {
  accepted @0;    # durably committed; the promise holds across crashes
  rejected @1;    # nothing was stored; errorCode says why
  duplicate @2;   # this (sender, messageId) was accepted before with the same content;
                  # sequence, digest and hubTime are those of the original acceptance
}

struct Receipt {
  messageId @0 :Data;        # as sent (empty if the frame could not be read at all)
  status @1 :ReceiptStatus;
  errorCode @2 :UInt16;      # 0 unless rejected; stable numbers, see docs/protocol.md
  errorName @3 :Text;        # stable symbolic name of errorCode, e.g. "spoofed_sender"
  reason @4 :Text;           # human-readable detail a partner can act on
  retryable @5 :Bool;        # true if sending the same message later may succeed
  digest @6 :Data;           # SHA-256 of the content received (docs/protocol.md)
  hubTime @7 :Int64;         # hub clock, Unix epoch ms: commit time, or rejection time
  sequence @8 :UInt64;       # hub-wide commit sequence of the stored document; 0 if none
  party @9 :Text;            # the party the receipt was issued to (signed, see below)
  hubKeyId @10 :Text;        # id of the hub key that signed it (fingerprint of its public key)
  hubSignature @11 :Data;    # hub signature over the root of the receipt batch
  hubBatchPath @12 :List(Data);  # Merkle path from this receipt to that root
                             # (docs/protocol.md, "Signed receipts")
  evidenceIndex @13 :UInt64; # accepted/duplicate: index of the document's record in the
                             # hub's evidence log; 0 if none (rejected, or an older hub)
  evidenceHash @14 :Data;    # that record's hash; signed through the first entry of
                             # hubBatchPath (docs/protocol.md, "Signed receipts")
}
