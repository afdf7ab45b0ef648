@0xc7fbd73b577c9c8a;
# Free-text trade message between parties (documentType "trade.message"): notices,
# requests for information, replies. The simplest document the hub routes to a
# recipient party through the outbox.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");

struct TradeMessage {
  subject @0 :Text;            # required, at most 200 characters
  body @1 :Text;               # at most 64 KiB
  references @2 :List(Text);   # related document ids (declaration ids, waybill numbers)
}
