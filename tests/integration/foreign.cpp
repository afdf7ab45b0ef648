// Foreign customs under a mutual-recognition arrangement (issue 11, SR-18) over the real
// swhubd: a partner customs (role foreign-customs, its own keys) sends its AEO list as
// foreign.aeo-batch; each record is applied by the partner's version, so a resent batch
// or an older word changes nothing; each batch gets a receipt notification; a
// suspension is held at once; what is held outlives kill -9; and a party without an
// arrangement, another data set, ids outside the arrangement's scheme and malformed
// batches are refused and change nothing.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t valid = 0, suspended = 1;

outgoing batch(const std::string& id, const std::vector<aeo_spec>& records, const std::string& data_set = "aeo-7/1") {
  return doc("foreign.aeo-batch", aeo_batch_payload(id, records, data_set));
}

/// The receipt notification of batch `id`, as JSON.
nlohmann::json receipt_of(partner_client& c, const std::string& id) {
  auto n = wait_for(
    c,
    [&](const notification& x) {
      if (!x.is_document || x.document_name != "foreign.aeo-receipt")
        return false;
      auto j = nlohmann::json::parse(x.content.begin(), x.content.end(), nullptr, false);
      return !j.is_discarded() && j.value("batchId", "") == id;
    },
    "the receipt of batch " + id);
  return nlohmann::json::parse(n.content.begin(), n.content.end());
}

/// What `swhub foreign aeo` shows of one operator (null if the hub holds none).
nlohmann::json held(const temp_dir& dir, const std::string& id) {
  auto r = run_cli("foreign aeo --data-dir " + dir.file("data") + " --arrangement EU-CN --id " + id);
  if (r.exit_code != 0)
    return nullptr;
  return nlohmann::json::parse(r.out);
}

size_t lines(const std::string& out) { return static_cast<size_t>(std::count(out.begin(), out.end(), '\n')); }

struct mra_world {
  temp_dir dir;
  test_party eu = make_party("FOREIGN-EU", "foreign-customs");
  test_party stranger = make_party("FOREIGN-XX", "foreign-customs"); // no [[mra]] names it
  test_party ent = make_party("ENT-A", "enterprise");
  hub_settings settings;
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;

  mra_world() {
    settings.foreign_config = SWHUB_SOURCE_DIR "/config/foreign.toml"; // EU-CN: EORI, data set aeo-7/1
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {eu, stranger, ent}, settings));
  }
  void restart() {
    hubd->kill9();
    hubd = std::make_unique<hub_process>(dir, dir.file("hub.toml"));
  }
};

} // namespace

TEST_CASE("SR-18.2 a partner's AEO batch is applied by version and receipted, a resend or an older word changes "
          "nothing, a suspension is held at once, and all of it outlives kill -9",
          "[integration][foreign]") {
  mra_world w;
  auto eu = w.hubd->connect(w.ctx, w.eu);
  std::vector<aeo_spec> list{{"DE1234567890123"}, {"DE9876543210"}, {"FR55512345678"}};
  accepted(*eu, batch("B-1", list));
  auto r1 = receipt_of(*eu, "B-1");
  CHECK(r1["applied"] == 3);
  CHECK(r1["unchanged"] == 0);
  CHECK(r1["highestVersion"] == 1);
  CHECK(r1["held"] == 3);
  CHECK(held(w.dir, "DE9876543210")["status"] == "valid");
  // The same batch again (a partner that lost the receipt): nothing applies twice.
  accepted(*eu, batch("B-1", list));
  auto again = receipt_of(*eu, "B-1");
  CHECK(again["applied"] == 0);
  CHECK(again["unchanged"] == 3);
  // A delta: one operator suspended (version 2); the other record is an older word.
  aeo_spec suspend{"DE9876543210"};
  suspend.status = suspended;
  suspend.version = 2;
  suspend.reason = "security requirements under review";
  accepted(*eu, batch("B-2", {suspend, {"DE1234567890123"}}));
  auto r2 = receipt_of(*eu, "B-2");
  CHECK(r2["applied"] == 1);
  CHECK(r2["unchanged"] == 1);
  CHECK(r2["notValid"] == 1);
  CHECK(r2["highestVersion"] == 2);
  auto b = held(w.dir, "DE9876543210");
  CHECK(b["status"] == "suspended");
  CHECK(b["version"] == 2);
  CHECK(b["reason"] == "security requirements under review");
  CHECK(b["batchId"] == "B-2");
  // A late, older "valid" does not undo the suspension.
  accepted(*eu, batch("B-old", {{"DE9876543210"}}));
  CHECK(receipt_of(*eu, "B-old")["unchanged"] == 1);
  CHECK(held(w.dir, "DE9876543210")["status"] == "suspended");

  eu.reset();
  w.restart();
  eu = w.hubd->connect(w.ctx, w.eu);
  CHECK(held(w.dir, "DE9876543210")["status"] == "suspended");
  // The same records again after the crash (under another batch id: B-2's own receipt
  // may still be on its way from before the crash).
  accepted(*eu, batch("B-2-again", {suspend, {"DE1234567890123"}}));
  auto r3 = receipt_of(*eu, "B-2-again");
  CHECK(r3["applied"] == 0);
  CHECK(r3["held"] == 3);
  suspend.status = valid; // reinstated
  suspend.version = 3;
  suspend.reason.clear();
  accepted(*eu, batch("B-3", {suspend}));
  CHECK(receipt_of(*eu, "B-3")["applied"] == 1);
  CHECK(held(w.dir, "DE9876543210")["status"] == "valid");
  auto partners = run_cli("foreign partners --data-dir " + w.dir.file("data"));
  REQUIRE(partners.exit_code == 0);
  auto state = nlohmann::json::parse(partners.out);
  CHECK(state["arrangement"] == "EU-CN");
  CHECK(state["highestVersion"] == 3);
  CHECK(state["records"] == 3);
  CHECK(state["lastBatchId"] == "B-3");
}

TEST_CASE("SR-18.5 AEO batches from a party without an arrangement, for another data set, with ids outside the "
          "scheme or malformed are refused with their codes and change nothing",
          "[integration][foreign][bad-input]") {
  mra_world w;
  auto eu = w.hubd->connect(w.ctx, w.eu);
  auto stranger = w.hubd->connect(w.ctx, w.stranger);
  auto ent = w.hubd->connect(w.ctx, w.ent);
  accepted(*eu, batch("B-1", {{"DE1234567890123"}}));
  receipt_of(*eu, "B-1");
  aeo_spec changed{"DE1234567890123"};
  changed.status = suspended;
  changed.version = 2;
  CHECK(refused(*stranger, batch("X-1", {changed})) == "no_arrangement");
  CHECK(refused(*ent, batch("X-2", {changed})) == "role_not_allowed");
  CHECK(refused(*eu, batch("X-3", {changed}, "aeo-7/2")) == "data_set_mismatch");
  // One id outside the EORI scheme refuses the whole batch: the good record is not applied.
  CHECK(refused(*eu, batch("X-4", {changed, {"de-123"}})) == "invalid_identifier");
  CHECK(refused(*eu, batch("X-5", {changed, changed})) == "invalid_field"); // one word per operator
  aeo_spec zero{"DE1234567890123"};
  zero.version = 0;
  CHECK(refused(*eu, batch("X-6", {zero})) == "invalid_field");
  CHECK(refused(*eu, batch("X-7", {})) == "missing_field");
  aeo_spec nameless{"DE1234567890123"};
  nameless.name.clear();
  CHECK(refused(*eu, batch("X-8", {nameless})) == "missing_field");
  // Nothing changed: the one record, valid, at version 1.
  auto all = run_cli("foreign aeo --data-dir " + w.dir.file("data"));
  CHECK(lines(all.out) == 1);
  auto one = held(w.dir, "DE1234567890123");
  CHECK(one["status"] == "valid");
  CHECK(one["version"] == 1);
  // And the hub goes on.
  accepted(*eu, batch("B-2", {changed}));
  CHECK(receipt_of(*eu, "B-2")["applied"] == 1);
}

namespace {

/// A hub with customs and the EU-CN arrangement where, without an MRA benefit, every
/// declaration of a general-credit enterprise is examined (red) and an advanced
/// certified one never is: the lane shows whether the benefit applied.
struct recognition_world {
  temp_dir dir;
  test_party eu = make_party("FOREIGN-EU", "foreign-customs");
  test_party ent = make_party("ENT-A", "enterprise");
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;

  recognition_world() {
    hub_settings s;
    s.foreign_config = SWHUB_SOURCE_DIR "/config/foreign.toml";
    s.customs = customs_settings{};
    s.customs->risk_toml = R"([selectivity.general-credit]
red = 100.0
[selectivity.advanced-certified]
red = 0.0
yellow = 0.0
min-random = 0.0
)";
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {eu, ent}, s));
  }
};

/// The lane status of declaration `id` (PLAIN-ENT pays before release: green waits as
/// "accepted", red is "forExamination").
std::string lane_status(partner_client& c, const std::string& id) {
  auto n = wait_for(
    c, [&](const notification& x) { return x.declaration_id == id && !x.is_document; }, "the status of " + id);
  return n.status;
}

std::string explanation(const temp_dir& dir, const std::string& id) {
  auto r = run_cli("customs explain --data-dir " + dir.file("data") + " --declarant ENT-A --declaration-id " + id);
  REQUIRE(r.exit_code == 0); // the replay gives the recorded decision, foreign facts included
  return nlohmann::json::parse(r.out)["explanation"].get<std::string>();
}

outgoing naming(const std::string& id, const std::string& role, const std::string& aeo) {
  auto s = laptops(id, "PLAIN-ENT", 0);
  s.foreign_operators = {{role, aeo}};
  return doc("customs.declaration", declaration_payload(s));
}

} // namespace

TEST_CASE("SR-18.2 a declaration naming a recognised foreign AEO is selected at the advanced-certified rate as an "
          "explained fact, a suspended, unrecognised or unknown one brings nothing, and a revocation applies to the "
          "next declaration",
          "[integration][foreign][customs]") {
  recognition_world w;
  auto eu = w.hubd->connect(w.ctx, w.eu);
  auto c = w.hubd->connect(w.ctx, w.ent);
  aeo_spec aeof{"DE1234567890123"}, aeoc{"FR55512345678"}, held_back{"IT00099988877"};
  aeoc.programme = "AEOC"; // customs simplifications only: China recognises AEOS/AEOF
  held_back.status = suspended;
  accepted(*eu, batch("B-1", {aeof, aeoc, held_back}));
  receipt_of(*eu, "B-1");

  accepted(*c, doc("customs.declaration", declaration_payload(laptops("D-MRA-0", "PLAIN-ENT", 0))));
  CHECK(lane_status(*c, "D-MRA-0") == "forExamination"); // no foreign AEO: the general-credit rate
  accepted(*c, naming("D-MRA-1", "consignor", "DE1234567890123"));
  CHECK(lane_status(*c, "D-MRA-1") == "accepted"); // green: waits for its tax
  CHECK_THAT(explanation(w.dir, "D-MRA-1"),
             Catch::Contains("consignor DE1234567890123: recognised AEO under EU-CN (AEOF, valid, version 1)")
               && Catch::Contains("advanced-certified"));
  accepted(*c, naming("D-MRA-2", "manufacturer", "FR55512345678"));
  CHECK(lane_status(*c, "D-MRA-2") == "forExamination");
  CHECK_THAT(explanation(w.dir, "D-MRA-2"), Catch::Contains("programme AEOC, which this arrangement does not recognise"));
  accepted(*c, naming("D-MRA-3", "exporter", "IT00099988877"));
  CHECK(lane_status(*c, "D-MRA-3") == "forExamination");
  CHECK_THAT(explanation(w.dir, "D-MRA-3"), Catch::Contains("suspended under EU-CN"));
  accepted(*c, naming("D-MRA-4", "consignor", "DE000000000001"));
  CHECK(lane_status(*c, "D-MRA-4") == "forExamination");
  CHECK_THAT(explanation(w.dir, "D-MRA-4"), Catch::Contains("no partner customs lists it"));
  // The partner revokes DE1234567890123; a declaration lodged after the revocation's
  // receipt gets no benefit.
  aeof.status = 2;
  aeof.version = 2;
  aeof.reason = "revoked after audit";
  accepted(*eu, batch("B-2", {aeof}));
  accepted(*c, naming("D-MRA-5", "consignor", "DE1234567890123"));
  CHECK(lane_status(*c, "D-MRA-5") == "forExamination");
  CHECK_THAT(explanation(w.dir, "D-MRA-5"), Catch::Contains("revoked under EU-CN (version 2)"));
  // An import names consignors, exporters and manufacturers, and ids are letters and digits.
  auto bad_role = laptops("D-MRA-6", "PLAIN-ENT", 0);
  bad_role.foreign_operators = {{"importer", "DE1234567890123"}};
  CHECK(refused(*c, doc("customs.declaration", declaration_payload(bad_role))) == "invalid_field");
  CHECK(refused(*c, naming("D-MRA-7", "consignor", "DE-123")) == "invalid_field");
  CHECK(refused(*c, naming("D-MRA-8", "consignor", "")) == "missing_field");
}

TEST_CASE("SR-18.5 a partner customs may send only its AEO data: declarations, disclosures, credit decisions, "
          "payments and trade messages are refused, and it cannot read another party's documents",
          "[integration][foreign][bad-input]") {
  recognition_world w;
  auto eu = w.hubd->connect(w.ctx, w.eu);
  auto c = w.hubd->connect(w.ctx, w.ent);
  // The enterprise's declaration, and what the partner may not do with it or send itself.
  auto d = doc("customs.declaration", declaration_payload(laptops("D-SEC-1", "PLAIN-ENT", 0)));
  accepted(*c, d);
  CHECK(refused(*eu, doc("customs.declaration", declaration_payload(laptops("D-SEC-2", "PLAIN-ENT", 0))))
        == "role_not_allowed");
  CHECK(refused(*eu, doc("customs.disclosure", disclosure_payload("DSC-X", "D-SEC-1", "1.00", "x")))
        == "role_not_allowed");
  CHECK(refused(*eu, doc("customs.credit-decision", credit_decision_payload("PLAIN-ENT", "discredited", "x")))
        == "role_not_allowed");
  CHECK(refused(*eu, doc("customs.tax-payment", payment_payload("D-SEC-1", "6500.00"))) == "role_not_allowed");
  auto message = doc("trade.message", trade_message_payload("hello"));
  message.recipient = "ENT-A";
  CHECK(refused(*eu, message) == "role_not_allowed");
  // The enterprise's document does not exist for the partner: it learns nothing of it.
  auto s = eu->query_status(d.message_id);
  REQUIRE(s);
  CHECK(s->status == "unknown");
  CHECK(s->case_id.empty());
  CHECK(s->declaration_id.empty());
  // Its own batches it can follow.
  auto own = batch("B-SEC", {{"DE1234567890123"}});
  accepted(*eu, own);
  auto mine = eu->query_status(own.message_id);
  REQUIRE(mine);
  CHECK(mine->status != "unknown");
}
