@0xbf81e8289f008314;
# What the hub pushes to partners through its durable outbox. Every notification has
# an id that stays the same across re-sends; the partner acknowledges it with an Ack.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("swhub::wire");
using Env = import "envelope.capnp";

# The status vocabulary a declarant sees (SR-06, issue 4 fills in the customs states).
enum DocumentStatus {
  unknown @0;
  received @1;
  accepted @2;
  acceptedWithErrors @3;
  rejected @4;
  documentaryCheck @5;
  forExamination @6;
  released @7;
  auditPending @8;
  closed @9;
  delivered @10;           # the recipient party acknowledged the routed document
}

# A document another party addressed to the receiver, exactly as the hub accepted it.
struct Delivery {
  sequence @0 :UInt64;     # hub commit sequence of the document
  envelope @1 :Env.Envelope;
}

# A change in the status of a document or case the receiver may see.
struct StatusNotification {
  subjectMessageId @0 :Data;   # the receiver's own message the status is about
  caseId @1 :Text;             # the case, once the hub has opened one
  status @2 :DocumentStatus;
  reason @3 :Text;
  at @4 :Int64;                # hub time of the change, Unix epoch ms
  declarationId @5 :Text;      # customs: the declarant's reference of the case
  amountDue @6 :Text;          # customs: tax due or adjusted, CNY decimal ("4623.53"); empty = none
  waitingOn @7 :Text;          # what the case waits for now ("tax payment or guarantee", ...)
}

# One goods item as an agency may see it: only the fields its [[agency]] `fields` allow
# are filled, the others are left empty (zero).
struct AgencyItem {
  sequence @0 :UInt16;
  hsCode @1 :Text;
  description @2 :Text;
  quantity @3 :Float64;
  unit @4 :Text;
  originCountry @5 :Text;
  netWeightKg @6 :Float64;
  customsValue @7 :Text;
  currency @8 :Text;
}

# A declaration routed to an agency for its decision (single window, issue 5). The agency
# answers with an agency.decision document naming caseId; the hub re-sends this until
# the agency acknowledges it, so an agency must treat a caseId it has seen as a repeat.
struct AgencyCase {
  caseId @0 :Text;             # the 18-digit declaration number
  agency @1 :Text;             # the agency id it is routed to
  customsUnit @2 :Text;
  declarationType @3 :Text;    # "import" or "export"
  enterprise @4 :Text;         # importer/exporter code, if the agency may see it
  deadline @5 :Int64;          # answer by (Unix ms); the hub escalates after it
  items @6 :List(AgencyItem);  # only the items routed to this agency
  transportDocuments @7 :List(Text);
  reason @8 :Text;             # why it is routed (the routing rule)
}

# A document for the receiver in its own business format (e-commerce: a CEB receipt
# message such as CEB312Message, exactly as China E-Port would write it).
struct FormattedDocument {
  subjectMessageId @0 :Data;   # the receiver's own message it answers (empty: none)
  format @1 :Text;             # "ceb-xml"
  name @2 :Text;               # the document's own type name, e.g. "CEB622Message"
  content @3 :Data;            # the document, bytes as the format defines them
  status @4 :DocumentStatus;   # what it says, in the hub's vocabulary
  reason @5 :Text;             # the same in words (for logs and people)
}

struct Notification {
  notificationId @0 :UInt64;   # unique per hub; stable across re-sends
  createdAt @1 :Int64;
  union {
    delivery @2 :Delivery;
    status @3 :StatusNotification;
    agencyCase @4 :AgencyCase;
    document @5 :FormattedDocument;
  }
}
