// Key rotation: a party registers a new signing or CURVE key with a hub.key-rotation
// document; both keys work during the overlap, the old one is refused after it (also
// on a connection opened before), and the rotation survives a restart.

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

outgoing declaration() {
  return declaration_doc();
}

outgoing rotation(const std::string& party, bool signing, const std::string& key,
                  uint32_t overlap_s) {
  outgoing doc;
  doc.document_type = "hub.key-rotation";
  doc.payload = key_rotation_payload(party, signing, key, overlap_s);
  doc.message_id = random_message_id();
  return doc;
}

std::string submit_status(partner_client& c, const outgoing& doc) {
  auto r = c.submit(doc);
  REQUIRE(r);
  return r->status == receipt::rejected ? r->error_name : std::string{to_string(r->status)};
}

hub_settings signed_declarations() {
  hub_settings s;
  s.signatures_required = {{"customs.declaration", "enterprise"},
                           {"hub.key-rotation", "enterprise"}};
  return s;
}

} // namespace

TEST_CASE("a rotated signing key works during the overlap and is refused after it, also "
          "after a restart", "[SR-07.4][integration][trust][rotation]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise", crypto::algorithm::ecdsa_p256_sha256);
  auto cfg = write_hub_config(dir, {a}, signed_declarations());
  signing_identity old_key{*a.signing, a.signing->public_part().fingerprint()};
  auto fresh = crypto::private_key::generate(crypto::algorithm::ed25519);
  REQUIRE(fresh);
  signing_identity new_key{*fresh, fresh->public_part().fingerprint()};
  {
    hub_process hubd{dir, cfg};
    zmq::context_t ctx;
    auto c = hubd.connect(ctx, a);
    // The rotation itself is signed with the current key.
    auto rot = rotation("", true, fresh->public_part().pem(), 2);
    rot.signer = &old_key;
    REQUIRE(submit_status(*c, rot) == "accepted");
    auto with_old = declaration();
    with_old.signer = &old_key;
    CHECK(submit_status(*c, with_old) == "accepted"); // overlap: still valid
    auto with_new = declaration();
    with_new.signer = &new_key; // also a new algorithm: registered with the key
    CHECK(submit_status(*c, with_new) == "accepted");
    std::this_thread::sleep_for(2100ms);
    auto late = declaration();
    late.signer = &old_key;
    CHECK(submit_status(*c, late) == "key_expired");
    auto current = declaration();
    current.signer = &new_key;
    CHECK(submit_status(*c, current) == "accepted");
    REQUIRE(hubd.terminate() == 0);
  }
  hub_process hubd{dir, cfg}; // the config still lists only the old key
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, a);
  auto late = declaration();
  late.signer = &old_key;
  CHECK(submit_status(*c, late) == "key_expired");
  auto current = declaration();
  current.signer = &new_key;
  CHECK(submit_status(*c, current) == "accepted");
}

TEST_CASE("a rotated CURVE key: the new key connects at once, the old one is refused after "
          "the overlap, even on a connection opened before", "[SR-07.4][integration][trust][rotation]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  hub_process hubd{dir, write_hub_config(dir, {a})};
  zmq::context_t ctx;
  auto old_conn = hubd.connect(ctx, a);
  auto next = generate_curve_keypair();
  REQUIRE(next);
  REQUIRE(submit_status(*old_conn, rotation("", false, next->public_z85, 1)) == "accepted");
  auto a2 = a;
  a2.keys = *next;
  auto new_conn = hubd.connect(ctx, a2);
  CHECK(new_conn->party() == "ENT-A");
  CHECK(submit_status(*old_conn, declaration()) == "accepted"); // overlap
  std::this_thread::sleep_for(1100ms);
  // The connection made with the old key is refused frame by frame...
  auto refused = old_conn->submit(declaration());
  REQUIRE(refused);
  CHECK(refused->error_name == "key_expired");
  // ...a new connection with it is not admitted...
  auto o = hubd.options_for(a);
  o.timeout = 1500ms;
  CHECK_FALSE(partner_client::connect(ctx, o));
  // ...and the new key goes on working.
  CHECK(submit_status(*new_conn, declaration()) == "accepted");
}

TEST_CASE("only a key admin role may rotate another party's key", "[SR-07.4][integration][trust][rotation]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise");
  auto b = make_party("ENT-B", "enterprise");
  auto op = make_party("OPS", "operator");
  // A permission table of its own: the shipped one has no key admin role.
  hub_settings s;
  s.roles = "[roles.enterprise]\nsend = [\"customs.declaration\", \"hub.key-rotation\"]\n"
            "read = [\"customs.declaration\"]\nreceive = [\"trade.message\"]\n\n"
            "[roles.operator]\nsend = [\"hub.key-rotation\"]\nread = [\"hub.key-rotation\"]\n";
  s.key_admin_roles = R"(["operator"])";
  hub_process hubd{dir, write_hub_config(dir, {a, b, op}, s)};
  zmq::context_t ctx;
  auto cb = hubd.connect(ctx, b);
  auto next = generate_curve_keypair();
  REQUIRE(next);
  CHECK(submit_status(*cb, rotation("ENT-A", false, next->public_z85, 0)) == "role_not_allowed");
  auto cop = hubd.connect(ctx, op);
  CHECK(submit_status(*cop, rotation("ENT-A", false, next->public_z85, 0)) == "accepted");
  // Overlap 0: ENT-A's old key is refused from now on, the new one connects.
  auto o = hubd.options_for(a);
  o.timeout = 1500ms;
  CHECK_FALSE(partner_client::connect(ctx, o));
  auto a2 = a;
  a2.keys = *next;
  CHECK(hubd.connect(ctx, a2)->party() == "ENT-A");
  // A key already registered cannot be registered again.
  CHECK(submit_status(*cop, rotation("ENT-B", false, next->public_z85, 0)) == "invalid_field");
}

TEST_CASE("swhub keys rotate registers a new signing key and swhub keys list shows both with "
          "their validity", "[SR-07.4][integration][trust][rotation][cli]") {
  temp_dir dir;
  auto a = make_party("ENT-A", "enterprise", crypto::algorithm::ecdsa_p256_sha256);
  hub_process hubd{dir, write_hub_config(dir, {a}, signed_declarations())};
  // The partner's key files, as `swhub keygen` would have left them.
  REQUIRE_FALSE(write_curve_keypair(dir.file("ENT-A"), a.keys));
  std::ofstream{dir.file("ENT-A.sign.pem")} << a.signing->pem();
  auto keygen = run_cli("keygen --out " + dir.file("next"));
  REQUIRE(keygen.exit_code == 0);
  auto conn = "--endpoint " + hubd.endpoint() + " --hub-key " + dir.file("hub.curve.pub")
              + " --key " + dir.file("ENT-A");
  auto rot = run_cli("keys rotate " + conn + " --kind signing --new " + dir.file("next")
                     + " --overlap-hours 1");
  INFO(rot.out);
  REQUIRE(rot.exit_code == 0);
  CHECK_THAT(rot.out, Catch::Contains("\"status\":\"accepted\""));
  auto list = run_cli("keys list --data-dir " + dir.file("data"));
  INFO(list.out);
  REQUIRE(list.exit_code == 0);
  auto j = nlohmann::json::parse(list.out);
  auto keys = j["parties"][0]["signingKeys"];
  REQUIRE(keys.size() == 2);
  CHECK(keys[0]["validUntil"].get<int64_t>() > 0); // the old key now ends
  CHECK(keys[1]["validUntil"].get<int64_t>() == 0);
  // Documents signed with the new key are accepted.
  auto sub = run_cli("submit " + conn + " --sign-key " + dir.file("next.sign.pem")
                     + " --type customs.declaration --file " + SWHUB_SOURCE_DIR
                     + "/config/samples/declaration.json");
  INFO(sub.out);
  CHECK(sub.exit_code == 0);
}
