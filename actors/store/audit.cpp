#include "actors/store/audit.hpp"

#include <map>
#include <set>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/storage.hpp"
#include "schemas/frame.capnp.h"
#include "schemas/stored.capnp.h"

namespace hub {

namespace {

/// Checks one document record against the documents table, recomputing the content
/// digest from the frame as received.
void check_document(const store_reader& db, const evidence_entry& e, audit_report& rep) {
  auto raw = db.get(table::documents, be64(e.sequence));
  if (!raw) {
    rep.problems.push_back({e.index, e.sequence, "document " + std::to_string(e.sequence)
                                                   + " is missing (removed)"});
    return;
  }
  auto msg = aligned_message::copy(raw->data(), raw->size(), ec::store_failure);
  std::string problem;
  auto err = msg ? with_root<stored::StoredDocument>(*msg, ec::store_failure,
                                                     [&](stored::StoredDocument::Reader d) {
    auto dg = d.getDigest();
    auto id = d.getMessageId();
    if (std::string{d.getSender().cStr()} != e.party || bytes(id.begin(), id.end()) != e.message_id)
      problem = "sender or message id differ from the evidence";
    else if (bytes(dg.begin(), dg.end()) != e.digest)
      problem = "its stored digest differs from the evidence";
    auto fr = d.getFrame();
    if (problem.empty() && sha256(fr.begin(), fr.size()) != e.frame_hash)
      problem = "its stored frame differs from the one accepted (altered)";
    auto inner = aligned_message::copy(fr.begin(), fr.size(), ec::store_failure);
    if (!inner) {
      problem = "its frame is unreadable";
      return caf::error{};
    }
    auto ferr = with_root<wire::Frame>(*inner, ec::store_failure, [&](wire::Frame::Reader f) {
      auto env = f.getEnvelope();
      auto corr = env.getCorrelationId();
      auto payload = env.getPayload();
      auto actual = content_digest(env.getDocumentType().cStr(), env.getRecipient().cStr(),
                                   bytes(corr.begin(), corr.end()), payload.begin(),
                                   payload.size());
      if (problem.empty() && actual != e.digest)
        problem = "its content does not match the evidence digest (altered)";
      return caf::error{};
    });
    if (ferr && problem.empty())
      problem = "its frame is unreadable";
    return caf::error{};
  })
                 : msg.error();
  if (err && problem.empty())
    problem = "its record is unreadable";
  if (!problem.empty())
    rep.problems.push_back({e.index, e.sequence,
                            "document " + std::to_string(e.sequence) + ": " + problem});
}

} // namespace

std::string hash_difference(const bytes& actual, const bytes& expected) {
  auto a = to_hex(actual), b = to_hex(expected);
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i])
    ++i;
  return (a.empty() ? std::string{"(none)"} : a) + ", expected "
         + (b.empty() ? std::string{"(none)"} : b) + " (first difference at hex digit "
         + std::to_string(i + 1) + ")";
}

audit_report audit_evidence(const store_reader& db, const crypto::public_key* hub_key) {
  audit_report rep;
  bytes prev(32, 0);
  uint64_t expected = 1;
  std::map<uint64_t, uint64_t> doc_records; // sequence -> evidence index
  db.for_each(table::evidence, [&](const bytes& key, const bytes& val) {
    ++rep.records;
    auto at = from_be64(key);
    auto e = decode_evidence(val);
    if (!e) {
      rep.problems.push_back({at, 0, "record " + std::to_string(at) + " is unreadable"});
      expected = at + 1;
      return true;
    }
    if (at != expected)
      rep.problems.push_back(
        {at, 0, at > expected ? "records " + std::to_string(expected) + ".."
                                  + std::to_string(at - 1) + " are missing (removed)"
                              : "record " + std::to_string(at) + " is out of order"});
    if (e->index != at)
      rep.problems.push_back({at, 0, "record stored at " + std::to_string(at) + " says it is "
                                       + std::to_string(e->index) + " (moved or reordered)"});
    if (evidence_hash(*e) != e->hash)
      rep.problems.push_back({at, e->sequence, "record " + std::to_string(at)
                                                 + " was altered (its hash does not match)"});
    if (e->prev_hash != prev)
      rep.problems.push_back({at, 0, "record " + std::to_string(at)
                                       + " does not follow the record before it (previous "
                                         "hash "
                                       + hash_difference(e->prev_hash, prev)
                                       + "): inserted, removed or reordered records"});
    switch (e->kind) {
      case evidence_entry::document:
        ++rep.documents;
        if (!doc_records.emplace(e->sequence, at).second)
          rep.problems.push_back({at, e->sequence, "document " + std::to_string(e->sequence)
                                                     + " has a second evidence record"});
        check_document(db, *e, rep);
        break;
      case evidence_entry::decision:
        ++rep.decisions;
        break;
      case evidence_entry::checkpoint: {
        ++rep.checkpoints;
        bool valid = false;
        if (hub_key == nullptr) {
          rep.problems.push_back({at, 0, "checkpoint " + std::to_string(at)
                                           + " not verified: no hub public key given"});
        } else if (e->checkpoint_key_id != hub_key->fingerprint()) {
          rep.problems.push_back({at, 0, "checkpoint " + std::to_string(at) + " signed by key "
                                           + e->checkpoint_key_id + ", not the hub key given"});
        } else {
          auto input = checkpoint_signing_input(e->index, e->prev_hash);
          if (crypto::verify(*hub_key, input.data(), input.size(), e->checkpoint_signature))
            rep.problems.push_back({at, 0, "checkpoint " + std::to_string(at)
                                             + " signature is invalid"});
          else
            valid = true;
        }
        if (valid)
          rep.last_checkpoint = at;
        break;
      }
    }
    prev = e->hash;
    expected = at + 1;
    return true;
  });
  rep.head_hash = prev;
  rep.unsigned_tail = rep.records - (rep.last_checkpoint == 0 ? 0 : rep.last_checkpoint);
  // Every stored document must have exactly one evidence record.
  db.for_each(table::documents, [&](const bytes& key, const bytes&) {
    auto seq = from_be64(key);
    if (doc_records.count(seq) == 0)
      rep.problems.push_back({0, seq, "document " + std::to_string(seq)
                                        + " has no evidence record (inserted, or its record "
                                          "was removed)"});
    return true;
  });
  return rep;
}

} // namespace hub
