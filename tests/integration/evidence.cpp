// The evidence log: every accepted document and every decision is in a hash chain
// written with the state it describes, and `swhub audit verify` on a copy of the data
// directory names each altered, removed, inserted or reordered record.

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "actors/store/audit.hpp"
#include "actors/store/evidence.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "schemas/stored.capnp.h"
#include "tests/support/evidence_tamper.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

/// A hub run that leaves documents, a routed message and its delivery decision in
/// `dir`/data, stopped cleanly. Checkpoints every 4 records.
struct recorded_run {
  temp_dir dir;
  crypto::public_key hub_key;
  std::vector<uint64_t> sequences;
  recorded_run() {
    auto a = make_party("ENT-A", "enterprise", crypto::algorithm::ecdsa_p256_sha256);
    auto b = make_party("ENT-B", "enterprise");
    auto cfg = write_hub_config(dir, {a, b});
    // checkpoint-every 4: append the [evidence] table to the generated config
    std::ofstream{cfg, std::ios::app} << "\n[evidence]\ncheckpoint-every = 4\n";
    hub_process hubd{dir, cfg};
    zmq::context_t ctx;
    auto ca = hubd.connect(ctx, a);
    auto cb = hubd.connect(ctx, b);
    signing_identity id{*a.signing, a.signing->public_part().fingerprint()};
    for (int i = 0; i < 10; ++i) {
      declaration_spec spec;
      spec.declaration_id = "EVID-" + std::to_string(i);
      outgoing doc;
      doc.document_type = "customs.declaration";
      doc.payload = declaration_payload(spec);
      doc.signer = &id;
      auto r = ca->submit(doc);
      REQUIRE(r);
      REQUIRE(r->status == receipt::accepted);
      sequences.push_back(r->sequence);
    }
    outgoing msg;
    msg.document_type = "trade.message";
    msg.payload = trade_message_payload("evidence of delivery");
    msg.recipient = "ENT-B";
    REQUIRE(ca->submit(msg));
    auto n = cb->next_notification(std::chrono::seconds{5});
    REQUIRE(n);
    REQUIRE_FALSE(cb->ack(n->id));
    // The ack's decision is committed asynchronously; the status shows when.
    for (int i = 0; i < 200; ++i) {
      auto st = ca->query_status(n->message_id);
      REQUIRE(st);
      if (st->status == "delivered")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    REQUIRE(hubd.terminate() == 0);
    auto key = crypto::public_key::from_pem(read_text(dir.file("hub.sign.pub.pem")));
    REQUIRE(key);
    hub_key = *key;
  }

  /// A copy of the data directory, as an auditor would receive it.
  std::string copy(const std::string& name) { return copy_data_dir(dir.file("data"), dir.file(name)); }
};

} // namespace

TEST_CASE_METHOD(recorded_run, "an untouched copy verifies: every document and the delivery "
                               "decision are in the chain, under signed checkpoints",
                 "[SR-23.2][integration][trust][evidence]") {
  auto rep = audit(copy("clean"), hub_key);
  INFO(problems_of(rep));
  CHECK(rep.ok());
  CHECK(rep.documents == 11);
  CHECK(rep.decisions == 1);
  CHECK(rep.checkpoints >= 2);
  CHECK(rep.last_checkpoint > 0);
  CHECK(rep.unsigned_tail == 0); // the clean stop signed the chain head
  // The CLI says the same, with exit 0.
  auto out = run_cli("audit verify --data-dir " + dir.file("clean") + " --hub-key "
                     + dir.file("hub.sign.pub.pem"));
  INFO(out.out);
  CHECK(out.exit_code == 0);
  CHECK(nlohmann::json::parse(out.out)["ok"] == true);
}

TEST_CASE_METHOD(recorded_run, "a changed document is named", "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("changed-doc");
  auto seq = sequences[3];
  auto raw = get(path, table::documents, seq);
  // Flip one byte near the end of the stored frame: inside the declaration's payload.
  auto msg = aligned_message::copy(raw.data(), raw.size());
  REQUIRE(msg);
  capnp::MallocMessageBuilder mb;
  with_root<stored::StoredDocument>(*msg, ec::store_failure, [&mb](stored::StoredDocument::Reader d) {
    mb.setRoot(d);
    return caf::error{};
  });
  auto doc = mb.getRoot<stored::StoredDocument>();
  auto frame = doc.getFrame();
  bytes altered(frame.begin(), frame.end());
  altered[altered.size() - 24] ^= 0x01;
  doc.setFrame(kj::arrayPtr(altered.data(), altered.size()));
  tamper(path, {table_op{"documents", be64(seq), to_bytes(mb), false}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK_FALSE(rep.ok());
  CHECK(names(rep, 0, seq, "document " + std::to_string(seq)));
  auto out = run_cli("audit verify --data-dir " + path + " --hub-key " + dir.file("hub.sign.pub.pem"));
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.out, Catch::Contains("document " + std::to_string(seq)));
}

TEST_CASE_METHOD(recorded_run, "a changed evidence record is named",
                 "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("changed-record");
  auto e = decode_evidence(get(path, table::evidence, 5));
  REQUIRE(e);
  e->digest[0] ^= 0xff; // claim another content
  tamper(path, {table_op{"evidence", be64(5), encode(*e), false}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 5, 0, "record 5 was altered"));
}

TEST_CASE_METHOD(recorded_run, "a record rewritten with a consistent hash breaks the chain "
                               "after it", "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("rehashed");
  auto e = decode_evidence(get(path, table::evidence, 5));
  REQUIRE(e);
  auto before = e->hash;
  e->digest[0] ^= 0xff;
  e->hash = evidence_hash(*e); // a careful forger recomputes the record's own hash
  tamper(path, {table_op{"evidence", be64(5), encode(*e), false}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 6, 0, "does not follow"));
  // Both hashes in full (shortened, two different hashes could look equal).
  CHECK(names(rep, 6, 0, "previous hash " + to_hex(before) + ", expected " + to_hex(e->hash)));
}

TEST_CASE_METHOD(recorded_run, "a removed record is named", "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("removed");
  tamper(path, {table_op{"evidence", be64(4), {}, true}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 5, 0, "records 4..4 are missing"));
}

TEST_CASE_METHOD(recorded_run, "two swapped records are named", "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("reordered");
  auto r3 = get(path, table::evidence, 3);
  auto r4 = get(path, table::evidence, 4);
  tamper(path, {table_op{"evidence", be64(3), r4, false}, table_op{"evidence", be64(4), r3, false}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 3, 0, "says it is 4"));
  CHECK(names(rep, 4, 0, "says it is 3"));
}

TEST_CASE_METHOD(recorded_run, "an inserted document without evidence is named",
                 "[SR-23.2][integration][trust][evidence]") {
  auto path = copy("inserted");
  auto raw = get(path, table::documents, sequences[0]);
  tamper(path, {table_op{"documents", be64(9999), raw, false}});
  auto rep = audit(path, hub_key);
  INFO(problems_of(rep));
  CHECK(names(rep, 0, 9999, "has no evidence record"));
}

TEST_CASE_METHOD(recorded_run, "a checkpoint signed by another key is named",
                 "[SR-23.2][integration][trust][evidence]") {
  auto other = crypto::private_key::generate(crypto::algorithm::ecdsa_p256_sha256);
  REQUIRE(other);
  auto rep = audit(copy("other-key"), other->public_part());
  CHECK(names(rep, 0, 0, "not the hub key given"));
}
