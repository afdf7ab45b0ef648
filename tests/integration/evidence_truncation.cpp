// Issue 16: a log cut off at its end is caught. Copies of real hubs' data directories,
// cut the way someone with file access could; `swhub audit verify` names the truncation
// from the rest of the store, from the store's own head, or from witnesses kept
// outside (partners' receipts as `swhub submit` prints them, heads exported by `swhub
// audit head`), and says which records nothing protects.

#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/declaration_risk_facts.hpp"
#include "schemas/stored.capnp.h"
#include "tests/support/agency_process.hpp"
#include "tests/support/evidence_tamper.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

std::string sh_quote(const std::string& s) {
  return "'" + s + "'";
}

nlohmann::json verify_cli(const temp_dir& dir, const std::string& path, int expect_exit,
                          const std::string& extra = {}) {
  auto out = run_cli("audit verify --data-dir " + sh_quote(path) + " --hub-key "
                     + sh_quote(dir.file("hub.sign.pub.pem")) + extra);
  INFO(out.out);
  REQUIRE(out.exit_code == expect_exit);
  return nlohmann::json::parse(out.out);
}

bool json_names(const nlohmann::json& j, const std::string& text) {
  for (auto& p : j["problems"])
    if (p["problem"].get<std::string>().find(text) != std::string::npos)
      return true;
  return false;
}

crypto::public_key hub_key_of(const temp_dir& dir) {
  auto key = crypto::public_key::from_pem(read_text(dir.file("hub.sign.pub.pem")));
  REQUIRE(key);
  return *key;
}

/// A plain hub that took 7 documents through `swhub submit` (receipts kept as printed,
/// one per line, in receipts.jsonl) and was killed: its log ends after the last signed
/// checkpoint (every 4 records).
struct crashed_run {
  temp_dir dir;
  std::vector<nlohmann::json> receipts;
  crashed_run() {
    auto a = make_party("ENT-A", "enterprise");
    auto cfg = write_hub_config(dir, {a});
    std::ofstream{cfg, std::ios::app} << "\n[evidence]\ncheckpoint-every = 4\n";
    auto stem = write_party_key_files(dir, a);
    hub_process hubd{dir, cfg};
    std::ofstream log{dir.file("receipts.jsonl")};
    for (int i = 0; i < 7; ++i) {
      auto sub = run_cli("submit --endpoint " + hubd.endpoint() + " --hub-key "
                         + dir.file("hub.curve.pub") + " --key " + stem
                         + " --type customs.declaration --file " + SWHUB_SOURCE_DIR
                         + "/config/samples/declaration.json --message-id "
                         + to_hex(random_message_id()));
      INFO(sub.out);
      REQUIRE(sub.exit_code == 0);
      receipts.push_back(nlohmann::json::parse(sub.out));
      REQUIRE(receipts.back()["evidenceIndex"].get<uint64_t>() > 0);
      log << sub.out;
    }
    hubd.kill9();
  }
  std::string copy(const std::string& name) { return copy_data_dir(dir.file("data"), dir.file(name)); }
};

/// A customs hub that accepted three declarations (each opening a case) and was
/// stopped cleanly: its log ends with a signed checkpoint.
struct customs_run {
  temp_dir dir;
  std::vector<receipt> receipts;
  crypto::public_key hub_key;
  customs_run() {
    auto ent = make_party("ENT-A", "enterprise");
    auto port = make_party("CUS-2248", "customs-officer");
    port.customs_unit = "2248";
    hub_settings s;
    s.customs = customs_settings{};
    hub_process hubd{dir, write_hub_config(dir, {ent, port}, s)};
    zmq::context_t ctx;
    auto c = hubd.connect(ctx, ent);
    for (int i = 1; i <= 3; ++i) {
      declaration_spec spec;
      spec.declaration_id = "TRUNC-" + std::to_string(i);
      spec.importer = "GOOD-ENT";
      spec.currency = "CNY";
      spec.value = "50000.00";
      spec.customs_unit = "2248";
      spec.settlement = 1; // guarantee: released at once
      auto r = submit(*c, doc("customs.declaration", declaration_payload(spec)));
      INFO(r.error_name << ": " << r.reason);
      REQUIRE(r.status == receipt::accepted);
      receipts.push_back(r);
    }
    REQUIRE(hubd.terminate() == 0);
    hub_key = hub_key_of(dir);
  }
  std::string copy(const std::string& name) { return copy_data_dir(dir.file("data"), dir.file(name)); }
};

} // namespace

TEST_CASE("deleting the newest record, the signed checkpoint itself, is named truncated",
          "[integration][trust][evidence][truncation]") {
  customs_run run;
  auto path = run.copy("no-checkpoint");
  auto before = audit(path, run.hub_key);
  INFO(problems_of(before));
  REQUIRE(before.ok());
  auto last = before.head_index;
  REQUIRE(record(path, last).kind == evidence_entry::checkpoint);
  REQUIRE(before.unprotected == 0);
  tamper(path, {table_op{"evidence", be64(last), {}, true}});
  auto j = verify_cli(run.dir, path, 2);
  CHECK(j["ok"] == false);
  CHECK(json_names(j, "truncated: the store's head record says the log reaches record "
                        + std::to_string(last)));
  CHECK(j["unprotectedRecords"].get<uint64_t>() > 0); // and the rest is no longer signed
}

TEST_CASE("deleting the newest document together with its evidence records is named "
          "truncated by its dedupe entry and its customs case",
          "[integration][trust][evidence][truncation]") {
  customs_run run;
  auto path = run.copy("no-newest-document");
  auto newest = run.receipts.back();
  auto head = audit(path, run.hub_key).head_index;
  std::vector<table_op> cut{table_op{"documents", be64(newest.sequence), {}, true}};
  for (auto i = newest.evidence_index; i <= head; ++i) // its record, its decisions, the checkpoint
    cut.push_back(table_op{"evidence", be64(i), {}, true});
  tamper(path, cut);
  auto j = verify_cli(run.dir, path, 2);
  auto seq = std::to_string(newest.sequence);
  CHECK(json_names(j, "dedupe entry of ENT-A message " + to_hex(newest.message_id)
                        + " names document " + seq + ", which has no evidence record: truncated"));
  CHECK(json_names(j, "), document " + seq + ", has no evidence record: truncated"));
  CHECK(json_names(j, "case "));
  // Even with the store's head record set back, the rows committed with it remain.
  tamper(path, {head_at(path, newest.evidence_index - 1)});
  auto rep = audit(path, run.hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 0, newest.sequence, "truncated"));
  CHECK_FALSE(names(rep, 0, 0, "store's head record"));
}

TEST_CASE("the tail after the last checkpoint, cut off, is named by what it leaves behind, "
          "cut off with everything, it is reported unprotected",
          "[integration][trust][evidence][truncation]") {
  crashed_run run;
  auto key = hub_key_of(run.dir);
  auto before = audit(run.copy("before"), key);
  INFO(problems_of(before));
  REQUIRE(before.ok());
  REQUIRE(before.head_index > before.last_checkpoint + 1); // a crash left an unsigned tail
  CHECK(before.unprotected == before.head_index - before.last_checkpoint);
  // Only the records: the documents and the store's head still say they were there.
  auto records_only = run.copy("records-only");
  std::vector<table_op> cut;
  for (auto i = before.last_checkpoint + 1; i <= before.head_index; ++i)
    cut.push_back(table_op{"evidence", be64(i), {}, true});
  tamper(records_only, cut);
  auto j = verify_cli(run.dir, records_only, 2);
  CHECK(json_names(j, "has no evidence record: truncated"));
  CHECK(json_names(j, "truncated: the store's head record"));
  // The newest document with every row committed with it, and the head set back:
  // nothing inside the store can prove it, and the report says what is unprotected.
  auto thorough = run.copy("thorough");
  auto newest = run.receipts.back();
  auto seq = newest["sequence"].get<uint64_t>();
  auto idx = newest["evidenceIndex"].get<uint64_t>();
  REQUIRE(idx == before.head_index);
  tamper(thorough, {table_op{"evidence", be64(idx), {}, true},
                    table_op{"documents", be64(seq), {}, true},
                    table_op{"dedupe", dedupe_key("ENT-A", from_hex(newest["messageId"].get<std::string>())), {}, true},
                    head_at(thorough, idx - 1)});
  auto ok = verify_cli(run.dir, thorough, 0);
  CHECK(ok["ok"] == true);
  CHECK(ok["unprotectedRecords"] == idx - 1 - before.last_checkpoint);
  REQUIRE(ok["warnings"].size() == 1);
  CHECK_THAT(ok["warnings"][0].get<std::string>(), Catch::Contains("unprotected"));
  // With the partner's receipts as witnesses, the same copy is named truncated.
  auto witnessed = verify_cli(run.dir, thorough, 2, " --witness " + sh_quote(run.dir.file("receipts.jsonl")));
  CHECK(json_names(witnessed, "truncated: " + run.dir.file("receipts.jsonl") + " line 7 holds record "
                                + std::to_string(idx)));
  CHECK(witnessed["witnesses"].size() == 7);
  CHECK(witnessed["witnessedTo"] == idx - 1); // the other six are confirmed
  CHECK(witnessed["unprotectedRecords"] == 0);
}

TEST_CASE("a record written again in the unsigned tail passes alone and is named by a "
          "witness with another hash at its index",
          "[integration][trust][evidence][truncation]") {
  crashed_run run;
  auto path = run.copy("rewritten");
  auto newest = run.receipts.back();
  auto idx = newest["evidenceIndex"].get<uint64_t>();
  auto e = record(path, idx);
  e.hub_time += 1000; // another record at that index, consistently hashed
  e.hash = evidence_hash(e);
  tamper(path, {table_op{"evidence", be64(idx), encode(e), false}});
  tamper(path, {head_at(path, idx)});
  // The document's dedupe entry still holds the record's old hash.
  auto inside = verify_cli(run.dir, path, 2);
  CHECK(json_names(inside, "record " + std::to_string(idx) + " differs from the dedupe entry of ENT-A"));
  // A careful forger rewrites that too; then only a witness outside can tell.
  auto key = dedupe_key("ENT-A", from_hex(newest["messageId"].get<std::string>()));
  auto raw = open_rw(path)->get(table::dedupe, key);
  REQUIRE(raw);
  auto msg = aligned_message::copy(raw->data(), raw->size());
  REQUIRE(msg);
  capnp::MallocMessageBuilder mb;
  REQUIRE_FALSE(with_root<stored::DedupeEntry>(*msg, ec::store_failure, [&mb](stored::DedupeEntry::Reader d) {
    mb.setRoot(d);
    return caf::error{};
  }));
  mb.getRoot<stored::DedupeEntry>().setEvidenceHash(kj::arrayPtr(e.hash.data(), e.hash.size()));
  tamper(path, {table_op{"dedupe", key, to_bytes(mb), false}});
  auto alone = verify_cli(run.dir, path, 0);
  CHECK(alone["unprotectedRecords"].get<uint64_t>() > 0);
  std::ofstream{run.dir.file("last.json")} << newest.dump() << "\n";
  auto j = verify_cli(run.dir, path, 2, " --witness " + sh_quote(run.dir.file("last.json")));
  CHECK(json_names(j, "record " + std::to_string(idx) + " differs from " + run.dir.file("last.json")
                        + ": hash " + to_hex(e.hash) + ", expected "
                        + newest["evidenceHash"].get<std::string>()));
}

TEST_CASE("a receipt altered to name another evidence record does not verify and is "
          "refused as a witness", "[integration][trust][evidence][truncation]") {
  crashed_run run;
  auto r = run.receipts.back();
  r["evidenceIndex"] = r["evidenceIndex"].get<uint64_t>() + 1;
  std::ofstream{run.dir.file("altered.json")} << r.dump() << "\n";
  auto out = run_cli("receipt verify " + sh_quote(run.dir.file("altered.json")) + " --hub-key "
                     + sh_quote(run.dir.file("hub.sign.pub.pem")));
  INFO(out.out);
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.out, Catch::Contains("bad_signature"));
  auto verify = run_cli("audit verify --data-dir " + sh_quote(run.copy("altered")) + " --hub-key "
                        + sh_quote(run.dir.file("hub.sign.pub.pem")) + " --witness "
                        + sh_quote(run.dir.file("altered.json")) + " 2>&1");
  INFO(verify.out);
  CHECK(verify.exit_code == 1);
  CHECK_THAT(verify.out, Catch::Contains("bad_signature") && Catch::Contains("altered.json"));
  // Something that is neither a receipt nor a head is refused by name.
  std::ofstream{run.dir.file("other.json")} << R"({"status":"fine"})" << "\n";
  auto other = run_cli("audit verify --data-dir " + sh_quote(run.copy("other")) + " --hub-key "
                       + sh_quote(run.dir.file("hub.sign.pub.pem")) + " --witness "
                       + sh_quote(run.dir.file("other.json")) + " 2>&1");
  INFO(other.out);
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.out, Catch::Contains("invalid_field") && Catch::Contains("neither a receipt"));
  // The genuine receipt verifies, evidence record included.
  std::ofstream{run.dir.file("genuine.json")} << run.receipts.back().dump() << "\n";
  auto good = run_cli("receipt verify " + sh_quote(run.dir.file("genuine.json")) + " --hub-key "
                      + sh_quote(run.dir.file("hub.sign.pub.pem")));
  INFO(good.out);
  CHECK(good.exit_code == 0);
}

TEST_CASE("a head exported by `swhub audit head` is a witness: a copy cut shorter than it "
          "is named truncated, a head altered after signing is refused",
          "[integration][trust][evidence][truncation]") {
  customs_run run;
  auto out = run_cli("audit head --data-dir " + sh_quote(run.dir.file("data")) + " --sign-key "
                     + sh_quote(run.dir.file("hub.sign.pem")));
  INFO(out.out);
  REQUIRE(out.exit_code == 0);
  auto head = nlohmann::json::parse(out.out);
  CHECK(head["kind"] == "swhub-evidence-head");
  CHECK(head["hubKeyId"] == run.hub_key.fingerprint());
  auto index = head["index"].get<uint64_t>();
  std::ofstream{run.dir.file("head.json")} << out.out;
  auto witness = " --witness " + sh_quote(run.dir.file("head.json"));
  // The intact copy: confirmed, nothing unprotected.
  auto ok = verify_cli(run.dir, run.copy("intact"), 0, witness);
  CHECK(ok["headIndex"] == index);
  CHECK(ok["witnesses"][0]["result"] == "confirmed");
  // The checkpoint cut off and the store's head set back: the head file names it.
  auto cut = run.copy("cut");
  tamper(cut, {table_op{"evidence", be64(index), {}, true}, head_at(cut, index - 1)});
  verify_cli(run.dir, cut, 0); // alone, nothing proves it
  auto j = verify_cli(run.dir, cut, 2, witness);
  CHECK(json_names(j, "truncated: " + run.dir.file("head.json") + " holds record "
                        + std::to_string(index)));
  // A head whose index was changed after signing is refused (exit 1, named).
  head["index"] = index + 5;
  std::ofstream{run.dir.file("forged.json")} << head.dump() << "\n";
  auto forged = run_cli("audit verify --data-dir " + sh_quote(cut) + " --hub-key "
                        + sh_quote(run.dir.file("hub.sign.pub.pem")) + " --witness "
                        + sh_quote(run.dir.file("forged.json")) + " 2>&1");
  INFO(forged.out);
  CHECK(forged.exit_code == 1);
  CHECK_THAT(forged.out, Catch::Contains("bad_signature") && Catch::Contains("forged.json"));
}

TEST_CASE("`swhub audit head` refuses a log its store's head record disagrees with, and "
          "never signs it", "[integration][trust][evidence][truncation]") {
  customs_run run;
  auto intact = run.copy("intact");
  auto head_of = [&](const std::string& path) {
    return run_cli("audit head --data-dir " + sh_quote(path) + " --sign-key "
                   + sh_quote(run.dir.file("hub.sign.pem")) + " 2>" + sh_quote(path + ".err"));
  };
  auto ok = head_of(intact);
  INFO(ok.out);
  REQUIRE(ok.exit_code == 0);
  auto index = nlohmann::json::parse(ok.out)["index"].get<uint64_t>();
  auto last = record(intact, index);
  // The final checkpoint cut off, the head record left: no head, signed or not.
  auto cut = run.copy("cut");
  tamper(cut, {table_op{"evidence", be64(index), {}, true}});
  auto refused = head_of(cut);
  auto err = read_text(cut + ".err");
  INFO(err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.empty());
  auto j = nlohmann::json::parse(err);
  CHECK(j["error"] == "truncated");
  CHECK(j["headRecordIndex"] == index);
  CHECK(j["headRecordHash"] == to_hex(last.hash));
  CHECK(j["logIndex"] == index - 1);
  CHECK(j["logHash"] == to_hex(record(cut, index - 1).hash));
  CHECK_THAT(j["reason"].get<std::string>(),
             Catch::Contains("says the log reaches record " + std::to_string(index)));
  // Written again from there: another hash at the head record's index.
  auto again = run.copy("again");
  auto other = last;
  other.hub_time += 1;
  other.hash = evidence_hash(other);
  tamper(again, {table_op{"evidence", be64(index), encode(other), false}});
  auto refused2 = head_of(again);
  CHECK(refused2.exit_code == 2);
  CHECK(refused2.out.empty());
  CHECK_THAT(read_text(again + ".err"),
             Catch::Contains("record " + std::to_string(index)
                             + " differs from the store's head record"));
}

TEST_CASE("an unsigned head is checked but confirms nothing, a signed one and receipts do",
          "[integration][trust][evidence][truncation]") {
  crashed_run run;
  auto data = run.copy("data-copy");
  auto export_head = [&](const std::string& name, const std::string& extra) {
    auto out = run_cli("audit head --data-dir " + sh_quote(data) + extra);
    INFO(out.out);
    REQUIRE(out.exit_code == 0);
    std::ofstream{run.dir.file(name)} << out.out;
    return nlohmann::json::parse(out.out)["index"].get<uint64_t>();
  };
  auto index = export_head("unsigned.json", "");
  export_head("signed.json", " --sign-key " + sh_quote(run.dir.file("hub.sign.pem")));
  auto plain = verify_cli(run.dir, data, 0, " --witness " + sh_quote(run.dir.file("unsigned.json")));
  CHECK(plain["witnesses"][0]["result"] == "matches, unsigned: not counted as protection");
  CHECK(plain["witnessedTo"] == 0);
  CHECK(plain["unprotectedRecords"] == index - plain["lastSignedCheckpoint"].get<uint64_t>());
  CHECK_THAT(plain["warnings"].dump(), Catch::Contains("unsigned heads match the log up to record "
                                                       + std::to_string(index)));
  auto sig = verify_cli(run.dir, data, 0, " --witness " + sh_quote(run.dir.file("signed.json")));
  CHECK(sig["witnesses"][0]["result"] == "confirmed");
  CHECK(sig["witnessedTo"] == index);
  CHECK(sig["unprotectedRecords"] == 0);
  auto receipts = verify_cli(run.dir, data, 0,
                             " --witness " + sh_quote(run.dir.file("receipts.jsonl")));
  CHECK(receipts["witnessedTo"] == index);
  // Unsigned, it still names a copy cut shorter than it.
  auto cut = run.copy("cut");
  tamper(cut, {table_op{"evidence", be64(index), {}, true}, head_at(cut, index - 1)});
  auto j = verify_cli(run.dir, cut, 2, " --witness " + sh_quote(run.dir.file("unsigned.json")));
  CHECK(json_names(j, "truncated: " + run.dir.file("unsigned.json") + " holds record "
                        + std::to_string(index)));
}

TEST_CASE("an officer's reason that mentions a rule set version neither hides the newest "
          "rule set nor names one", "[integration][trust][evidence][truncation]") {
  temp_dir dir;
  auto risk1 = make_party("RSK-0000", "risk-officer");
  risk1.customs_unit = "0000";
  auto risk2 = make_party("RSK-2200", "risk-officer");
  risk2.customs_unit = "2200";
  hub_settings s;
  s.customs = customs_settings{};
  {
    hub_process hubd{dir, write_hub_config(dir, {risk1, risk2}, s)};
    zmq::context_t ctx;
    auto r1 = hubd.connect(ctx, risk1);
    auto r2 = hubd.connect(ctx, risk2);
    instruction_spec ci;
    ci.id = "CI-REVIEW";
    ci.hs_prefixes = {"8471"};
    ci.valid_until = now_ms() + 3'600'000;
    ci.reason = "tighten after rule set version review";
    auto r = submit(*r1, doc("customs.control-instruction", instruction_payload(ci)));
    INFO(r.error_name << ": " << r.reason);
    REQUIRE(r.status == receipt::accepted);
    // A proposal changes no rule set; its reason only looks like the hub's suffix.
    instruction_spec p = ci;
    p.id = "CI-PROPOSED";
    p.action = 1; // propose
    p.reason = "see; rule set version 3";
    auto r2r = submit(*r2, doc("customs.control-instruction", instruction_payload(p)));
    INFO(r2r.error_name << ": " << r2r.reason);
    REQUIRE(r2r.status == receipt::accepted);
    REQUIRE(hubd.terminate() == 0);
  }
  auto data = copy_data_dir(dir.file("data"), dir.file("copy"));
  auto ok = verify_cli(dir, data, 0); // versions 1 (loaded) and 2 (the instruction)
  CHECK(ok["ok"] == true);
  // A rule set 3 without its decision (the log cut off after it) is still named.
  tamper(data, {table_op{std::string{customs::tables::rule_sets}, customs::rule_book_storage_key(3),
                         get(data, customs::tables::rule_sets, customs::rule_book_storage_key(2)), false}});
  auto j = verify_cli(dir, data, 2);
  CHECK(json_names(j, "rule set version 3 has no evidence record"));
}
