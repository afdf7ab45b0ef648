@0xb10fd82956706971;
# Frame: the only root type on the ZeroMQ link, in both directions. One ZeroMQ message
# part carries one Frame. Partners send hello, envelope, ack and statusQuery; the hub
# sends welcome, receipt, notification and statusReply.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");
using Env = import "envelope.capnp";
using Note = import "notification.capnp";

# First frame on a new connection: lets the hub route notifications to it.
struct Hello {
  clientName @0 :Text;     # free text for logs, e.g. "swhub-cli 0.1"
}

struct Welcome {
  party @0 :Text;          # the party the hub authenticated this connection as
  hubId @1 :Text;
  pendingNotifications @2 :UInt32;
}

# Acknowledges notifications; the hub stops re-sending them. One frame may acknowledge
# up to 1,000 (notificationId and up to 999 in `more`): a partner that takes many
# notifications at once acknowledges them in one frame instead of one frame each.
struct Ack {
  notificationId @0 :UInt64;
  more @1 :List(UInt64);   # further notification ids; each is acknowledged on its own
}

# Asks for the status of one of the caller's own messages.
struct StatusQuery {
  messageId @0 :Data;
  queryId @1 :UInt64;      # echoed in the reply so a client can match answers
}

struct StatusReply {
  queryId @0 :UInt64;
  messageId @1 :Data;
  status @2 :Note.DocumentStatus;   # unknown if the hub holds no such message of the caller
  sequence @3 :UInt64;
  hubTime @4 :Int64;
  documentType @5 :Text;
  digest @6 :Data;
  recipient @7 :Text;
  errorCode @8 :UInt16;    # non-zero if the query itself was refused
  reason @9 :Text;
  # customs: the case the document belongs to, and its state in the declarant's terms
  caseId @10 :Text;
  declarationId @11 :Text;
  amountDue @12 :Text;     # CNY decimal; empty = nothing due
  waitingOn @13 :Text;     # what the case waits for now; empty = nothing
}

struct Frame {
  union {
    hello @0 :Hello;
    welcome @1 :Welcome;
    envelope @2 :Env.Envelope;
    receipt @3 :Env.Receipt;
    notification @4 :Note.Notification;
    ack @5 :Ack;
    statusQuery @6 :StatusQuery;
    statusReply @7 :StatusReply;
  }
}
