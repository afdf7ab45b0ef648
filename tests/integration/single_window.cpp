// Single window over the real swhubd (issue 5, hub side): routing a declaration to the
// agencies its goods need with only the fields each may see, their decisions merged
// (partial states visible, one release, one rejection listing every reason), one
// inspection for customs and agencies, deadlines with escalation, an offline agency
// that does not hold up cases it has no part in, and answers for cases not routed to
// the sender refused. Agencies are plain partner clients here; tests/integration/
// agency.cpp drives the real swhub-agency process.

#include <catch2/catch.hpp>

#include <thread>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "schemas/customs.capnp.h"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

const char* agencies_toml = R"T([[agency]]
id = "ciq"
name = "Inspection and quarantine"
party = "AGY-CIQ"
deadline-s = 7200
fields = ["hsCode", "description", "quantity", "unit", "originCountry", "netWeightKg"]

[[agency]]
id = "fish"
name = "Fisheries administration"
party = "AGY-FISH"
deadline-s = 7200
fields = ["hsCode", "quantity", "unit", "enterprise", "transportDocuments"]

[[routing]]
hs-prefixes = ["0306"]
regimes = ["import"]
agencies = ["ciq", "fish"]

[[routing]]
hs-prefixes = ["0810"]
agencies = ["ciq"]
)T";

struct sw_world {
  temp_dir dir;
  test_party ent = make_party("ENT-A", "enterprise");
  test_party ciq = make_party("AGY-CIQ", "agency");
  test_party fish = make_party("AGY-FISH", "agency");
  test_party port = make_party("CUS-2248", "customs-officer");
  test_party risk = make_party("RSK-0000", "risk-officer");
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;
  explicit sw_world(customs_settings cs = {}) {
    port.customs_unit = "2248";
    risk.customs_unit = "0000";
    if (cs.agencies.empty())
      cs.agencies = agencies_toml;
    hub_settings s;
    s.customs = std::move(cs);
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {ent, ciq, fish, port, risk}, s));
  }
  std::unique_ptr<partner_client> connect(const test_party& p) { return hubd->connect(ctx, p); }
};

declaration_spec goods(const std::string& id, const std::string& hs, const std::string& unit) {
  declaration_spec s;
  s.declaration_id = id;
  s.importer = "GOOD-ENT";
  s.customs_unit = "2248";
  s.currency = "CNY";
  s.settlement = 1;
  s.hs_code = hs;
  s.unit = unit;
  if (unit == "KGM") { // frozen shrimp / strawberries, CNY 60 a kg
    s.quantity = 500;
    s.net_kg = 500;
    s.gross_kg = 520;
    s.value = "30000.00";
    s.description = "Frozen shrimp";
  } else { // laptops, CNY 5,000 each
    s.quantity = 10;
    s.value = "50000.00";
  }
  return s;
}

bytes decision(const std::string& case_id, uint16_t verdict, const std::string& reason = "") {
  capnp::MallocMessageBuilder mb;
  auto d = mb.initRoot<wire::AgencyDecision>();
  d.setCaseId(case_id);
  d.setVerdict(static_cast<wire::AgencyVerdict>(verdict));
  d.setReason(reason);
  return to_bytes(mb);
}

/// The agency case the agency receives (status "unknown" marks the agencyCase kind in
/// the client's summary; the case id is in case_id).
notification wait_case(partner_client& c, std::chrono::milliseconds limit = 10s) {
  return wait_for(c, [](const notification& n) { return n.is_agency_case; }, "agency case", limit);
}

} // namespace

TEST_CASE("SR-10 a declaration is routed to the agencies its goods need, each sees only its fields, and one release follows their approvals",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto fish = w.connect(w.fish);
  auto shrimp = goods("SW-1", "0306170000", "KGM");
  shrimp.items = 1;
  accepted(*c, doc("customs.declaration", declaration_payload(shrimp)));
  auto waiting = wait_status(*c, "SW-1", "accepted");
  CHECK(waiting.waiting_on.find("waiting on Inspection and quarantine (deadline in 2 h)") != std::string::npos);
  CHECK(waiting.waiting_on.find("Fisheries administration") != std::string::npos);
  auto to_ciq = wait_case(*ciq);
  auto to_fish = wait_case(*fish);
  CHECK(to_ciq.case_id == waiting.case_id);
  REQUIRE(to_ciq.items.size() == 1);
  CHECK(to_ciq.items[0].hs_code == "0306170000");
  CHECK(to_ciq.items[0].description == "Frozen shrimp");
  CHECK(to_ciq.items[0].customs_value.empty()); // value is not CIQ's business
  CHECK(to_ciq.enterprise.empty());
  CHECK(to_fish.enterprise == "GOOD-ENT");
  CHECK(to_fish.transport_documents == std::vector<std::string>{"COSU1234567890"});
  CHECK(to_ciq.transport_documents.empty()); // not in CIQ's fields
  CHECK(to_fish.items[0].description.empty());
  accepted(*ciq, doc("agency.decision", decision(waiting.case_id, 0)));
  auto partial = wait_status(*c, "SW-1", "accepted");
  CHECK(partial.waiting_on.find("Inspection and quarantine") == std::string::npos); // CIQ cleared
  CHECK(partial.waiting_on.find("Fisheries administration") != std::string::npos);
  CHECK(refused(*ciq, doc("agency.decision", decision(waiting.case_id, 0))) == "invalid_case_state");
  accepted(*fish, doc("agency.decision", decision(waiting.case_id, 0)));
  wait_status(*c, "SW-1", "released");
}

TEST_CASE("an agency answer for a case not routed to it, or from a party that is no agency, is refused",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto fish = w.connect(w.fish);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-BERRY", "0810100000", "KGM"))));
  auto n = wait_status(*c, "SW-BERRY", "accepted");
  CHECK(refused(*fish, doc("agency.decision", decision(n.case_id, 0))) == "not_routed");
  CHECK(refused(*fish, doc("agency.decision", decision("224820269999999999", 0))) == "unknown_declaration");
  CHECK(refused(*c, doc("agency.decision", decision(n.case_id, 0))) == "role_not_allowed");
  CHECK(refused(*ciq, doc("agency.decision", decision(n.case_id, 1))) == "missing_field"); // a refusal says why
  accepted(*ciq, doc("agency.decision", decision(n.case_id, 0)));
  wait_status(*c, "SW-BERRY", "released");
}

TEST_CASE("when agencies refuse, the declarant gets one rejection listing every reason once all have answered",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto fish = w.connect(w.fish);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-NO", "0306170000", "KGM"))));
  auto n = wait_status(*c, "SW-NO", "accepted");
  accepted(*ciq, doc("agency.decision", decision(n.case_id, 1, "residue above the limit")));
  auto still = wait_status(*c, "SW-NO", "accepted"); // fisheries has not answered yet
  CHECK(still.waiting_on.find("Fisheries administration") != std::string::npos);
  accepted(*fish, doc("agency.decision", decision(n.case_id, 1, "species under catch ban")));
  auto no = wait_status(*c, "SW-NO", "rejected");
  CHECK(no.reason.find("Inspection and quarantine: residue above the limit") != std::string::npos);
  CHECK(no.reason.find("Fisheries administration: species under catch ban") != std::string::npos);
}

TEST_CASE("customs and an agency that both want to inspect get one inspection, whose one result clears both",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto fish = w.connect(w.fish);
  auto port = w.connect(w.port);
  auto risk = w.connect(w.risk);
  instruction_spec ci;
  ci.id = "CI-SHRIMP";
  ci.hs_prefixes = {"0306"};
  ci.valid_until = now_ms() + 3600000;
  accepted(*risk, doc("customs.control-instruction", instruction_payload(ci)));
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-JOINT", "0306170000", "KGM"))));
  auto n = wait_status(*c, "SW-JOINT", "forExamination");
  accepted(*ciq, doc("agency.decision", decision(n.case_id, 2, "sample for residue testing")));
  auto joint = wait_status(*c, "SW-JOINT", "forExamination");
  CHECK(joint.waiting_on.find("jointly with Inspection and quarantine") != std::string::npos);
  accepted(*fish, doc("agency.decision", decision(n.case_id, 0)));
  // One task for the port's officer, one result for all.
  auto task = wait_for(*port, [&](const notification& x) { return x.case_id == n.case_id && x.status == "forExamination"; },
                       "examination task");
  CHECK(task.reason.find("assigned to you") != std::string::npos);
  accepted(*port, doc("customs.inspection-result", inspection_payload("ENT-A", "SW-JOINT", 0, "samples taken")));
  wait_status(*c, "SW-JOINT", "released");
  CHECK(refused(*ciq, doc("agency.decision", decision(n.case_id, 0))) == "invalid_case_state");
}

TEST_CASE("an agency that needs to inspect a green declaration gets one inspection arranged",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto port = w.connect(w.port);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-INSP", "0810100000", "KGM"))));
  auto n = wait_status(*c, "SW-INSP", "accepted");
  accepted(*ciq, doc("agency.decision", decision(n.case_id, 2, "plant health check")));
  wait_status(*c, "SW-INSP", "forExamination");
  accepted(*port, doc("customs.inspection-result", inspection_payload("ENT-A", "SW-INSP", 0, "healthy")));
  wait_status(*c, "SW-INSP", "released");
}

TEST_CASE("an offline agency holds only the cases that need it, they wait durably and resume when it connects",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto fish = w.connect(w.fish); // CIQ stays offline
  auto berries = doc("customs.declaration", declaration_payload(goods("SW-WAIT", "0810100000", "KGM")));
  accepted(*c, berries);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-LAPTOPS", "8471300000", "PCE"))));
  wait_status(*c, "SW-LAPTOPS", "released"); // needs no agency: not held up
  auto waiting = c->query_status(berries.message_id);
  REQUIRE(waiting);
  CHECK(waiting->status == "accepted");
  CHECK(waiting->waiting_on.find("Inspection and quarantine") != std::string::npos);
  w.hubd->kill9(); // the routed case survives a crash too
  w.hubd = std::make_unique<hub_process>(w.dir, w.dir.file("hub.toml"));
  auto c2 = w.connect(w.ent);
  auto ciq = w.connect(w.ciq); // comes online: the case is delivered from the outbox
  auto routed = wait_case(*ciq);
  CHECK(routed.case_id == waiting->case_id);
  accepted(*ciq, doc("agency.decision", decision(routed.case_id, 0)));
  wait_status(*c2, "SW-WAIT", "released");
}

TEST_CASE("an agency past its deadline is escalated, and the declarant sees it", "[integration][single-window]") {
  customs_settings cs;
  cs.check_interval_s = 1;
  cs.agencies = std::string{agencies_toml};
  auto at = cs.agencies.find("deadline-s = 7200");
  cs.agencies.replace(at, std::string{"deadline-s = 7200"}.size(), "deadline-s = 1");
  sw_world w{cs};
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto port = w.connect(w.port);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-LATE", "0810100000", "KGM"))));
  wait_case(*ciq);
  auto late = wait_for(*c, [](const notification& n) {
    return n.declaration_id == "SW-LATE" && n.waiting_on.find("overdue, escalated") != std::string::npos;
  }, "escalation", 8s);
  auto overdue = wait_for(*ciq, [](const notification& n) { return n.reason.find("overdue") != std::string::npos; },
                          "overdue notice to the agency");
  CHECK(overdue.case_id == late.case_id);
  wait_for(*port, [](const notification& n) { return n.reason.find("escalated") != std::string::npos; },
           "escalation to the declaring office");
}

TEST_CASE("a forged agency answer is refused: unsigned, or signed with another key", "[integration][single-window]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  auto ciq = make_party("AGY-CIQ", "agency", crypto::algorithm::ecdsa_p256_sha256);
  auto fish = make_party("AGY-FISH", "agency", crypto::algorithm::ecdsa_p256_sha256);
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->agencies = agencies_toml;
  s.signatures_required = {{"agency.decision", "agency"}};
  hub_process hubd{dir, write_hub_config(dir, {ent, ciq, fish}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto a = hubd.connect(ctx, ciq);
  accepted(*c, doc("customs.declaration", declaration_payload(goods("SW-SIG", "0810100000", "KGM"))));
  auto n = wait_status(*c, "SW-SIG", "accepted");
  auto unsigned_doc = doc("agency.decision", decision(n.case_id, 0));
  CHECK(refused(*a, unsigned_doc) == "missing_signature");
  // Signed by the fisheries administration's key, sent on CIQ's connection.
  signing_identity other{*fish.signing, fish.signing->public_part().fingerprint()};
  auto forged = doc("agency.decision", decision(n.case_id, 0));
  forged.signer = &other;
  CHECK(refused(*a, forged) == "unknown_key_id");
  auto still = a->query_status(forged.message_id); // nothing of the forged answer is stored...
  REQUIRE(still);
  CHECK(still->status == "unknown");
  signing_identity mine{*ciq.signing, ciq.signing->public_part().fingerprint()};
  auto real = doc("agency.decision", decision(n.case_id, 0));
  real.signer = &mine;
  accepted(*a, real); // ...until its own signed answer
  wait_status(*c, "SW-SIG", "released");
}

TEST_CASE("an amendment keeps what the agencies still concerned decided and asks only new ones",
          "[integration][single-window]") {
  sw_world w;
  auto c = w.connect(w.ent);
  auto ciq = w.connect(w.ciq);
  auto fish = w.connect(w.fish);
  auto berries = goods("SW-AM", "0810100000", "KGM"); // CIQ only
  accepted(*c, doc("customs.declaration", declaration_payload(berries)));
  auto n = wait_status(*c, "SW-AM", "accepted");
  wait_case(*ciq);
  accepted(*ciq, doc("agency.decision", decision(n.case_id, 0)));
  wait_status(*c, "SW-AM", "released");
  // A second declaration amended from berries to shrimp before the agencies answered.
  auto d2 = goods("SW-AM2", "0810100000", "KGM");
  d2.settlement = 0; // waits for payment, so the amendment comes before release
  accepted(*c, doc("customs.declaration", declaration_payload(d2)));
  auto n2 = wait_status(*c, "SW-AM2", "accepted");
  wait_case(*ciq);
  accepted(*ciq, doc("agency.decision", decision(n2.case_id, 0)));
  auto shrimp = goods("SW-AM2", "0306170000", "KGM");
  shrimp.settlement = 0;
  accepted(*c, doc("customs.amendment", amendment_payload("SW-AM2", 0, "wrong goods", &shrimp)));
  auto after = wait_for(*c, [](const notification& x) {
    return x.declaration_id == "SW-AM2" && x.waiting_on.find("Fisheries") != std::string::npos;
  }, "fisheries now asked");
  CHECK(after.waiting_on.find("Inspection and quarantine") == std::string::npos); // CIQ's approval kept
  auto to_fish = wait_case(*fish);
  CHECK(to_fish.case_id == n2.case_id);
  accepted(*fish, doc("agency.decision", decision(n2.case_id, 0)));
  auto due = wait_status(*c, "SW-AM2", "accepted");
  CHECK(due.waiting_on.find("payment") != std::string::npos); // only the tax is left
}
