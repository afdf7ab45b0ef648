// SR-23.2: the auditor on a real LMDB store written by the storage itself, then changed the way
// someone with file access could: a log cut off at its end is named truncated by the
// store's own head, by the rows committed with its records (the core's, and a domain's
// through its audit extension), or by a witness kept outside; what nothing can prove is
// reported as unprotected; hashes are never shortened into looking equal. The customs
// module's extension is tested in tests/unit/actors/customs/customs_audit.cpp.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/core/frames.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/storage.hpp"
#include "tests/support/evidence_tamper.hpp"
#include "tests/support/signed_store.hpp"

using namespace hub;
using namespace hub::test;

namespace {

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

/// Passes every read through, noting its table: shows what the auditor read when.
class recording_reader : public store_reader {
public:
  recording_reader(const store_reader& inner, std::vector<std::string>& reads)
    : inner_(inner), reads_(reads) {
    // nop
  }
  caf::expected<bytes> get(std::string_view tbl, const bytes& key) const override {
    reads_.emplace_back(tbl);
    return inner_.get(tbl, key);
  }
  caf::error for_each(std::string_view tbl,
                      const std::function<bool(const bytes&, const bytes&)>& fn) const override {
    reads_.emplace_back(tbl);
    return inner_.for_each(tbl, fn);
  }
  std::map<std::string, uint64_t> counts() const override { return inner_.counts(); }

private:
  const store_reader& inner_;
  std::vector<std::string>& reads_;
};

/// A tiny domain: "notes" it holds in memory, each committed with a document, and
/// versioned "note" records whose decisions read "note version N".
struct note_domain {
  std::vector<audit_reference> notes;
  std::vector<audit_problem> problems;
  uint64_t newest = 0;
  std::vector<std::string>* reads = nullptr; ///< set: notes when the extension read

  audit_extension extension() {
    audit_extension x;
    x.domain = "notes";
    x.read_references = [this](const store_reader&) {
      if (reads != nullptr)
        reads->emplace_back("notes");
      return audit_references{notes, problems};
    };
    x.versioned.push_back(
      {"note",
       [](const evidence_entry& e) -> uint64_t {
         static const std::string prefix = "note version ";
         return e.detail.compare(0, prefix.size(), prefix) == 0
                  ? std::stoull(e.detail.substr(prefix.size()))
                  : 0;
       },
       [this](const store_reader&) {
         if (reads != nullptr)
           reads->emplace_back("newest note");
         return newest;
       }});
    return x;
  }
};

size_t first(const std::vector<std::string>& reads, const std::string& what) {
  return static_cast<size_t>(std::find(reads.begin(), reads.end(), what) - reads.begin());
}

} // namespace

TEST_CASE("a document cut off with its record is named truncated by the dedupe entry "
          "left behind", "[store][audit][evidence]") {
  signed_store s{100};
  s.add(1);
  s.add(2);
  auto last = s.add(3);
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
}

TEST_CASE("a domain's rows are read before the chain, and each must find its document in "
          "the log", "[store][audit][evidence][extension]") {
  signed_store s{100};
  for (uint8_t i = 1; i <= 3; ++i)
    s.add(i);
  note_domain notes;
  notes.notes = {{"note N-1", 1}, {"note N-3", 3}};
  s.extensions = {notes.extension()};
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  // The newest document cut off with every core row and the head: only the note names it.
  auto cut = s.remove_document(s.commits.back(), 3);
  cut.push_back(s.set_head(2));
  s.tamper(cut);
  CHECK(s.audit().ok() == false);
  CHECK(names(s.audit(), "note N-3, document 3, has no evidence record: truncated (the log's "
                         "last document is 2, record 2)"));
  // A record removed before the last document; a problem the domain found in its rows.
  s.tamper({table_op{"evidence", be64(s.commits[0].evidence_index), {}, true}});
  notes.problems = {{0, 0, "note N-2 is unreadable"}};
  s.extensions = {notes.extension()};
  auto rep2 = s.audit();
  INFO(problems_of(rep2));
  CHECK(names(rep2, "note N-1, document 1, has no evidence record (its record was removed)"));
  CHECK(names(rep2, "note N-2 is unreadable"));
  // Safe on a live hub: the domain's rows, like the core's, are read before the chain.
  std::vector<std::string> reads;
  notes.reads = &reads;
  recording_reader recorded{*s.db, reads};
  audit_evidence(recorded, &s.signer->public_part(), {}, {notes.extension()});
  auto chain = first(reads, "evidence");
  REQUIRE(chain < reads.size());
  CHECK(first(reads, "notes") < chain);
  CHECK(first(reads, "newest note") < chain);
  CHECK(first(reads, "dedupe") < chain);
  CHECK(first(reads, "documents") < chain);
}

TEST_CASE("the newest version of a domain's versioned records must be named by a decision "
          "in the log", "[store][audit][evidence][extension]") {
  signed_store s{100};
  note_domain notes;
  s.extensions = {notes.extension()};
  s.add(1);
  {
    write_batch b;
    decision_record dr;
    dr.party = "hub";
    dr.detail = "note version 1";
    b.decisions = {dr};
    REQUIRE(s.db->commit(b, ++s.now));
  }
  CHECK(s.audit().ok()); // no note stored
  notes.newest = 1;
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  notes.newest = 2;
  CHECK(names(s.audit(), "note version 2 has no evidence record (the log was truncated, or "
                         "the note inserted)"));
}

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

TEST_CASE("unsigned heads are checked but do not count as confirmation, receipts do",
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
