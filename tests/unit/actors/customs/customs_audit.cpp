// SR-23.2: the customs module's audit extension (actors/customs/customs_audit.cpp) on a real
// LMDB store, changed the way someone with file access could: a case, its declaration's
// dedupe entry and a case reference left behind by a log cut off name the truncation,
// and the newest risk rule set must be named by a decision in the hub's own words.

#include <catch2/catch.hpp>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "actors/customs/customs_audit.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "actors/store/storage.hpp"
#include "schemas/stored.capnp.h"
#include "tests/support/evidence_tamper.hpp"
#include "tests/support/signed_store.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// Document `id` from "A" that opens case `case_id`, as the clearance actor commits it:
/// the case and its reference (A/DECL-id) in the same commit.
document_commit add(signed_store& s, uint8_t id, const std::string& case_id) {
  auto w = signed_store::document(id);
  capnp::MallocMessageBuilder mb;
  auto c = mb.initRoot<stored::StoredCase>();
  c.setCaseId(case_id);
  c.setDeclarant("A");
  c.setMessageId(kj::arrayPtr(w.message_id.data(), w.message_id.size()));
  w.case_key = case_id;
  w.ops.push_back({std::string{customs::tables::cases}, bytes(case_id.begin(), case_id.end()), to_bytes(mb), false});
  std::string ref = "A";
  ref += '\0';
  ref += "DECL-" + std::to_string(id);
  w.ops.push_back({std::string{customs::tables::case_refs}, bytes(ref.begin(), ref.end()),
                   bytes(case_id.begin(), case_id.end()), false});
  return s.add(w);
}

} // namespace

TEST_CASE("removing the newest document with its records leaves its dedupe entry, case "
          "and case reference naming the truncation", "[customs][audit][evidence]") {
  signed_store s{100};
  s.extensions = {customs::audit_extension()};
  add(s, 1, "220020261000000001");
  add(s, 2, "220020261000000002");
  auto last = add(s, 3, "220020261000000003");
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
  s.tamper({table_op{std::string{customs::tables::cases}, bytes(id.begin(), id.end()), {}, true}});
  auto rep3 = s.audit();
  INFO(problems_of(rep3));
  CHECK(names(rep3, "case reference A/DECL-3 names case 220020261000000003, which is missing"));
}

TEST_CASE("the newest rule set must be named by a decision in the log",
          "[customs][audit][evidence]") {
  signed_store s{100};
  s.extensions = {customs::audit_extension()};
  {
    write_batch b;
    b.ops = {table_op{std::string{customs::tables::rule_sets}, customs::rule_book_storage_key(1), bytes{'{', '}'}, false}};
    decision_record dr;
    dr.party = "hub";
    dr.detail = "risk rule set version 1 from risk.toml: 0 parameters";
    b.decisions = {dr};
    REQUIRE(s.db->commit(b, 2000));
  }
  auto rep = s.audit();
  INFO(problems_of(rep));
  CHECK(rep.ok());
  s.tamper({table_op{std::string{customs::tables::rule_sets}, customs::rule_book_storage_key(2), bytes{'{', '}'}, false}});
  CHECK(names(s.audit(), "rule set version 2 has no evidence record"));
}

TEST_CASE("a rule set is named only by the hub's own words: a reason that mentions a rule "
          "set version neither hides nor fakes one", "[customs][audit][evidence]") {
  signed_store s{100};
  s.extensions = {customs::audit_extension()};
  auto decide = [&](uint64_t version, const std::string& party, const std::string& detail,
                    bool digest_of_detail = true) {
    write_batch b;
    if (version != 0)
      b.ops = {table_op{std::string{customs::tables::rule_sets}, customs::rule_book_storage_key(version), bytes{'{', '}'}, false}};
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
  s.tamper({table_op{std::string{customs::tables::rule_sets}, customs::rule_book_storage_key(6), bytes{'{', '}'}, false}});
  CHECK(names(s.audit(), "rule set version 6 has no evidence record"));
}
