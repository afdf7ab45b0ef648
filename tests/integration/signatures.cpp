// Signed documents and signed receipts over the real swhubd: each algorithm a party
// may register, every refusal with its own code (and nothing stored), receipts that
// verify offline and fail once altered, and the power list's read column.

#include <catch2/catch.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/crypto/signature.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "tests/support/hub_process.hpp"
#include "schemas/frame.capnp.h"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;

namespace {

outgoing declaration(const std::string& id = "DECL-SIG") {
  return declaration_doc(id);
}

signing_identity identity_of(const test_party& p) {
  REQUIRE(p.signing);
  return signing_identity{*p.signing, p.signing->public_part().fingerprint()};
}

crypto::public_key hub_key(const temp_dir& dir) {
  auto pem = read_text(dir.file("hub.sign.pub.pem"));
  auto key = crypto::public_key::from_pem(pem);
  REQUIRE(key);
  return *key;
}

/// The signature `signer` would put on `doc`, for tests that then alter the envelope.
outgoing::raw_signature signature_for(const std::string& sender, const outgoing& doc,
                                      const signing_identity& signer) {
  auto frame = build_envelope_frame(sender, doc, nullptr, &signer);
  auto msg = aligned_message::copy(frame.data(), frame.size());
  REQUIRE(msg);
  outgoing::raw_signature raw;
  with_root<wire::Frame>(*msg, ec::malformed_frame, [&raw](wire::Frame::Reader f) {
    auto s = f.getEnvelope().getSignature();
    raw.key_id = s.getKeyId();
    raw.algorithm = static_cast<crypto::algorithm>(s.getAlgorithm());
    auto v = s.getValue();
    raw.value.assign(v.begin(), v.end());
    return caf::error{};
  });
  return raw;
}

void check_rejected(const caf::expected<receipt>& r, const std::string& name) {
  REQUIRE(r);
  INFO(r->reason);
  CHECK(r->status == receipt::rejected);
  CHECK(r->error_name == name);
}

struct signed_hub {
  temp_dir dir;
  test_party ecdsa = make_party("ENT-ECDSA", "enterprise", crypto::algorithm::ecdsa_p256_sha256);
  test_party sm2 = make_party("ENT-SM2", "enterprise", crypto::algorithm::sm2_sm3);
  test_party ed = make_party("ENT-ED", "enterprise", crypto::algorithm::ed25519);
  test_party agency = make_party("AGY", "agency");
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;
  signed_hub() {
    hub_settings s;
    s.signatures_required = {{"customs.declaration", "enterprise"}};
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {ecdsa, sm2, ed, agency}, s));
  }
  std::unique_ptr<partner_client> connect(const test_party& p) { return hubd->connect(ctx, p); }
};

} // namespace

TEST_CASE_METHOD(signed_hub, "documents signed with ECDSA P-256, SM2/SM3 or Ed25519 are "
                             "accepted and their receipts verify offline with the hub key",
                 "[SR-07.4][integration][trust][signature]") {
  auto key = hub_key(dir);
  // The libcrypto in use is in the log from the start (issue 9: SM2 broke on one
  // OpenSSL update); the hub's and this test's are the same library.
  CHECK_THAT(hubd->log(), Catch::Contains("crypto: " + crypto::openssl_version()));
  for (auto* p : {&ecdsa, &sm2, &ed}) {
    INFO(p->id);
    auto c = connect(*p);
    auto id = identity_of(*p);
    auto doc = declaration();
    doc.signer = &id;
    auto r = c->submit(doc);
    REQUIRE(r);
    INFO(r->reason);
    CHECK(r->status == receipt::accepted);
    CHECK(r->party == p->id);
    CHECK_FALSE(r->verify(key));
    // A re-send signed anew (ECDSA and SM2 signatures differ each time) is the same
    // document: the original receipt, signed again.
    auto again = c->submit(doc);
    REQUIRE(again);
    CHECK(again->status == receipt::duplicate);
    CHECK(again->sequence == r->sequence);
    CHECK_FALSE(again->verify(key));
  }
}

TEST_CASE_METHOD(signed_hub, "every signature refusal has its own code and stores nothing",
                 "[SR-07.4][integration][trust][signature]") {
  auto c = connect(ecdsa);
  auto id = identity_of(ecdsa);
  SECTION("missing signature") {
    check_rejected(c->submit(declaration()), "missing_signature");
  }
  SECTION("bad signature") {
    auto doc = declaration();
    doc.signature = outgoing::raw_signature{id.key_id, crypto::algorithm::ecdsa_p256_sha256,
                                            bytes(72, 0x30)};
    check_rejected(c->submit(doc), "bad_signature");
  }
  SECTION("tampered payload: signed, then one value changed") {
    auto doc = declaration();
    doc.created_at = now_ms();
    auto sig = signature_for("ENT-ECDSA", doc, id);
    declaration_spec changed;
    changed.declaration_id = "DECL-SIG";
    changed.value = "1.00"; // the customs value, after signing
    doc.payload = declaration_payload(changed);
    doc.signature = sig;
    check_rejected(c->submit(doc), "bad_signature");
  }
  SECTION("wrong key id") {
    auto doc = declaration();
    auto other = identity_of(sm2);
    other.key_id = "0123456789abcdef0123456789abcdef";
    auto ecdsa_other = crypto::private_key::generate(crypto::algorithm::ecdsa_p256_sha256);
    REQUIRE(ecdsa_other);
    signing_identity stranger{*ecdsa_other, "0123456789abcdef0123456789abcdef"};
    doc.signer = &stranger;
    check_rejected(c->submit(doc), "unknown_key_id");
  }
  SECTION("a key id of another party") {
    auto doc = declaration();
    auto theirs = identity_of(ed); // ENT-ED's key id, and its key
    doc.signer = &theirs;
    check_rejected(c->submit(doc), "algorithm_not_registered"); // ed25519 is not ENT-ECDSA's
  }
  SECTION("algorithm not registered for the party") {
    auto doc = declaration();
    auto ed_key = crypto::private_key::generate(crypto::algorithm::ed25519);
    REQUIRE(ed_key);
    signing_identity mislabelled{*ed_key, id.key_id}; // right key id, other algorithm
    doc.signer = &mislabelled;
    check_rejected(c->submit(doc), "algorithm_not_registered");
  }
  SECTION("a signature labelled with the wrong algorithm for its key") {
    auto doc = declaration();
    doc.created_at = now_ms();
    auto sig = signature_for("ENT-ECDSA", doc, id);
    sig.algorithm = crypto::algorithm::sm2_sm3; // ENT-ECDSA has no SM2 registered
    doc.signature = sig;
    check_rejected(c->submit(doc), "algorithm_not_registered");
  }
  REQUIRE(hubd->terminate() == 0);
  lmdb_options o;
  o.dir = dir.file("data");
  o.read_only = true;
  auto db = lmdb_storage::open(o);
  REQUIRE(db);
  CHECK((*db)->counts()["documents"] == 0);
}

TEST_CASE_METHOD(signed_hub, "a receipt altered or presented for another message or party "
                             "fails offline verification",
                 "[SR-07.4][integration][trust][receipt]") {
  auto key = hub_key(dir);
  auto c = connect(ecdsa);
  auto id = identity_of(ecdsa);
  auto doc = declaration();
  doc.signer = &id;
  REQUIRE(c->submit(doc));
  auto dup = c->submit(doc); // a duplicate receipt...
  REQUIRE(dup);
  REQUIRE(dup->status == receipt::duplicate);
  REQUIRE_FALSE(dup->verify(key));
  // ...replayed as if it were a new acceptance
  auto as_new = *dup;
  as_new.status = receipt::accepted;
  CHECK(is(as_new.verify(key), ec::bad_signature));
  // ...presented as the receipt of another message
  auto other_msg = *dup;
  other_msg.message_id = random_message_id();
  CHECK(is(other_msg.verify(key), ec::bad_signature));
  // ...presented by another party
  auto other_party = *dup;
  other_party.party = "ENT-SM2";
  CHECK(is(other_party.verify(key), ec::bad_signature));
  // ...with another sequence
  auto other_seq = *dup;
  other_seq.sequence += 1;
  CHECK(is(other_seq.verify(key), ec::bad_signature));
  // ...checked against a key that is not the hub's
  auto stranger = crypto::private_key::generate(crypto::algorithm::ecdsa_p256_sha256);
  REQUIRE(stranger);
  CHECK(is(dup->verify(stranger->public_part()), ec::unknown_key_id));
  // Receipts of a burst are signed in batches; each one verifies through its path.
  std::set<bytes> sent;
  for (int i = 0; i < 40; ++i) {
    auto d = declaration("BURST-" + std::to_string(i));
    d.signer = &id;
    REQUIRE_FALSE(c->send_envelope(d));
    sent.insert(d.message_id);
  }
  std::set<bytes> signatures;
  for (int i = 0; i < 40; ++i) {
    auto r = c->next_receipt(std::chrono::seconds{5});
    REQUIRE(r);
    CHECK(sent.count(r->message_id) == 1);
    CHECK(r->status == receipt::accepted);
    CHECK_FALSE(r->verify(key));
    signatures.insert(r->hub_signature);
  }
  INFO(signatures.size() << " batch signatures for 40 receipts");
  CHECK(signatures.size() <= 40);
  // The JSON form round-trips and still verifies.
  auto parsed = receipt::from_json(nlohmann::json::parse(dup->to_json().dump()));
  REQUIRE(parsed);
  CHECK_FALSE(parsed->verify(key));
}

TEST_CASE("a role without the read right for a document type gets forbidden_read on its "
          "own document's status", "[SR-23.1][integration][trust][permissions]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  // A permission table of its own: enterprises may send declarations, not read them.
  s.roles = "[roles.enterprise]\nsend = [\"customs.declaration\"]\nread = [\"trade.message\"]\n";
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto doc = declaration();
  auto r = c->submit(doc);
  REQUIRE(r);
  REQUIRE(r->status == receipt::accepted);
  auto st = c->query_status(doc.message_id);
  REQUIRE(st);
  CHECK(st->error_code == wire_code(ec::forbidden_read));
  CHECK(st->status == "unknown");
  CHECK(st->sequence == 0);
  CHECK_THAT(st->reason, Catch::Contains("may not read customs.declaration"));
}
