// swhub-ceb over the real swhubd (issue 18): each enterprise hands its CEB files to the
// bridge as it hands them to E-Port's client software; the files go out byte for byte,
// the CEB receipts come back as files beside them, and the state file makes a re-run
// (also after kill -9) send nothing twice and write no receipt twice.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include <capnp/message.h>
#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "actors/crypto/digest.hpp"
#include "tests/support/agency_process.hpp"
#include "tests/support/ceb_world.hpp"
#include "tests/support/exchange_checks.hpp"

using namespace hub;
using namespace hub::test;
namespace fs = std::filesystem;

namespace {

struct bridge_run {
  int exit_code = -1;
  std::vector<nlohmann::json> lines; ///< stdout and stderr JSON lines
  std::string text;
};

/// Runs `swhub-ceb send` as `key` (a key stem) on `args`.
bridge_run run_bridge(const ceb_world& w, const std::string& key, const std::string& args) {
  auto cmd = std::string{SWHUB_CEB_PATH} + " send --endpoint " + w.hubd->endpoint()
             + " --hub-key " + w.dir.file("hub.curve.pub") + " --key " + key
             + " --wait-seconds 20 --timeout-ms 5000 " + args + " 2>&1";
  auto r = run_command(cmd);
  bridge_run out;
  out.exit_code = r.exit_code;
  out.text = r.out;
  std::istringstream in{r.out};
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object())
      out.lines.push_back(std::move(j));
  }
  return out;
}

/// The status line of `file` in a run.
std::string status_of(const bridge_run& r, const std::string& file) {
  for (auto& j : r.lines)
    if (j.value("file", "") == file && j.contains("status"))
      return j["status"].get<std::string>();
  return "(no line)";
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream{path, std::ios::binary} << text;
}

/// Every file in `dir`, sorted.
std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> out;
  for (auto& e : fs::directory_iterator(dir))
    out.insert(e.path().filename().string());
  return out;
}

/// Every return in the receipt files `<stem>.<root>.*.xml` of `dir`.
std::vector<ceb_return> receipts_beside(const std::string& dir, const std::string& stem,
                                        const std::string& root) {
  std::vector<ceb_return> out;
  for (auto& name : listing(dir)) {
    if (name.rfind(stem + "." + root + ".", 0) != 0)
      continue;
    notification n;
    n.is_document = true;
    n.document_format = "ceb-xml";
    n.document_name = root;
    auto text = read_text(dir + "/" + name);
    n.content.assign(text.begin(), text.end());
    for (auto& r : read_receipt(n))
      out.push_back(r);
  }
  return out;
}

bool has_status(const std::vector<ceb_return>& rs, const std::string& status) {
  for (auto& r : rs)
    if (r["returnStatus"] == status)
      return true;
  return false;
}

} // namespace

// These need a swhubd that loads the CEB schemas (ecommerce branch from 99958bd on).
TEST_CASE("swhub-ceb sends each party's files as they are and writes the CEB receipts beside "
          "them, a re-run sends nothing and writes nothing twice",
          "[integration][ecommerce][ceb-bridge]") {
  ceb_world w;
  auto folder = w.dir.file("parcel");
  fs::create_directories(folder);
  auto p = w.parcel("BRIDGE-1");
  struct sent {
    const ceb_partner* who;
    std::string file, text;
  };
  std::vector<sent> files{
    {&w.platform, folder + "/order.xml",
     w.sign(w.platform, ceb_docs::order_message({p}, w.platform.transfer()))},
    {&w.payment, folder + "/payment.xml",
     w.sign(w.payment, ceb_docs::payment_message({p}, w.payment.transfer()))},
    {&w.logistics, folder + "/waybill.xml",
     w.sign(w.logistics, ceb_docs::waybill_message({p}, w.logistics.transfer()))},
    {&w.agent, folder + "/inventory.xml",
     w.sign(w.agent, ceb_docs::inventory_message({p}, w.agent.transfer()))},
  };
  for (auto& f : files) {
    write_file(f.file, f.text);
    auto key = write_party_key_files(w.dir, f.who->party);
    auto r = run_bridge(w, key, f.file);
    INFO(r.text);
    CHECK(r.exit_code == 0);
    CHECK(status_of(r, f.file) == "accepted");
  }
  auto order = receipts_beside(folder, "order", "CEB312Message");
  REQUIRE_FALSE(order.empty());
  CHECK(order.front()["returnStatus"] == "120");
  CHECK(order.front()["orderNo"] == p.order_no);
  CHECK(has_status(receipts_beside(folder, "payment", "CEB412Message"), "120"));
  CHECK(has_status(receipts_beside(folder, "waybill", "CEB512Message"), "120"));
  auto inventory = receipts_beside(folder, "inventory", "CEB622Message");
  CHECK(has_status(inventory, "120"));
  CHECK(has_status(inventory, "800"));
  // the files went out as they are
  for (auto& f : files)
    CHECK(read_text(f.file) == f.text);

  auto before = listing(folder);
  auto state_before = read_text(folder + "/.swhub-ceb.state");
  for (auto& f : files) {
    auto r = run_bridge(w, w.dir.file(f.who->party.id), f.file);
    INFO(r.text);
    CHECK(r.exit_code == 0);
    CHECK(status_of(r, f.file) == "already-sent");
  }
  CHECK(listing(folder) == before);
  CHECK(read_text(folder + "/.swhub-ceb.state") == state_before);
}

TEST_CASE("swhub-ceb killed after sending re-sends under the same message id, and the receipt "
          "the hub held is written once",
          "[integration][ecommerce][ceb-bridge]") {
  ceb_world w;
  auto folder = w.dir.file("orders");
  fs::create_directories(folder);
  auto p = w.parcel("BRIDGE-CRASH");
  auto xml = w.sign(w.platform, ceb_docs::order_message({p}, w.platform.transfer()));
  auto file = folder + "/order.xml";
  write_file(file, xml);
  // What a bridge killed right after sending leaves: the "sent" record, the message at
  // the hub, its receipt unacknowledged.
  auto id = random_message_id();
  auto sha = to_hex(sha256(reinterpret_cast<const uint8_t*>(xml.data()), xml.size()));
  write_file(folder + "/.swhub-ceb.state",
             nlohmann::json{{"record", "sent"},
                            {"file", file},
                            {"sha256", sha},
                            {"messageId", to_hex(id)},
                            {"documentType", "ecommerce.ceb311"},
                            {"party", w.platform.party.id},
                            {"at", 1}}
                 .dump()
               + "\n");
  {
    auto c = w.connect(w.platform);
    auto doc = ceb_world::message("ecommerce.ceb311", xml);
    doc.message_id = id;
    accepted(*c, doc);
  } // disconnected without acknowledging the CEB312 receipt
  auto key = write_party_key_files(w.dir, w.platform.party);
  auto r = run_bridge(w, key, folder);
  INFO(r.text);
  CHECK(r.exit_code == 0);
  CHECK(status_of(r, file) == "duplicate");
  bool same_id = false;
  for (auto& j : r.lines)
    same_id = same_id || (j.value("file", "") == file && j.value("messageId", "") == to_hex(id));
  CHECK(same_id);
  auto order = receipts_beside(folder, "order", "CEB312Message");
  REQUIRE(order.size() == 1);
  CHECK(order.front()["returnStatus"] == "120");
  auto before = listing(folder);
  auto again = run_bridge(w, key, folder);
  INFO(again.text);
  CHECK(again.exit_code == 0);
  CHECK(status_of(again, file) == "already-sent");
  CHECK(listing(folder) == before);
}

TEST_CASE("swhub-ceb reports a file that is not a CEB import message, sends the others and "
          "exits 2",
          "[integration][ecommerce][ceb-bridge]") {
  ceb_world w;
  auto folder = w.dir.file("mixed");
  fs::create_directories(folder);
  auto p = w.parcel("BRIDGE-MIXED");
  write_file(folder + "/a-order.xml",
             w.sign(w.platform, ceb_docs::order_message({p}, w.platform.transfer())));
  write_file(folder + "/b-receipt.xml",
             "<?xml version=\"1.0\"?><CEB312Message xmlns=\"http://www.chinaport.gov.cn/ceb\"/>");
  write_file(folder + "/c-broken.xml", "<ceb:CEB311Message");
  write_file(folder + "/notes.txt", "not sent: not *.xml");
  auto key = write_party_key_files(w.dir, w.platform.party);
  auto r = run_bridge(w, key, folder + " " + folder + "/missing.xml");
  INFO(r.text);
  CHECK(r.exit_code == 2);
  CHECK(status_of(r, folder + "/a-order.xml") == "accepted");
  CHECK(status_of(r, folder + "/b-receipt.xml") == "skipped");
  CHECK(status_of(r, folder + "/c-broken.xml") == "skipped");
  CHECK(status_of(r, folder + "/missing.xml") == "skipped");
  CHECK(r.text.find("CEB312Message is a receipt") != std::string::npos);
  CHECK(r.text.find("not well-formed XML") != std::string::npos);
  CHECK(r.text.find("notes.txt") == std::string::npos);
  CHECK(has_status(receipts_beside(folder, "a-order", "CEB312Message"), "120"));
}

TEST_CASE("the SAMPLE files of config/samples/ceb are accepted, the parcel released, with --out "
          "nothing is written beside them",
          "[integration][ecommerce][ceb-bridge]") {
  ceb_world w;
  auto samples = std::string{SWHUB_SOURCE_DIR} + "/config/samples/ceb/";
  auto before = listing(samples + "platform");
  auto send = [&](const ceb_partner& who, const std::string& what, const std::string& out) {
    auto r = run_bridge(w, write_party_key_files(w.dir, who.party),
                        "--out " + w.dir.file(out) + " " + samples + what);
    INFO(r.text);
    CHECK(r.exit_code == 0);
    for (auto& j : r.lines)
      if (j.contains("status"))
        CHECK(j["status"] == "accepted");
  };
  send(w.platform, "platform", "out-platform");
  send(w.payment, "payment/parcel-0001-payment.xml", "out-payment");
  send(w.logistics, "logistics/parcel-0001-waybill.xml", "out-logistics");
  send(w.agent, "agent/parcel-0001-inventory.xml", "out-agent");
  auto batch = receipts_beside(w.dir.file("out-platform"), "batch-50-orders", "CEB312Message");
  CHECK(batch.size() == 50);
  for (auto& r : batch)
    CHECK(r["returnStatus"] == "120");
  CHECK(has_status(receipts_beside(w.dir.file("out-platform"), "dxp-order", "CEB312Message"),
                   "120"));
  CHECK(has_status(receipts_beside(w.dir.file("out-agent"), "parcel-0001-inventory",
                                   "CEB622Message"),
                   "800"));
  CHECK(listing(samples + "platform") == before);
}

TEST_CASE("swhub-ceb names the endpoint when the hub cannot be reached, and sends nothing",
          "[integration][ecommerce][ceb-bridge]") {
  temp_dir dir;
  auto party = make_party("PLT-DEMO-0001", "platform");
  auto key = write_party_key_files(dir, party);
  auto hub_keys = generate_curve_keypair();
  REQUIRE(hub_keys);
  write_file(dir.file("hub.curve.pub"), hub_keys->public_z85 + "\n");
  fs::copy_file(std::string{SWHUB_SOURCE_DIR} + "/config/samples/ceb/platform/parcel-0001-order.xml",
                dir.file("order.xml"));
  auto r = run_command(std::string{SWHUB_CEB_PATH} + " send --endpoint tcp://127.0.0.1:1 --hub-key "
                       + dir.file("hub.curve.pub") + " --key " + key + " --timeout-ms 500 "
                       + dir.file("order.xml") + " 2>&1");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("transport_failure") != std::string::npos);
  CHECK(r.out.find("tcp://127.0.0.1:1") != std::string::npos);
  // nothing recorded as sent
  CHECK(read_text(dir.file(".swhub-ceb.state")).empty());
}
