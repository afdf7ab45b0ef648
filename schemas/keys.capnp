@0xec5927681cd2b211;
# Key management documents (documentType "hub.key-rotation"). A party rotates its own
# keys by sending one, signed with its current signing key where signatures are
# required; a party of an admin role (config [keys] admin-roles) may rotate any
# party's. The new key is valid at once; the party's other keys of that kind stay
# valid for `overlapSeconds` and are refused after that.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

enum KeyKind {
  curve @0;     # the CURVE key that authenticates connections
  signing @1;   # a key that signs documents
}

struct KeyRotation {
  party @0 :Text;             # whose key; empty = the sender's own
  kind @1 :KeyKind;
  newPublicKey @2 :Text;      # curve: Z85 (40 characters); signing: SubjectPublicKeyInfo PEM
  newKeyId @3 :Text;          # signing: the key id signatures will name; empty = fingerprint
  overlapSeconds @4 :UInt32;  # how long the old keys of that kind stay valid
}
