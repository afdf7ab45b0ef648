#pragma once
// Every typed actor interface of the hub, the message types they exchange, and the
// CAF type-ID block. Reading this file tells you what the hub can say to itself.
// Kept light: caf/fwd.hpp, caf/replies_to.hpp, caf/type_id.hpp and plain structs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>

namespace hub {

using bytes = std::vector<uint8_t>;

/// A frame from a partner that the gateway authenticated and checked for kind and
/// size. `route` is the ZeroMQ routing id of the connection it came on; answers go
/// back on that connection.
struct submission {
  std::string party;
  bytes route;
  bytes frame; // the whole Frame (envelope inside), exactly as received
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submission& x) {
  return f(caf::meta::type_name("submission"), x.party, x.route, x.frame);
}

/// One put or erase in a named table, committed in the next group commit.
struct table_op {
  std::string table;
  bytes key;
  bytes value;
  bool erase = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, table_op& x) {
  return f(caf::meta::type_name("table_op"), x.table, x.key, x.value, x.erase);
}

/// A decision the hub took, recorded in the evidence log in the same commit as the
/// state change that carries it out.
struct decision_record {
  std::string party;  ///< the party concerned
  bytes message_id;   ///< the message it concerns (may be empty)
  uint64_t sequence = 0;
  bytes digest;       ///< digest of what was decided
  std::string detail; ///< what was decided, for people ("delivered notification 7")
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_record& x) {
  return f(caf::meta::type_name("decision_record"), x.party, x.message_id, x.sequence,
           x.digest, x.detail);
}

/// A status notification to push to `recipient` through the durable outbox. The store
/// assigns its notification id in the commit that creates it.
struct notice {
  std::string recipient;
  bytes notification; ///< a wire Notification (status union); its id is set when sent
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notice& x) {
  return f(caf::meta::type_name("notice"), x.recipient, x.notification);
}

/// State changes committed atomically: table puts/erases, the decisions they carry
/// out (appended to the evidence log) and the notifications they cause.
struct write_set {
  std::vector<table_op> ops;
  std::vector<decision_record> decisions;
  std::vector<notice> notices;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_set& x) {
  return f(caf::meta::type_name("write_set"), x.ops, x.decisions, x.notices);
}

/// What the commit of a write_set did.
struct write_result {
  uint64_t commit = 0;
  std::vector<uint64_t> notice_ids; ///< outbox ids of the notices, in order
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_result& x) {
  return f(caf::meta::type_name("write_result"), x.commit, x.notice_ids);
}

/// A document to commit together with its dedupe record (and an outbox entry when
/// `deliver` is set). The store assigns the sequence inside the commit.
struct document_write {
  std::string sender;
  bytes message_id;
  bytes digest;
  std::string document_type;
  std::string recipient;
  bytes frame;
  bool deliver = false;
  /// State the document changes (e.g. a key rotation), committed with it only if the
  /// document is new, and the decisions that record it in the evidence log.
  std::vector<table_op> ops;
  std::vector<decision_record> decisions;
  std::vector<notice> notices;
  /// Case the document opens or changes, in the terms of the module owning the
  /// document's type: kept on its dedupe record so that a status query about the
  /// document answers with the case's status (running_module::status_of).
  std::string case_key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, document_write& x) {
  return f(caf::meta::type_name("document_write"), x.sender, x.message_id, x.digest,
           x.document_type, x.recipient, x.frame, x.deliver, x.ops, x.decisions, x.notices,
           x.case_key);
}

/// What the commit did with one document_write.
struct document_commit {
  uint64_t sequence = 0;        ///< the document's sequence (the original one if `existed`)
  int64_t hub_time = 0;         ///< commit time, Unix ms (the original one if `existed`)
  uint64_t notification_id = 0; ///< outbox entry created for delivery, 0 if none
  bool existed = false;         ///< (sender, message id) was already stored
  bytes digest;                 ///< stored digest (differs from the write's on reuse)
  std::vector<uint64_t> notice_ids; ///< outbox ids of the write's notices (none if `existed`)
  uint64_t evidence_index = 0;  ///< the document's evidence record (the original one if `existed`)
  bytes evidence_hash;          ///< that record's hash: what its receipt witnesses
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, document_commit& x) {
  return f(caf::meta::type_name("document_commit"), x.sequence, x.hub_time,
           x.notification_id, x.existed, x.digest, x.notice_ids, x.evidence_index,
           x.evidence_hash);
}

} // namespace hub

CAF_BEGIN_TYPE_ID_BLOCK(hub, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(hub, (hub::submission))
  CAF_ADD_TYPE_ID(hub, (hub::document_write))
  CAF_ADD_TYPE_ID(hub, (hub::document_commit))
  CAF_ADD_TYPE_ID(hub, (hub::table_op))
  CAF_ADD_TYPE_ID(hub, (std::vector<hub::table_op>))
  CAF_ADD_TYPE_ID(hub, (hub::decision_record))
  CAF_ADD_TYPE_ID(hub, (std::vector<hub::decision_record>))
  CAF_ADD_TYPE_ID(hub, (hub::notice))
  CAF_ADD_TYPE_ID(hub, (std::vector<hub::notice>))
  CAF_ADD_TYPE_ID(hub, (hub::write_set))
  CAF_ADD_TYPE_ID(hub, (hub::write_result))
  CAF_ADD_ATOM(hub, hub::atom, status, "status")
  CAF_ADD_ATOM(hub, hub::atom, put, "put")
  CAF_ADD_ATOM(hub, hub::atom, write, "write")
  CAF_ADD_ATOM(hub, hub::atom, flush, "flush")
  CAF_ADD_ATOM(hub, hub::atom, submit, "submit")
  CAF_ADD_ATOM(hub, hub::atom, deliver, "deliver")
  CAF_ADD_ATOM(hub, hub::atom, ack, "ack")
  CAF_ADD_ATOM(hub, hub::atom, online, "online")
  CAF_ADD_ATOM(hub, hub::atom, resend, "resend")
  CAF_ADD_ATOM(hub, hub::atom, ready, "ready")
  CAF_ADD_ATOM(hub, hub::atom, lodge, "lodge")
  CAF_ADD_ATOM(hub, hub::atom, tick, "tick")
  CAF_ADD_ATOM(hub, hub::atom, resync, "resync")
CAF_END_TYPE_ID_BLOCK(hub)

namespace hub {

/// Where domain module `slot`'s CAF type-ID block begins (actors/core/domain_module.hpp):
/// 256 IDs per block after the core's, so modules never collide, whatever order they
/// register in. Slots: 0 customs, 1 ecommerce.
constexpr caf::type_id_t module_type_id_block(unsigned slot) {
  return static_cast<caf::type_id_t>(caf::first_custom_type_id + 256 * (slot + 1));
}
static_assert(caf::id_block::hub::end <= module_type_id_block(0),
              "the core's type-ID block outgrew its 256 IDs");

} // namespace hub

namespace hub {

/// Shared by every component: a one-line health summary.
using status_sig = caf::replies_to<atom::status>::with<std::string>;

/// STORE: the only LMDB writer. Group-commits everything it is given, appending the
/// evidence of each document and decision to the hash-chained log in the same
/// transaction; every reply is sent only after mdb_txn_commit returned for it.
using store_actor = caf::typed_actor<
  status_sig,
  /// Commits a document with its dedupe record; replies with where it landed.
  /// Fails with ec::hub_not_ready while the store cannot write.
  caf::replies_to<atom::put, document_write>::with<document_commit>,
  /// Commits table puts/erases atomically, with the decisions they carry out appended
  /// to the evidence log in the same transaction; replies with the commit number.
  caf::replies_to<atom::write, std::vector<table_op>, std::vector<decision_record>>::with<uint64_t>,
  /// Commits a write_set atomically; replies with the commit number and the ids of
  /// the outbox entries its notices became.
  caf::replies_to<atom::write, write_set>::with<write_result>,
  /// Answers whether the store can write now (false from a map-full or disk error
  /// until a probe commit succeeds).
  caf::replies_to<atom::ready>::with<bool>,
  /// The sender keeps state ahead of its commits and has just rolled it back to what
  /// is stored. From its first resync on, a refused write fences it: its later writes
  /// are refused too, until it sends resync again.
  caf::reacts_to<atom::resync>,
  /// Commits the pending batch now (the store sends this to itself on its timer).
  caf::reacts_to<atom::flush>,
  /// While not ready: probe whether the storage takes writes again (the store's
  /// backoff timer).
  caf::reacts_to<atom::tick>>;

/// INTAKE: validates, dedupes and commits partner frames; answers on the frame's
/// connection. The gateway shards partners over several intakes by party id, so
/// one party's messages are always handled in order by one intake.
using intake_actor = caf::typed_actor<
  status_sig,
  /// A partner frame holding an envelope or a status query.
  caf::reacts_to<atom::submit, submission>,
  /// Its own timer: fails commits past intake.store-timeout-ms.
  caf::reacts_to<atom::tick>>;

/// OUTBOX: pushes durable notifications to partners until they acknowledge them.
using outbox_actor = caf::typed_actor<
  status_sig,
  /// A committed outbox entry: notification id, recipient party, document sequence.
  caf::reacts_to<atom::deliver, uint64_t, std::string, uint64_t>,
  /// A committed status notification: notification id, recipient, wire Notification.
  caf::reacts_to<atom::deliver, uint64_t, std::string, bytes>,
  /// Party acknowledged notifications (party, notification ids, route for errors).
  caf::reacts_to<atom::ack, std::string, std::vector<uint64_t>, bytes>,
  /// Commits the acknowledgements gathered so far (the outbox sends this to itself).
  caf::reacts_to<atom::flush>,
  /// Party said hello on connection `route`: welcome it, send everything pending.
  caf::reacts_to<atom::online, std::string, bytes>,
  /// Re-send timer (the outbox sends this to itself).
  caf::reacts_to<atom::resend>>;

/// A DESK of a domain module for the documents it decides (document_kind::hub_desk;
/// customs: declarations, amendments, inspection results, payments, ...): intake hands
/// over a checked, de-duplicated document; the desk decides, commits the document with
/// its consequences in one transaction, and replies like the store (or with the error
/// the partner gets, in which case nothing was stored).
using lodge_sig = caf::replies_to<atom::lodge, document_write>::with<document_commit>;
using lodge_actor = caf::typed_actor<status_sig, lodge_sig>;

} // namespace hub
