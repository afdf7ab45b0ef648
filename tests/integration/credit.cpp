// Credit tiers that move (issue 11, SR-14.1) over the real swhubd: a credit officer's
// customs.credit-decision changes an enterprise's tier from a date on; the enterprise's
// next declaration feels it (consolidated payment is open to advanced certified
// enterprises only, customs.toml [release]); the enterprise's party is told; the record,
// not customs.toml, decides after a restart; and decisions outside the officer's scope,
// for unknown enterprises, to the tier already held, or back-dated change nothing.

#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

test_party officer(const std::string& id, const std::string& unit) {
  auto p = make_party(id, "credit-officer");
  p.customs_unit = unit;
  return p;
}

outgoing declaration(const std::string& id, uint16_t settlement) {
  return doc("customs.declaration", declaration_payload(laptops(id, "GOOD-ENT", settlement)));
}

outgoing credit(const std::string& enterprise, const std::string& tier, const std::string& reason,
                int64_t effective_from = 0) {
  return doc("customs.credit-decision", credit_decision_payload(enterprise, tier, reason, effective_from));
}

constexpr uint16_t guarantee = 1, consolidated = 2;

} // namespace

TEST_CASE("SR-14.1 a credit officer's revocation applies to the enterprise's next declaration, is told to "
          "the enterprise and outlives a restart, and a later re-certification applies from its date",
          "[integration][customs][credit]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise"); // speaks for GOOD-ENT (customs.toml `party`)
  auto home = officer("CRD-2200", "2200");      // GOOD-ENT's domicile 2201 belongs to 2200
  auto far = officer("CRD-5100", "5100");
  auto gacc = officer("CRD-0000", "0000");
  hub_settings s;
  s.customs = customs_settings{};
  auto cfg = write_hub_config(dir, {ent, home, far, gacc}, s);
  {
    hub_process hubd{dir, cfg};
    zmq::context_t ctx;
    auto c = hubd.connect(ctx, ent);
    auto o = hubd.connect(ctx, home);
    // Advanced certified (customs.toml): consolidated payment is open to it.
    accepted(*c, declaration("D-CR-1", consolidated));
    wait_status(*c, "D-CR-1", "released");

    // Refused decisions change nothing.
    auto f = hubd.connect(ctx, far);
    CHECK(refused(*f, credit("GOOD-ENT", "general-credit", "not ours to decide")) == "out_of_scope");
    CHECK(refused(*o, credit("NO-SUCH-ENT", "general-credit", "unknown")) == "unknown_enterprise");
    CHECK(refused(*o, credit("GOOD-ENT", "advanced-certified", "again")) == "invalid_field");
    CHECK(refused(*o, credit("GOOD-ENT", "platinum", "no such tier")) == "invalid_field");
    CHECK(refused(*o, credit("GOOD-ENT", "general-credit", "")) == "missing_field");
    CHECK(refused(*o, credit("GOOD-ENT", "general-credit", "back-dated", now_ms() - 86400000)) == "invalid_field");
    accepted(*c, declaration("D-CR-2", consolidated));
    wait_status(*c, "D-CR-2", "released");

    // The revocation: committed, told to the enterprise...
    accepted(*o, credit("GOOD-ENT", "general-credit", "AEO status revoked after the re-audit"));
    auto told = wait_for(*c, [](const notification& n) { return n.is_document && n.document_name == "customs.credit-change"; },
                         "the credit change");
    CHECK(told.document_format == "json");
    auto body = nlohmann::json::parse(told.content.begin(), told.content.end());
    CHECK(body["enterprise"] == "GOOD-ENT");
    CHECK(body["tierBefore"] == "advanced-certified");
    CHECK(body["tier"] == "general-credit");
    CHECK(body["decidedBy"] == "CRD-2200");
    CHECK(body["reason"] == "AEO status revoked after the re-audit");
    CHECK(body["effectiveFrom"].get<int64_t>() > 0);
    // ...and felt on the next declaration: consolidated payment is closed to it now,
    // release on a guarantee still open.
    auto r = submit(*c, declaration("D-CR-3", consolidated));
    CHECK(r.status == receipt::rejected);
    CHECK(r.error_name == "invalid_field");
    CHECK(r.reason.find("general-credit") != std::string::npos);
    accepted(*c, declaration("D-CR-4", guarantee));
    wait_status(*c, "D-CR-4", "released");
    REQUIRE(hubd.terminate() == 0);
  }

  // After a restart the record decides, not customs.toml's "advanced-certified".
  hub_process hubd{dir, cfg};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  CHECK(refused(*c, declaration("D-CR-5", consolidated)) == "invalid_field");
  // GACC re-certifies it from a moment ahead: until then it stays general credit.
  auto g = hubd.connect(ctx, gacc);
  auto from = now_ms() + 4000;
  accepted(*g, credit("GOOD-ENT", "advanced-certified", "re-certified after corrective action", from));
  CHECK(refused(*c, declaration("D-CR-6", consolidated)) == "invalid_field");
  wait_for(*c, [](const notification& n) { return n.is_document && n.document_name == "customs.credit-change"; },
           "the re-certification");
  std::this_thread::sleep_for(std::chrono::milliseconds{std::max<int64_t>(0, from - now_ms() + 100)});
  accepted(*c, declaration("D-CR-7", consolidated));
  wait_status(*c, "D-CR-7", "released");
  // A change scheduled for later is cancelled by deciding the tier held now; then
  // nothing is scheduled and the same decision is a mistake again.
  accepted(*g, credit("GOOD-ENT", "discredited", "penalty decision pending", now_ms() + 3600000));
  accepted(*g, credit("GOOD-ENT", "advanced-certified", "penalty withdrawn"));
  CHECK(refused(*g, credit("GOOD-ENT", "advanced-certified", "again")) == "invalid_field");
  accepted(*c, declaration("D-CR-8", consolidated));
  // The record as an officer reads it (read-only, while the hub runs).
  auto shown = run_cli("customs credit --data-dir " + dir.file("data") + " --enterprise GOOD-ENT");
  REQUIRE(shown.exit_code == 0);
  auto rec = nlohmann::json::parse(shown.out);
  REQUIRE(rec["history"].size() == 4); // customs.toml, revocation, re-certification, the cancel
  CHECK(rec["history"][0]["cause"] == "customs.toml");
  CHECK(rec["history"][1]["tier"] == "general-credit");
  CHECK(rec["history"][1]["by"] == "CRD-2200");
  CHECK(rec["history"][2]["tier"] == "advanced-certified");
  CHECK(rec["history"][2]["by"] == "CRD-0000");
  CHECK(rec["history"][2]["from"] == from);
  CHECK(rec["history"][3]["tier"] == "advanced-certified");
  CHECK(rec["history"][3]["reason"].get<std::string>().find("supersedes the change to discredited")
        != std::string::npos);
  auto none = run_cli("customs credit --data-dir " + dir.file("data") + " --enterprise PLAIN-ENT");
  CHECK(none.exit_code == 2); // no change decided: customs.toml's tier applies
  CHECK(none.out.empty());
}

TEST_CASE("SR-14.1 goods refused at inspection are a violation: the enterprise drops one tier, is told, "
          "and its next declaration is assessed on the lower tier",
          "[integration][customs][credit]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  auto port = make_party("CUS-2248", "customs-officer");
  port.customs_unit = "2248";
  auto risk = make_party("RSK-0000", "risk-officer");
  risk.customs_unit = "0000";
  hub_settings s;
  s.customs = customs_settings{}; // [credit] violations-per-downgrade: 1 (the default)
  hub_process hubd{dir, write_hub_config(dir, {ent, port, risk}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto p = hubd.connect(ctx, port);
  auto r = hubd.connect(ctx, risk);
  instruction_spec ci;
  ci.id = "CI-CREDIT";
  ci.hs_prefixes = {"8471"};
  ci.enterprises = {"GOOD-ENT"};
  ci.valid_until = now_ms() + 3600000;
  accepted(*r, doc("customs.control-instruction", instruction_payload(ci)));
  accepted(*c, declaration("D-VIO-1", guarantee));
  wait_status(*c, "D-VIO-1", "forExamination");
  accepted(*p, doc("customs.inspection-result", inspection_payload("ENT-A", "D-VIO-1", 2, "undeclared lithium cells")));
  auto told = wait_for(*c, [](const notification& n) { return n.is_document && n.document_name == "customs.credit-change"; },
                       "the credit change after the violation");
  auto body = nlohmann::json::parse(told.content.begin(), told.content.end());
  CHECK(body["tierBefore"] == "advanced-certified");
  CHECK(body["tier"] == "general-certified");
  CHECK(body["cause"] == "violation");
  CHECK(body["decidedBy"] == "CUS-2248");
  CHECK(body["reason"].get<std::string>().find("undeclared lithium cells") != std::string::npos);
  // Consolidated payment is for advanced certified enterprises only (customs.toml [release]).
  auto next = submit(*c, declaration("D-VIO-2", consolidated));
  CHECK(next.status == receipt::rejected);
  CHECK(next.reason.find("general-certified") != std::string::npos);
}
