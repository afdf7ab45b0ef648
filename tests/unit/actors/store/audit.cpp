// The auditor on a real LMDB store written by the storage itself, then changed the way
// someone with file access could: a log cut off at its end is named truncated by the
// store's own head, by the rows committed with its records, or by a witness kept
// outside; what nothing can prove is reported as unprotected; hashes are never
// shortened into looking equal.

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/crypto/hub_signer.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "adapters/zmq/client.hpp"
#include "schemas/stored.capnp.h"
#include "tests/support/evidence_tamper.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// A store signing a checkpoint every `every` records, with the key that signs them.
struct signed_store {
  temp_dir dir;
  std::shared_ptr<const crypto::hub_signer> signer;
  std::shared_ptr<lmdb_storage> db;
  std::vector<document_commit> commits; // one per document, in order
  int64_t now = 1000;

  explicit signed_store(uint64_t every) {
    auto key = crypto::private_key::generate(crypto::algorithm::ecdsa_p256_sha256);
    REQUIRE(key);
    signer = crypto::hub_signer::from_key(std::move(*key));
    lmdb_options o;
    o.dir = dir.path();
    o.map_size_mb = 16;
    o.checkpoints.every = every;
    o.checkpoints.interval_ms = int64_t{1} << 50; // only by count
    o.checkpoints.sign = [s = signer](const bytes& input)
      -> caf::expected<std::pair<std::string, bytes>> {
      auto sig = s->sign(input);
      if (!sig)
        return sig.error();
      return std::make_pair(s->key_id(), std::move(*sig));
    };
    auto opened = lmdb_storage::open(o);
    REQUIRE(opened);
    db = *opened;
  }

  /// Document `id` from "A" as intake would write it: the frame as received and its
  /// content digest.
  static document_write document(uint8_t id) {
    outgoing o;
    o.document_type = "customs.declaration";
    o.payload = bytes(24, id);
    o.message_id = bytes(16, id);
    document_write w;
    w.sender = "A";
    w.message_id = o.message_id;
    w.document_type = o.document_type;
    w.recipient = o.recipient;
    w.frame = build_envelope_frame("A", o);
    w.digest = content_digest(o.document_type, o.recipient, {}, o.payload.data(), o.payload.size());
    return w;
  }

  /// One document per commit, from "A"; `case_id` also opens a case for it.
  document_commit add(uint8_t id, const std::string& case_id = {}) {
    auto w = document(id);
    if (!case_id.empty()) {
      capnp::MallocMessageBuilder mb;
      auto c = mb.initRoot<stored::StoredCase>();
      c.setCaseId(case_id);
      c.setDeclarant("A");
      c.setMessageId(kj::arrayPtr(w.message_id.data(), w.message_id.size()));
      w.case_key = case_id;
      w.ops.push_back({"cases", bytes(case_id.begin(), case_id.end()), to_bytes(mb), false});
      std::string ref = "A";
      ref += '\0';
      ref += "DECL-" + std::to_string(id);
      w.ops.push_back({"case_refs", bytes(ref.begin(), ref.end()),
                       bytes(case_id.begin(), case_id.end()), false});
    }
    write_batch b;
    b.docs = {w};
    auto res = db->commit(b, ++now);
    REQUIRE(res);
    commits.push_back(res->docs.at(0));
    return res->docs.at(0);
  }

  /// Raw changes, as with a tool that writes the files.
  void tamper(std::vector<table_op> ops) {
    write_batch b;
    b.ops = std::move(ops);
    REQUIRE(db->commit(b, ++now));
  }

  evidence_entry record(uint64_t index) {
    auto raw = db->get("evidence", be64(index));
    REQUIRE(raw);
    auto e = decode_evidence(*raw);
    REQUIRE(e);
    return *e;
  }

  /// Removes document `seq` with its dedupe entry and evidence record.
  std::vector<table_op> remove_document(const document_commit& dc, uint8_t id) {
    return {table_op{"documents", be64(dc.sequence), {}, true},
            table_op{"dedupe", dedupe_key("A", bytes(16, id)), {}, true},
            table_op{"evidence", be64(dc.evidence_index), {}, true}};
  }

  /// Sets the store's own head record, as a careful forger would.
  table_op set_head(uint64_t index) {
    auto e = record(index);
    return table_op{"meta", bytes(evidence_head_key.begin(), evidence_head_key.end()),
                    encode_head({index, e.hash}), false};
  }

  audit_report audit(const std::vector<audit_witness>& witnesses = {}) {
    return audit_evidence(*db, &signer->public_part(), witnesses);
  }
};

bool names(const audit_report& r, const std::string& text) {
  for (auto& p : r.problems)
    if (p.what.find(text) != std::string::npos)
      return true;
  return false;
}

audit_witness witness_of(const document_commit& dc, uint8_t id) {
  audit_witness w;
  w.source = "receipt of document " + std::to_string(dc.sequence);
  w.index = dc.evidence_index;
  w.hash = dc.evidence_hash;
  w.receipt = true;
  w.party = "A";
  w.message_id = bytes(16, id);
  w.sequence = dc.sequence;
  w.digest = dc.digest;
  return w;
}

} // namespace

TEST_CASE("an intact log verifies and reports the records after its last checkpoint as "
          "unprotected", "[store][audit][evidence]") {
  signed_store s{4};
  for (uint8_t i = 1; i <= 6; ++i)
    s.add(i); // records 1-4 documents, 5 checkpoint, 6-7 documents
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  CHECK(rep.head_index == 7);
  CHECK(rep.last_checkpoint == 5);
  CHECK(rep.unsigned_tail == 2);
  CHECK(rep.unprotected == 2);
  REQUIRE(rep.warnings.size() == 1);
  CHECK_THAT(rep.warnings[0], Catch::Contains("records 6..7 (2)")
                                && Catch::Contains("unprotected"));
  // A witness of the newest record protects the tail.
  auto with = s.audit({witness_of(s.commits.back(), 6)});
  CHECK(with.ok());
  CHECK(with.witnessed_to == 7);
  CHECK(with.unprotected == 0);
  REQUIRE(with.witnesses.size() == 1);
  CHECK(with.witnesses[0].confirmed);
}

TEST_CASE("removing the newest record, a signed checkpoint, is named truncated",
          "[store][audit][evidence]") {
  signed_store s{4};
  for (uint8_t i = 1; i <= 4; ++i)
    s.add(i); // records 1-4 documents, 5 checkpoint
  REQUIRE(s.record(5).kind == evidence_entry::checkpoint);
  s.tamper({table_op{"evidence", be64(5), {}, true}});
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK_FALSE(rep.ok());
  CHECK(names(rep, "truncated: the store's head record says the log reaches record 5"));
  CHECK(names(rep, "records 5..5 were removed"));
}

TEST_CASE("removing the newest document with its records leaves its dedupe entry, case "
          "and case reference naming the truncation", "[store][audit][evidence]") {
  signed_store s{100};
  s.add(1, "220020261000000001");
  s.add(2, "220020261000000002");
  auto last = s.add(3, "220020261000000003");
  auto cut = s.remove_document(last, 3);
  cut.erase(cut.begin() + 1); // the dedupe entry stays
  cut.push_back(s.set_head(2));
  s.tamper(cut);
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK_FALSE(rep.ok());
  CHECK(names(rep, "dedupe entry of A message 03030303030303030303030303030303 names "
                   "document 3, which has no evidence record: truncated (the log's last "
                   "document is 2, record 2)"));
  CHECK(names(rep, "case 220020261000000003: its declaration (A message "
                   "03030303030303030303030303030303), document 3, has no evidence record: "
                   "truncated"));
  // Without its dedupe entry the case still names its declaration; without the case,
  // its reference names it.
  s.tamper({table_op{"dedupe", dedupe_key("A", bytes(16, 3)), {}, true}});
  auto rep2 = s.audit();
  INFO(problems_of(rep2));
  CHECK(names(rep2, "case 220020261000000003: its declaration (A message "
                    "03030303030303030303030303030303) has no dedupe entry"));
  std::string id = "220020261000000003";
  s.tamper({table_op{"cases", bytes(id.begin(), id.end()), {}, true}});
  auto rep3 = s.audit();
  INFO(problems_of(rep3));
  CHECK(names(rep3, "case reference A/DECL-3 names case 220020261000000003, which is missing"));
}

TEST_CASE("a tail cut off with every row and the store's head is unprotected without a "
          "witness and named truncated with one", "[store][audit][evidence]") {
  signed_store s{4};
  for (uint8_t i = 1; i <= 7; ++i)
    s.add(i); // records 1-4 documents, 5 checkpoint, 6-8 documents 5-7
  auto newest = s.commits.back();
  auto middle = s.commits[5];
  // Cut record 8 (document 7) and everything committed with it.
  auto cut = s.remove_document(newest, 7);
  cut.push_back(s.set_head(7));
  s.tamper(cut);
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok()); // nothing inside the store can prove it
  CHECK(rep.unprotected == 2);
  REQUIRE_FALSE(rep.warnings.empty());
  CHECK_THAT(rep.warnings[0], Catch::Contains("records 6..7 (2)"));
  // The newest document's receipt proves it.
  auto with = s.audit({witness_of(newest, 7)});
  INFO(problems_of(with));
  CHECK_FALSE(with.ok());
  CHECK(names(with, "truncated: receipt of document 7 holds record 8"));
  CHECK(names(with, "the log ends at record 7: records 8..8 were removed"));
  // An older receipt still inside the log is confirmed and protects up to itself.
  auto older = s.audit({witness_of(middle, 6)});
  CHECK(older.ok());
  CHECK(older.witnessed_to == 7);
  CHECK(older.unprotected == 0);
}

TEST_CASE("a log cut off and written again is named by a witness of another hash at that "
          "index", "[store][audit][evidence]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  auto w = witness_of(s.commits[1], 2);
  w.hash[31] ^= 0x01; // a record 2 with other content
  auto rep = s.audit({w});
  INFO(problems_of(rep));
  CHECK_FALSE(rep.ok());
  CHECK(names(rep, "record 2 differs from receipt of document 2: hash "
                     + to_hex(s.record(2).hash) + ", expected " + to_hex(w.hash)
                     + " (first difference at hex digit 64)"));
  CHECK(names(rep, "truncated and written again from there"));
  // A head witness (no document) works the same.
  audit_witness head;
  head.source = "head.json";
  head.index = 9;
  head.hash = bytes(32, 9);
  auto rep2 = s.audit({head});
  CHECK(names(rep2, "truncated: head.json holds record 9"));
}

TEST_CASE("a broken link prints both hashes in full: hashes that share a long prefix do "
          "not look equal", "[store][audit][evidence]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  auto real = s.record(1).hash;
  auto e = s.record(2);
  e.prev_hash = real;
  e.prev_hash.back() ^= 0x01; // differs only in the last hex digit
  e.hash = evidence_hash(e);
  s.tamper({table_op{"evidence", be64(2), encode(e), false}});
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(names(rep, "record 2 does not follow the record before it (previous hash "
                     + to_hex(e.prev_hash) + ", expected " + to_hex(real)
                     + " (first difference at hex digit 64))"));
  CHECK(to_hex(e.prev_hash).substr(0, 16) == to_hex(real).substr(0, 16));
}

TEST_CASE("the newest rule set must be named by a decision in the log",
          "[store][audit][evidence]") {
  signed_store s{100};
  {
    write_batch b;
    b.ops = {table_op{"rule_sets", be64(1), bytes{'{', '}'}, false}};
    decision_record dr;
    dr.party = "hub";
    dr.detail = "risk rule set version 1 from risk.toml: 0 parameters";
    b.decisions = {dr};
    REQUIRE(s.db->commit(b, 2000));
  }
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  s.tamper({table_op{"rule_sets", be64(2), bytes{'{', '}'}, false}});
  CHECK(names(s.audit(), "rule set version 2 has no evidence record"));
}

TEST_CASE("the head follows the log past the store's head record, and is found without one",
          "[store][audit][evidence]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  s.tamper({s.set_head(1)}); // as if read before two commits
  auto head = current_head(*s.db);
  REQUIRE(head);
  CHECK(head->head.index == 3);
  CHECK(head->disagreement.empty());
  s.tamper({table_op{"meta", bytes(evidence_head_key.begin(), evidence_head_key.end()), {}, true}});
  head = current_head(*s.db);
  REQUIRE(head);
  CHECK(head->head.index == 3);
  CHECK(head->head.hash == s.record(3).hash);
  CHECK(head->disagreement.empty());
}

TEST_CASE("a store's head record the log disagrees with is reported, not replaced by the "
          "log's last record", "[store][audit][evidence]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  auto meta_key = bytes(evidence_head_key.begin(), evidence_head_key.end());
  // The last record cut off, the head record left: past the end of the log.
  auto third = s.record(3);
  s.tamper({table_op{"evidence", be64(3), {}, true}});
  auto head = current_head(*s.db);
  REQUIRE(head);
  INFO(head->disagreement);
  CHECK(head->head.index == 2);
  REQUIRE(head->stored);
  CHECK(head->stored->index == 3);
  CHECK_THAT(head->disagreement,
             Catch::StartsWith("truncated: the store's head record (meta evidence-head) says the "
                               "log reaches record 3 (hash " + to_hex(third.hash) + ")")
               && Catch::Contains("it ends at record 2 (hash " + to_hex(s.record(2).hash) + ")"));
  // Written again from there: another hash at the head record's index.
  auto other = s.record(2);
  other.detail = "written again";
  other.hash = evidence_hash(other);
  s.tamper({table_op{"meta", meta_key, encode_head({2, s.record(2).hash}), false},
            table_op{"evidence", be64(2), encode(other), false}});
  head = current_head(*s.db);
  REQUIRE(head);
  INFO(head->disagreement);
  CHECK_THAT(head->disagreement,
             Catch::StartsWith("record 2 differs from the store's head record: hash "
                               + to_hex(other.hash)));
}

TEST_CASE("unsigned heads are checked but do not count as confirmation; receipts do",
          "[store][audit][evidence]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  audit_witness head;
  head.source = "head.json";
  head.index = 3;
  head.hash = s.record(3).hash;
  head.hub_signed = false;
  auto rep = s.audit({head});
  INFO(problems_of(rep));
  CHECK(rep.ok());
  REQUIRE(rep.witnesses.size() == 1);
  CHECK(rep.witnesses[0].confirmed);
  CHECK_FALSE(rep.witnesses[0].counted);
  CHECK(rep.witnessed_to == 0);
  CHECK(rep.unprotected == 3);
  bool said = false;
  for (auto& w : rep.warnings)
    said = said || w.find("unsigned heads match the log up to record 3 but protect nothing")
                     != std::string::npos;
  CHECK(said);
  // Signed (as the caller found it to be), the same head counts.
  head.hub_signed = true;
  auto signed_rep = s.audit({head});
  CHECK(signed_rep.witnessed_to == 3);
  CHECK(signed_rep.unprotected == 0);
  // A receipt counts.
  auto receipt = s.audit({witness_of(s.commits[2], 3)});
  CHECK(receipt.witnesses.at(0).counted);
  CHECK(receipt.witnessed_to == 3);
  // Unsigned, it still names a log shorter than it, or another hash at its index.
  head.hub_signed = false;
  head.index = 5;
  CHECK(names(s.audit({head}), "truncated: head.json holds record 5"));
  head.index = 2;
  CHECK(names(s.audit({head}), "record 2 differs from head.json"));
}

TEST_CASE("a rule set is named only by the hub's own words: a reason that mentions a rule "
          "set version neither hides nor fakes one", "[store][audit][evidence]") {
  signed_store s{100};
  auto decide = [&](uint64_t version, const std::string& party, const std::string& detail,
                    bool digest_of_detail = true) {
    write_batch b;
    if (version != 0)
      b.ops = {table_op{"rule_sets", be64(version), bytes{'{', '}'}, false}};
    decision_record dr;
    dr.party = party;
    dr.message_id = party == "hub" ? bytes{} : bytes(16, 7);
    dr.detail = detail;
    auto body = digest_of_detail ? detail : "case X\n" + detail;
    dr.digest = sha256(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    b.decisions = {dr};
    REQUIRE(s.db->commit(b, ++s.now));
  };
  decide(1, "hub", "risk rule set version 1 from risk.toml: 0 parameters, 0 control instructions");
  // As actors/customs/risk_centre.cpp writes them: the officer's reason, then the version.
  decide(2, "RSK-0000",
         "control instruction CI-1 issued by RSK-0000 (level 1, national): red until 9, "
         "tighten after rule set version review; rule set version 2");
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  decide(3, "RSK-0000",
         "control instruction CI-2 issued by RSK-0000 (level 1, national): red until 9, "
         "see rule set version 99; rule set version 3");
  decide(4, "RSK-0000", "control instruction CI-1 revoked by RSK-0000; rule set version 4");
  decide(5, "RSK-0000",
         "proposal CI-3 of RSK-2200 approved by RSK-0000: national red instruction, as agreed; "
         "rule set version 5");
  auto all = s.audit();
  INFO(problems_of(all));
  CHECK(all.ok());
  // Text that only ends like the hub's suffix names nothing: a proposal (no rule set
  // changes) and a case decision (its digest covers its case id).
  decide(0, "RSK-2200",
         "control instruction CI-4 proposed to level 1 by RSK-2200 of 2200: red, "
         "compare; rule set version 6");
  decide(0, "ENT-A", "case X: cancelled before release: mistake; rule set version 6", false);
  s.tamper({table_op{"rule_sets", be64(6), bytes{'{', '}'}, false}});
  CHECK(names(s.audit(), "rule set version 6 has no evidence record"));
}
