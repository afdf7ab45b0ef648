#include "actors/store/audit.hpp"

#include "actors/core/domain_module.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/store/audit_tables.hpp"
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

/// What the chain walk keeps of each document record.
struct chain_document {
  uint64_t index = 0;
  bytes hash;
};

/// The chain as walked: its documents, which of the newest versioned records its
/// decisions name, and the records the witnesses (and the store's head) point at.
struct chain_view {
  std::map<uint64_t, chain_document> documents; // sequence -> record
  std::vector<bool> versioned_named; // answers store_references::versioned, in order
  std::map<uint64_t, std::optional<evidence_entry>> wanted; // index -> record, if present
  uint64_t last_document = 0;                   // highest sequence in the chain
};

void walk_chain(const store_reader& db, const crypto::public_key* hub_key,
                const store_references& refs, chain_view& chain, audit_report& rep) {
  chain.versioned_named.assign(refs.versioned.size(), false);
  bytes prev(32, 0);
  uint64_t expected = 1;
  db.for_each(table::evidence, [&](const bytes& key, const bytes& val) {
    ++rep.records;
    auto at = from_be64(key);
    rep.head_index = at;
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
        if (!chain.documents.emplace(e->sequence, chain_document{at, e->hash}).second)
          rep.problems.push_back({at, e->sequence, "document " + std::to_string(e->sequence)
                                                     + " has a second evidence record"});
        chain.last_document = std::max(chain.last_document, e->sequence);
        check_document(db, *e, rep);
        break;
      case evidence_entry::decision:
        ++rep.decisions;
        for (size_t i = 0; i < refs.versioned.size(); ++i) {
          auto& v = refs.versioned[i];
          if (v.newest != 0 && !chain.versioned_named[i] && v.spec->version_in(*e) == v.newest)
            chain.versioned_named[i] = true;
        }
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
    if (auto w = chain.wanted.find(at); w != chain.wanted.end())
      w->second = *e;
    prev = e->hash;
    expected = at + 1;
    return true;
  });
  rep.head_hash = prev;
}

/// Why a row whose document has no record lacks it: beyond the chain's last document,
/// the log was cut off; before it, the record was removed.
std::string missing_because(const chain_view& chain, uint64_t sequence) {
  if (sequence > chain.last_document)
    return chain.last_document == 0
             ? ": truncated (the log holds no document)"
             : ": truncated (the log's last document is "
                 + std::to_string(chain.last_document) + ", record "
                 + std::to_string(chain.documents.at(chain.last_document).index) + ")";
  return " (its record was removed)";
}

/// Every row committed with a document must find that document in the chain.
void cross_check(const store_references& refs, const chain_view& chain, audit_report& rep) {
  for (auto seq : refs.documents)
    if (chain.documents.count(seq) == 0)
      rep.problems.push_back({0, seq, "document " + std::to_string(seq) + " has no evidence record"
                                        + (seq > chain.last_document
                                             ? missing_because(chain, seq)
                                             : std::string{" (inserted, or its record was "
                                                           "removed)"})});
  for (auto& d : refs.dedupe) {
    auto name = "dedupe entry of " + message_name(d.sender, d.message_id);
    auto it = chain.documents.find(d.sequence);
    if (it == chain.documents.end()) {
      rep.problems.push_back({d.evidence_index, d.sequence,
                              name + " names document " + std::to_string(d.sequence)
                                + ", which has no evidence record"
                                + missing_because(chain, d.sequence)});
    } else if (d.evidence_index != 0 && d.evidence_index != it->second.index) {
      rep.problems.push_back({d.evidence_index, d.sequence,
                              name + " says document " + std::to_string(d.sequence)
                                + " is evidence record " + std::to_string(d.evidence_index)
                                + ", the log has it at record "
                                + std::to_string(it->second.index)});
    } else if (d.evidence_index != 0 && d.evidence_hash != it->second.hash) {
      rep.problems.push_back({d.evidence_index, d.sequence,
                              "record " + std::to_string(d.evidence_index) + " differs from the "
                                + name + ": hash " + hash_difference(it->second.hash, d.evidence_hash)
                                + " (the log was rewritten)"});
    }
  }
  for (auto& r : refs.domain)
    if (chain.documents.count(r.sequence) == 0)
      rep.problems.push_back({0, r.sequence, r.name + ", document " + std::to_string(r.sequence)
                                               + ", has no evidence record"
                                               + missing_because(chain, r.sequence)});
  for (size_t i = 0; i < refs.versioned.size(); ++i) {
    auto& v = refs.versioned[i];
    if (v.newest != 0 && !chain.versioned_named[i])
      rep.problems.push_back({0, 0, v.spec->name + " version " + std::to_string(v.newest)
                                      + " has no evidence record (the log was truncated, or "
                                        "the "
                                      + v.spec->name + " inserted)"});
  }
}

/// Holds the log against one witness; true if it holds exactly the record vouched for.
bool check_witness(const store_reader& db, const audit_witness& w, const chain_view& chain,
                   audit_report& rep) {
  auto index = w.index;
  if (index == 0) { // a receipt from before receipts named their record: by sequence
    auto it = chain.documents.find(w.sequence);
    if (it == chain.documents.end()) {
      rep.problems.push_back({0, w.sequence, w.source + ": the hub receipted document "
                                               + std::to_string(w.sequence) + " ("
                                               + message_name(w.party, w.message_id)
                                               + "), which has no evidence record"
                                               + missing_because(chain, w.sequence)});
      return false;
    }
    index = it->second.index;
  } else if (index > rep.head_index) {
    rep.problems.push_back({index, w.sequence,
                            "truncated: " + w.source + " holds record " + std::to_string(index)
                              + " (hash " + to_hex(w.hash) + "), the log ends at record "
                              + std::to_string(rep.head_index) + ": records "
                              + std::to_string(rep.head_index + 1) + ".."
                              + std::to_string(index) + " were removed"});
    return false;
  }
  auto i = chain.wanted.find(index);
  std::optional<evidence_entry> e;
  if (i != chain.wanted.end()) {
    e = i->second;
  } else if (auto raw = db.get(table::evidence, be64(index))) {
    if (auto d = decode_evidence(*raw))
      e = std::move(*d);
  }
  if (!e) {
    rep.problems.push_back({index, w.sequence, "record " + std::to_string(index) + ", held by "
                                                 + w.source + ", is missing (removed)"});
    return false;
  }
  if (w.index != 0 && e->hash != w.hash) {
    rep.problems.push_back({index, w.sequence,
                            "record " + std::to_string(index) + " differs from " + w.source
                              + ": hash " + hash_difference(e->hash, w.hash)
                              + ": truncated and written again from there, or altered"});
    return false;
  }
  if (w.receipt
      && (e->kind != evidence_entry::document || e->sequence != w.sequence
          || e->party != w.party || e->message_id != w.message_id || e->digest != w.digest)) {
    rep.problems.push_back({index, w.sequence,
                            "record " + std::to_string(index) + " is not the document "
                              + w.source + " was receipted for (document "
                              + std::to_string(w.sequence) + ", "
                              + message_name(w.party, w.message_id) + ")"});
    return false;
  }
  return true;
}

/// The store's own head: a log that ends before it, or differs at it, was cut off.
void check_store_head(const store_references& refs, const chain_view& chain,
                      audit_report& rep) {
  if (!refs.head) {
    if (rep.records > 0)
      rep.warnings.push_back("the store keeps no head record yet (meta "
                             + std::string{evidence_head_key}
                             + ", written by every commit since this check exists): a log "
                               "cut off at its end is only found by the other checks");
    return;
  }
  auto& h = *refs.head;
  if (h.index > rep.head_index) {
    rep.problems.push_back({h.index, 0, "truncated: the store's head record says the log "
                                        "reaches record "
                                          + std::to_string(h.index) + " (hash "
                                          + to_hex(h.hash) + "), it ends at record "
                                          + std::to_string(rep.head_index) + ": records "
                                          + std::to_string(rep.head_index + 1) + ".."
                                          + std::to_string(h.index) + " were removed"});
    return;
  }
  // Records after it were committed while the audit ran (a live hub) or appended by
  // something else; the latter also leaves documents without rows, found elsewhere.
  auto i = chain.wanted.find(h.index);
  if (h.index != 0 && i != chain.wanted.end() && i->second && i->second->hash != h.hash)
    rep.problems.push_back({h.index, 0, "record " + std::to_string(h.index)
                                          + " differs from the store's head record: hash "
                                          + hash_difference(i->second->hash, h.hash)
                                          + ": truncated and written again from there"});
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

audit_report audit_evidence(const store_reader& db, const crypto::public_key* hub_key,
                            const std::vector<audit_witness>& witnesses,
                            const std::vector<audit_extension>& extensions) {
  audit_report rep;
  // Everything that points into the chain is read before the chain (safe on a live hub).
  auto refs = read_references(db, extensions);
  chain_view chain;
  if (refs.head)
    chain.wanted[refs.head->index];
  for (auto& w : witnesses)
    if (w.index != 0)
      chain.wanted[w.index];
  walk_chain(db, hub_key, refs, chain, rep);
  rep.unsigned_tail = rep.head_index - std::min(rep.head_index, rep.last_checkpoint);
  rep.problems.insert(rep.problems.end(), refs.problems.begin(), refs.problems.end());
  check_store_head(refs, chain, rep);
  cross_check(refs, chain, rep);
  uint64_t unsigned_to = 0; // the highest record an unsigned head matched
  for (auto& w : witnesses) {
    witness_result res{w.source, w.index, check_witness(db, w, chain, rep)};
    if (res.confirmed) {
      if (res.index == 0)
        res.index = chain.documents.at(w.sequence).index;
      res.counted = w.hub_signed;
      if (res.counted)
        rep.witnessed_to = std::max(rep.witnessed_to, res.index);
      else
        unsigned_to = std::max(unsigned_to, res.index);
    }
    rep.witnesses.push_back(std::move(res));
  }
  if (unsigned_to > std::max(rep.last_checkpoint, rep.witnessed_to))
    rep.warnings.push_back(
      "unsigned heads match the log up to record " + std::to_string(unsigned_to)
      + " but protect nothing: whoever rewrote the log could have written them too (export "
        "heads with `swhub audit head --sign-key`)");
  auto covered = std::max(rep.last_checkpoint, rep.witnessed_to);
  if (rep.head_index > covered) {
    rep.unprotected = rep.head_index - covered;
    rep.warnings.push_back(
      "records " + std::to_string(covered + 1) + ".." + std::to_string(rep.head_index) + " ("
      + std::to_string(rep.unprotected) + ") come after the last signed checkpoint ("
      + std::to_string(rep.last_checkpoint) + ")"
      + (rep.witnessed_to > 0 ? " and the last witness (" + std::to_string(rep.witnessed_to) + ")"
                              : std::string{})
      + " and are unprotected: they could have been changed or cut off without a trace. A "
        "hub stopped cleanly ends its log with a checkpoint; this log was still being "
        "written, its hub crashed, or its last records were removed");
  }
  return rep;
}

caf::expected<log_head> current_head(const store_reader& db) {
  log_head out;
  auto& h = out.head;
  auto record = [&db](uint64_t index) -> caf::expected<std::optional<evidence_entry>> {
    auto raw = db.get(table::evidence, be64(index));
    if (!raw)
      return std::optional<evidence_entry>{};
    auto e = decode_evidence(*raw);
    if (!e)
      return caf::make_error(ec::store_failure,
                             "evidence record " + std::to_string(index) + " is unreadable");
    return std::optional<evidence_entry>{std::move(*e)};
  };
  bytes key(evidence_head_key.begin(), evidence_head_key.end());
  std::optional<evidence_head> stored;
  if (auto raw = db.get(table::meta, key)) {
    stored = decode_head(*raw);
    if (!stored)
      return caf::make_error(ec::store_failure, "the store's head record (meta "
                                                  + std::string{evidence_head_key}
                                                  + ") is unreadable");
  }
  if (stored && stored->index > 0) {
    auto e = record(stored->index);
    if (!e)
      return e.error();
    if (*e && (*e)->hash == stored->hash) {
      // Fast: from the store's head record forward (a live hub may have committed since).
      h = *stored;
      for (;;) {
        auto next = record(h.index + 1);
        if (!next)
          return next.error();
        if (!*next)
          return out;
        h = {(*next)->index, (*next)->hash};
      }
    }
  }
  // The whole chain: without a head record (a store from before it), or to name how the
  // log disagrees with it.
  caf::error err;
  db.for_each(table::evidence, [&h, &err](const bytes& k, const bytes& val) {
    auto e = decode_evidence(val);
    if (!e) {
      err = caf::make_error(ec::store_failure,
                            "evidence record " + std::to_string(from_be64(k)) + " is unreadable");
      return false;
    }
    h = {from_be64(k), e->hash};
    return true;
  });
  if (err)
    return err;
  if (stored && (stored->index > 0 || h.index > 0)) {
    out.stored = stored;
    auto said = "the store's head record (meta " + std::string{evidence_head_key}
                + ") says the log reaches record " + std::to_string(stored->index) + " (hash "
                + to_hex(stored->hash) + ")";
    if (stored->index > h.index)
      out.disagreement = "truncated: " + said + ", it ends at record " + std::to_string(h.index)
                         + " (hash " + to_hex(h.hash) + "): records "
                         + std::to_string(h.index + 1) + ".." + std::to_string(stored->index)
                         + " were removed";
    else if (stored->index == 0)
      out.disagreement = said + ", it holds records up to " + std::to_string(h.index)
                         + " (hash " + to_hex(h.hash) + ")";
    else {
      auto e = record(stored->index);
      out.disagreement =
        e && *e ? "record " + std::to_string(stored->index) + " differs from the store's head record: hash "
                    + hash_difference((*e)->hash, stored->hash)
                    + ": truncated and written again from there; the log ends at record "
                    + std::to_string(h.index) + " (hash " + to_hex(h.hash) + ")"
                : "truncated: " + said + ", its record " + std::to_string(stored->index)
                    + " is missing (removed); the log ends at record " + std::to_string(h.index)
                    + " (hash " + to_hex(h.hash) + ")";
    }
  }
  return out;
}

std::vector<audit_extension> module_audit_extensions() {
  std::vector<audit_extension> out;
  for (auto& m : modules())
    if (m.audit)
      m.audit(out);
  return out;
}

} // namespace hub
