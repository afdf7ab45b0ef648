@0xe5a1c7d3b9f20461;
# The e-commerce documents on the wire (document types "ecommerce.ceb311" ... see
# docs/protocol.md): a platform, payment company, logistics company or declaring agent
# sends the CEB XML message it sends to China E-Port today, byte for byte, as the
# envelope's payload. The records the hub makes of it are in ceb.capnp.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

struct CebMessage {
  xml @0 :Data;      # the message as sent: a CEBnnnMessage (UTF-8, with or without a
                     # byte-order mark or XML declaration) or a DxpMsg terminal-node
                     # envelope holding one in base64; never re-serialised by the hub
}

# ---- Stored by the e-commerce module (tables ecommerce.*, docs/design.md); never on
# the wire. Personal data (buyer and payer ids, names, phones, addresses) stays inside
# the records; only customs and the sending party are shown them.

# One CEB document as the module keeps it: the record and where it came from.
struct StoredDocument {
  record @0 :Data;        # swhub::ceb::Document (ceb.capnp), flat array
  sender @1 :Text;        # the party that sent it
  messageId @2 :Data;     # the envelope it came in
  index @3 :UInt32;       # its position in that message
  digest @4 :Data;        # SHA-256 of the record: an identical repeat is a duplicate
  at @5 :Int64;           # hub time of its commit, Unix ms
  subscribers @6 :List(Text);  # parties named in BaseSubscribe (dxpAddress) for receipts
}

enum ParcelState {
  waiting @0;      # inventory declared, documents missing or not yet agreeing
  refused @1;      # a matching rule, the quota or the tax guarantee failed
  released @2;     # 800
  inspection @3;   # 500: selected for inspection, waits for the port officer
  cancelled @4;    # CEB623 accepted
  returned @5;     # CEB625 accepted: quota given back
  expired @6;      # documents did not arrive within the matching window
}

# The live (or last) inventory list of an order (table ecommerce.inventories, key
# ebpCode|orderNo): M9 keeps one live inventory per order.
struct StoredInventory {
  doc @0 :StoredDocument;
  state @1 :ParcelState;
  preNo @2 :Text;         # B + yyyyMMdd + 9-digit serial, given at acceptance
  invtNo @3 :Text;        # customsCode + year + I + 9-digit serial, given at decision
  reason @4 :Text;        # why it is refused or what it waits for
  valueUnits @5 :Int64;   # taxable value counted against the buyer's quota (1e-5 CNY)
  taxUnits @6 :Int64;     # retail import tax (1e-5 CNY)
  fullRates @7 :Bool;     # single-item parcel above the per-transaction limit
  buyerKey @8 :Data;      # HMAC-SHA256 of the buyer's id (quota ledger key)
  quotaYear @9 :UInt16;   # calendar year whose quota it consumed (0: none)
  decidedAt @10 :Int64;
  releasedAt @11 :Int64;
  deadline @12 :Int64;    # matching window end while waiting (Unix ms)
  lane @13 :Text;         # "green", "inspection"
  riskReasons @14 :Text;  # why the lane was chosen (officers only)
  returnedQty @15 :List(Int64);  # per inventory line: quantity returned so far (1e-5)
  originalValueUnits @16 :Int64; # value and tax at the decision: returns give back
  originalTaxUnits @17 :Int64;   # shares of these, never more
}

# ecommerce.inspection-result (customs officer at the port): the one result of the
# inspection of an inventory list selected for inspection (returnStatus 500).
struct InventoryInspection {
  invtNo @0 :Text;        # the inventory's 18-character number (from its 399/500 receipts)
  release @1 :Bool;       # true: the goods agree, release (800); false: refuse (100)
  findings @2 :Text;      # what was found, shown to the declaring agent
}
