// Customs clearance over the real swhubd (issue 4): one declaration processed in two
// steps. Lanes from risk parameters and control instructions (SR-05.1/05.2), release
// on payment or a guarantee reservation (SR-07.2, SR-08.3), consolidated payment
// (SR-08.4), valuation evidence before release (SR-07.3), amendments and "release
// first, amend later" (SR-12.7), advance rulings (SR-08.5), post-release review by the
// tax centres (SR-06.2, SR-06.4), replay of a lane decision (SR-05.4), the status the
// declarant sees, and bad declarations refused with their own codes.

#include <catch2/catch.hpp>

#include <ctime>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

test_party officer(const std::string& id, const std::string& role, const std::string& unit) {
  auto p = make_party(id, role);
  p.customs_unit = unit;
  return p;
}

/// A hub with customs processing and the parties of a customs office.
struct customs_world {
  temp_dir dir;
  test_party ent = make_party("ENT-A", "enterprise");
  test_party port = officer("CUS-2248", "customs-officer", "2248");
  test_party far = officer("CUS-5141", "customs-officer", "5141");
  test_party inland = officer("AUD-2201", "customs-officer", "2201");
  test_party risk1 = officer("RSK-0000", "risk-officer", "0000");
  test_party risk2 = officer("RSK-2200", "risk-officer", "2200");
  test_party tax = officer("TAX-1", "tax-officer", "2200");
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;

  explicit customs_world(customs_settings cs = {}) {
    hub_settings s;
    s.customs = std::move(cs);
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {ent, port, far, inland, risk1, risk2, tax}, s));
  }
  std::unique_ptr<partner_client> connect(const test_party& p) { return hubd->connect(ctx, p); }
};

outgoing declaration(const declaration_spec& s) {
  return doc("customs.declaration", declaration_payload(s));
}

status_reply status_of(partner_client& c, const outgoing& d) {
  auto s = c.query_status(d.message_id);
  REQUIRE(s);
  return *s;
}

} // namespace

TEST_CASE("SR-07.2 a green declaration on guarantee is released at once and the reservation is restored on payment",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto d = declaration(laptops("D-GUAR-1", "GOOD-ENT"));
  accepted(*c, d);
  auto n = wait_status(*c, "D-GUAR-1", "released");
  CHECK(n.case_id.size() == 18);
  CHECK(n.case_id.substr(0, 4) == "2248"); // declaration number: unit, year, I/E flag, serial
  CHECK(n.case_id.substr(8, 1) == "1");
  auto s = status_of(*c, d);
  CHECK(s.status == "released");
  CHECK(s.case_id == n.case_id);
  CHECK(s.declaration_id == "D-GUAR-1");
  // The tax is still owed (the guarantee only secures it): a wrong amount is refused...
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("D-GUAR-1", "6000.00"))) == "payment_mismatch");
  // ...the right one (VAT 13 % of 50,000.00) pays it and gives the reservation back.
  accepted(*c, doc("customs.tax-payment", payment_payload("D-GUAR-1", "6500.00")));
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("D-GUAR-1", "6500.00"))) == "invalid_case_state");
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("NO-SUCH", "1.00"))) == "unknown_declaration");
}

TEST_CASE("SR-07.2 on payment settlement the goods wait for the tax and are released when it is paid",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto d = declaration(laptops("D-PAY-1", "PLAIN-ENT", 0));
  accepted(*c, d);
  auto n = wait_status(*c, "D-PAY-1", "accepted");
  CHECK(n.amount_due == "6500.00");
  CHECK(n.waiting_on.find("payment") != std::string::npos);
  auto s = status_of(*c, d);
  CHECK(s.status == "accepted");
  CHECK(s.amount_due == "6500.00");
  accepted(*c, doc("customs.tax-payment", payment_payload("D-PAY-1", "6500.00")));
  wait_status(*c, "D-PAY-1", "released");
  CHECK(status_of(*c, d).status == "released");
}

TEST_CASE("SR-08.1 the assessment compounds duty, consumption tax and VAT as the hand calculation does",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  // Cosmetics 3304990000: 10 kg worth CNY 10,000.00; duty 1 % = 100.00;
  // consumption tax base (10,000 + 100) / (1 - 0.15) = 11,882.35, tax 1,782.35;
  // VAT (10,000 + 100 + 1,782.35) x 13 % = 1,544.71; total 3,427.06.
  declaration_spec s = laptops("D-COSM-1", "PLAIN-ENT", 0);
  s.hs_code = "3304990000";
  s.unit = "KGM";
  s.quantity = 10;
  s.value = "10000.00";
  s.description = "Face cream";
  s.self_assessed = "3427.06";
  accepted(*c, declaration(s));
  auto n = wait_status(*c, "D-COSM-1", "accepted");
  CHECK(n.amount_due == "3427.06");
  // A self-assessment that differs is flagged, and the assessed amount is due.
  s.declaration_id = "D-COSM-2";
  s.self_assessed = "3000.00";
  accepted(*c, declaration(s));
  auto flagged = wait_status(*c, "D-COSM-2", "acceptedWithErrors");
  CHECK(flagged.reason.find("3427.06") != std::string::npos);
  CHECK(wait_status(*c, "D-COSM-2", "accepted").amount_due == "3427.06");
}

TEST_CASE("SR-08.3 a guarantee that is used up holds the next release until the tax is paid or the guarantee frees",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  // PLAIN-ENT has a CNY 10,000 guarantee: one release of 6,500 leaves 3,500.
  accepted(*c, declaration(laptops("D-EX-1", "PLAIN-ENT")));
  wait_status(*c, "D-EX-1", "released");
  auto second = declaration(laptops("D-EX-2", "PLAIN-ENT"));
  accepted(*c, second);
  auto held = wait_status(*c, "D-EX-2", "accepted");
  CHECK(held.waiting_on.find("guarantee insufficient (available CNY 3500.00, needed CNY 6500.00)")
        != std::string::npos);
  CHECK(held.amount_due == "6500.00");
  // Paying the first declaration's tax gives its reservation back, and the held one is
  // released on the guarantee without the declarant doing anything.
  accepted(*c, doc("customs.tax-payment", payment_payload("D-EX-1", "6500.00")));
  auto released = wait_status(*c, "D-EX-2", "released");
  CHECK(released.reason.find("reserved on the guarantee") != std::string::npos);
  // Paying a held declaration directly releases it too.
  accepted(*c, declaration(laptops("D-EX-3", "PLAIN-ENT")));
  wait_status(*c, "D-EX-3", "accepted");
  accepted(*c, doc("customs.tax-payment", payment_payload("D-EX-3", "6500.00")));
  wait_status(*c, "D-EX-3", "released");
}

TEST_CASE("SR-08.4 consolidated payment is open to advanced certified enterprises and paid per statement",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  accepted(*c, declaration(laptops("D-CON-1", "GOOD-ENT", 2)));
  wait_status(*c, "D-CON-1", "released");
  accepted(*c, declaration(laptops("D-CON-2", "GOOD-ENT", 2)));
  wait_status(*c, "D-CON-2", "released");
  CHECK(refused(*c, declaration(laptops("D-CON-3", "PLAIN-ENT", 2))) == "invalid_field");
  CHECK(refused(*c, declaration(laptops("D-CON-4", "BAD-ENT", 1))) == "invalid_field");
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char period[32];
  std::snprintf(period, sizeof period, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  // One declaration cannot be paid alone; the statement is 2 x 6,500.00.
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("D-CON-1", "6500.00"))) == "invalid_case_state");
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("", "6500.00", period, "GOOD-ENT")))
        == "payment_mismatch");
  accepted(*c, doc("customs.tax-payment", payment_payload("", "13000.00", period, "GOOD-ENT")));
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("", "13000.00", period, "GOOD-ENT")))
        == "invalid_case_state");
}

TEST_CASE("SR-05.1 SR-12.5 a control instruction selects matching declarations until it expires, the examination is assigned to a port officer",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto r1 = w.connect(w.risk1);
  auto port = w.connect(w.port);
  auto far = w.connect(w.far);
  instruction_spec ci;
  ci.id = "CI-LAPTOPS";
  ci.lane = "red";
  ci.hs_prefixes = {"8471"};
  ci.valid_until = now_ms() + 4000;
  ci.reason = "intelligence: misdeclared laptops";
  accepted(*r1, doc("customs.control-instruction", instruction_payload(ci)));
  CHECK(refused(*r1, doc("customs.control-instruction", instruction_payload(ci))) == "invalid_field");
  auto d = declaration(laptops("D-CI-1", "GOOD-ENT"));
  accepted(*c, d);
  auto n = wait_status(*c, "D-CI-1", "forExamination");
  CHECK(n.reason.find("intelligence") == std::string::npos); // officers' reasons stay inside customs
  auto task = wait_status(*port, "", "forExamination"); // the port's only officer, drawn at random
  CHECK(task.case_id == n.case_id);
  CHECK(task.reason.find("assigned to you by customs unit 2248") != std::string::npos);
  // One inspection result; an officer of another district may not give it.
  CHECK(refused(*far, doc("customs.inspection-result", inspection_payload("ENT-A", "D-CI-1", 0)))
        == "out_of_scope");
  accepted(*port, doc("customs.inspection-result", inspection_payload("ENT-A", "D-CI-1", 0)));
  wait_status(*c, "D-CI-1", "released");
  CHECK(refused(*port, doc("customs.inspection-result", inspection_payload("ENT-A", "D-CI-1", 0)))
        == "invalid_case_state");
  // After expiry the same goods take the green lane again.
  std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(0, ci.valid_until - now_ms() + 200)));
  accepted(*c, declaration(laptops("D-CI-2", "GOOD-ENT")));
  wait_status(*c, "D-CI-2", "released");
}

TEST_CASE("SR-05.2 a level-2 centre proposes, the level-1 centre approves, and only then it applies nationally",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto r1 = w.connect(w.risk1);
  auto r2 = w.connect(w.risk2);
  instruction_spec ci;
  ci.id = "CI-PROP-1";
  ci.action = 1; // propose
  ci.lane = "red";
  ci.hs_prefixes = {"6109"};
  ci.valid_until = now_ms() + 3600000;
  ci.reason = "district intelligence on T-shirts";
  accepted(*r2, doc("customs.control-instruction", instruction_payload(ci)));
  auto proposal = wait_status(*r1, "", "received");
  CHECK(proposal.case_id == "CI-PROP-1");
  declaration_spec shirts = laptops("D-PROP-1", "GOOD-ENT");
  shirts.hs_code = "6109100000";
  shirts.quantity = 100;
  shirts.value = "5000.00";
  accepted(*c, declaration(shirts));
  wait_status(*c, "D-PROP-1", "released"); // proposed, not in force
  instruction_spec approve;
  approve.id = "CI-PROP-1";
  approve.action = 2;
  CHECK(refused(*r2, doc("customs.control-instruction", instruction_payload(approve))) == "out_of_scope");
  accepted(*r1, doc("customs.control-instruction", instruction_payload(approve)));
  CHECK(refused(*r1, doc("customs.control-instruction", instruction_payload(approve))) == "unknown_ruling");
  shirts.declaration_id = "D-PROP-2";
  shirts.customs_unit = "5141"; // national: another district too
  accepted(*c, declaration(shirts));
  wait_status(*c, "D-PROP-2", "forExamination");
  // A level-2 instruction stays in its district.
  instruction_spec local;
  local.id = "CI-SH-1";
  local.lane = "yellow";
  local.hs_prefixes = {"8517"};
  local.valid_until = now_ms() + 3600000;
  accepted(*r2, doc("customs.control-instruction", instruction_payload(local)));
  declaration_spec phones = laptops("D-SH-1", "GOOD-ENT");
  phones.hs_code = "8517130000";
  phones.value = "30000.00";
  accepted(*c, declaration(phones));
  wait_status(*c, "D-SH-1", "documentaryCheck");
  phones.declaration_id = "D-GZ-1";
  phones.customs_unit = "5141";
  accepted(*c, declaration(phones));
  wait_status(*c, "D-GZ-1", "released");
}

TEST_CASE("SR-05.4 an officer's question why a declaration got its lane gets the same answer every time",
          "[integration][customs]") {
  customs_settings cs;
  cs.risk_toml = R"([selectivity.advanced-certified]
red = 30.0
yellow = 30.0

[[risk-parameter]]
id = "RP-T-1"
lane = "yellow"
percent = 50.0
reason = "laptops: half to documentary check"
[risk-parameter.when]
hs-prefixes = ["8471"]
)";
  customs_world w{cs};
  auto c = w.connect(w.ent);
  for (int i = 0; i < 6; ++i)
    accepted(*c, declaration(laptops("D-WHY-" + std::to_string(i), "GOOD-ENT")));
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 6; ++i) {
    auto id = "D-WHY-" + std::to_string(i);
    auto once = run_cli("customs explain --data-dir " + w.dir.file("data") + " --declarant ENT-A --declaration-id " + id);
    auto twice = run_cli("customs explain --data-dir " + w.dir.file("data") + " --declarant ENT-A --declaration-id " + id);
    INFO(once.out);
    CHECK(once.exit_code == 0);
    CHECK(once.out == twice.out);
    auto j = nlohmann::json::parse(once.out);
    CHECK(j["replayed"]["identical"] == true);
    CHECK(j["replayed"]["lane"] == j["lane"]);
    CHECK(j["decision"]["hits"].size() == 1); // RP-T-1 matched, selected or not, with its draw
    CHECK(j["decision"]["hits"][0]["id"] == "RP-T-1");
  }
  // A declaration never lodged is named by the customs module's own code.
  auto none = run_cli("customs explain --data-dir " + w.dir.file("data")
                      + " --declarant ENT-A --declaration-id D-NEVER 2>&1");
  CHECK(none.exit_code != 0);
  CHECK_THAT(none.out, Catch::Contains("\"error\":\"unknown_declaration\""));
}

TEST_CASE("SR-12.7 documentary errors found at inspection: release first, amend after",
          "[integration][customs]") {
  customs_settings cs;
  cs.risk_toml = R"([[risk-parameter]]
id = "RP-ALL-YELLOW"
lane = "yellow"
percent = 100.0
reason = "test: every laptop to documentary check"
[risk-parameter.when]
hs-prefixes = ["8471"]
)";
  customs_world w{cs};
  auto c = w.connect(w.ent);
  auto port = w.connect(w.port);
  accepted(*c, declaration(laptops("D-RFA-1", "GOOD-ENT")));
  wait_status(*c, "D-RFA-1", "documentaryCheck");
  accepted(*port, doc("customs.inspection-result",
                      inspection_payload("ENT-A", "D-RFA-1", 1, "invoice number mistyped")));
  auto released = wait_status(*c, "D-RFA-1", "released");
  CHECK(released.waiting_on.find("amendment") != std::string::npos);
  // The correction after release clears it; amending or cancelling is for before release.
  auto fixed = laptops("D-RFA-1", "GOOD-ENT");
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("D-RFA-1", 0, "fix", &fixed))) == "invalid_case_state");
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("D-RFA-1", 1, "withdraw"))) == "invalid_case_state");
  accepted(*c, doc("customs.amendment", amendment_payload("D-RFA-1", 2, "invoice number corrected", &fixed)));
  auto after = wait_status(*c, "D-RFA-1", "released");
  CHECK(after.waiting_on.empty());
}

TEST_CASE("amendments before release decide again, cancellation restores the guarantee, corrections close after the window",
          "[integration][customs]") {
  customs_settings cs;
  cs.correction_window_s = 2;
  cs.risk_toml = R"([[risk-parameter]]
id = "RP-PHONES"
lane = "red"
percent = 100.0
reason = "test: phones examined"
[risk-parameter.when]
hs-prefixes = ["8517"]
)";
  customs_world w{cs};
  auto c = w.connect(w.ent);
  // Declared as phones (red), amended to laptops before release: decided again, green.
  auto phones = laptops("D-AM-1", "PLAIN-ENT");
  phones.hs_code = "8517130000";
  accepted(*c, declaration(phones));
  wait_status(*c, "D-AM-1", "forExamination");
  auto fixed = laptops("D-AM-1", "PLAIN-ENT");
  accepted(*c, doc("customs.amendment", amendment_payload("D-AM-1", 0, "wrong HS code", &fixed)));
  wait_status(*c, "D-AM-1", "released");
  // PLAIN-ENT's guarantee (10,000) now holds 6,500: a cancellation before release
  // gives its reservation back... (D-AM-2 waits on the guarantee, D-AM-1 is released)
  accepted(*c, declaration(laptops("D-AM-2", "PLAIN-ENT")));
  wait_status(*c, "D-AM-2", "accepted");
  accepted(*c, doc("customs.amendment", amendment_payload("D-AM-2", 1, "order cancelled")));
  wait_status(*c, "D-AM-2", "closed");
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("D-AM-2", 1, "again"))) == "invalid_case_state");
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("NOPE", 1, "x"))) == "unknown_declaration");
  // ...and a correction after the 2 s window is refused.
  std::this_thread::sleep_for(2500ms);
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("D-AM-1", 2, "late", &fixed)))
        == "amendment_window_closed");
  // The replacement must be the same declaration.
  auto other = laptops("D-OTHER", "PLAIN-ENT");
  accepted(*c, declaration(laptops("D-AM-3", "PLAIN-ENT", 0)));
  CHECK(refused(*c, doc("customs.amendment", amendment_payload("D-AM-3", 0, "x", &other))) == "invalid_field");
}

TEST_CASE("SR-07.3 where on-site valuation is required, release waits for the evidence",
          "[integration][customs]") {
  customs_settings cs;
  cs.risk_toml = R"([[risk-parameter]]
id = "RP-VAL"
lane = "yellow"
percent = 100.0
valuation-evidence = true
reason = "test: value below the reference range"
[risk-parameter.when]
price = "below"
)";
  customs_world w{cs};
  auto c = w.connect(w.ent);
  auto port = w.connect(w.port);
  auto cheap = laptops("D-VAL-1", "GOOD-ENT");
  cheap.value = "5000.00"; // CNY 500 a laptop, below the reference range (1,500 - 20,000)
  accepted(*c, declaration(cheap));
  wait_status(*c, "D-VAL-1", "documentaryCheck");
  accepted(*port, doc("customs.inspection-result", inspection_payload("ENT-A", "D-VAL-1", 0)));
  auto waiting = wait_status(*c, "D-VAL-1", "accepted");
  CHECK(waiting.waiting_on.find("valuation evidence") != std::string::npos);
  accepted(*port, doc("customs.valuation-evidence", evidence_payload("ENT-A", "D-VAL-1")));
  wait_status(*c, "D-VAL-1", "released");
}

TEST_CASE("SR-08.5 a declaration that deviates from the declarant's advance ruling is flagged",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto tax = w.connect(w.tax);
  accepted(*tax, doc("customs.advance-ruling", ruling_payload("R-1", "GOOD-ENT", "8471300000", "tablet computer")));
  CHECK(refused(*tax, doc("customs.advance-ruling", ruling_payload("R-1", "GOOD-ENT", "8471300000", "x"))) == "invalid_field");
  CHECK(refused(*tax, doc("customs.advance-ruling", ruling_payload("R-2", "NOBODY", "8471300000", "x"))) == "unknown_enterprise");
  auto tablets = laptops("D-RUL-1", "GOOD-ENT");
  tablets.hs_code = "8517130000";
  tablets.ruling_id = "R-1";
  accepted(*c, declaration(tablets));
  auto flagged = wait_status(*c, "D-RUL-1", "acceptedWithErrors");
  CHECK(flagged.reason.find("deviates from advance ruling R-1 (8471300000)") != std::string::npos);
  tablets.declaration_id = "D-RUL-2";
  tablets.ruling_id = "R-404";
  CHECK(refused(*c, declaration(tablets)) == "unknown_ruling");
  auto rulings = run_cli("customs rulings --data-dir " + w.dir.file("data") + " --holder GOOD-ENT");
  CHECK(rulings.out.find("\"R-1\"") != std::string::npos);
}

TEST_CASE("SR-06.4 post-release review: tax adjustment, audit instruction to the inland customs, or closure",
          "[integration][customs]") {
  customs_settings cs;
  cs.audit_batch_size = 3;
  cs.audit_interval_ms = 300;
  customs_world w{cs};
  auto c = w.connect(w.ent);
  auto inland = w.connect(w.inland);
  // RCEP claimed without a certificate: duty 5 % instead of 8 % on CNY 5,000 of T-shirts.
  // MFN: duty 400.00 + VAT 702.00 = 1,102.00; RCEP: 250.00 + 682.50 = 932.50 => 169.50.
  auto shirts = laptops("D-REV-ORIGIN", "GOOD-ENT");
  shirts.hs_code = "6109100000";
  shirts.quantity = 100;
  shirts.value = "5000.00";
  shirts.claim = "RCEP";
  shirts.origin = "VN";
  // CNY 200 a laptop, far below the CNY 1,500 reference minimum: audit instruction.
  auto cheap = laptops("D-REV-VALUE", "GOOD-ENT");
  cheap.value = "2000.00";
  auto fine = laptops("D-REV-FINE", "GOOD-ENT");
  auto shirts_d = declaration(shirts), fine_d = declaration(fine);
  accepted(*c, shirts_d);
  accepted(*c, declaration(cheap));
  accepted(*c, fine_d);
  auto adj = wait_status(*c, "D-REV-ORIGIN", "auditPending", 20s);
  CHECK(adj.amount_due == "169.50");
  auto audit = wait_status(*c, "D-REV-VALUE", "auditPending", 20s);
  CHECK(audit.waiting_on.find("2201") != std::string::npos);
  auto instruction = wait_status(*inland, "D-REV-VALUE", "auditPending", 10s);
  CHECK(instruction.reason.find("audit instruction") != std::string::npos);
  // Nothing to act on in D-REV-FINE, but its tax (6,500.00) is only secured by the
  // guarantee: the case stays open until it is paid, then closes.
  auto fine_reviewed = wait_reason(*c, fine_d, "nothing to act on");
  CHECK(fine_reviewed.status == "released");
  CHECK(fine_reviewed.reason.find("6500.00 secured by the guarantee") != std::string::npos);
  accepted(*c, doc("customs.tax-payment", payment_payload("D-REV-FINE", "6500.00")));
  wait_status(*c, "D-REV-FINE", "closed");
  // D-REV-ORIGIN owes the adjustment and the guaranteed tax (932.50): paying the
  // adjustment alone does not give the reservation back or close the case...
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("D-REV-ORIGIN", "932.50"))) == "payment_mismatch");
  accepted(*c, doc("customs.tax-payment", payment_payload("D-REV-ORIGIN", "169.50")));
  auto adjusted = wait_status(*c, "D-REV-ORIGIN", "released");
  CHECK(adjusted.amount_due.empty());
  CHECK(status_of(*c, shirts_d).status == "released");
  // ...paying the guaranteed tax does.
  accepted(*c, doc("customs.tax-payment", payment_payload("D-REV-ORIGIN", "932.50")));
  wait_status(*c, "D-REV-ORIGIN", "closed");
  // The inland officer's one result closes the audit; the guaranteed tax (VAT 13 % of
  // 2,000.00) is paid at once with nothing else due, and then the case closes.
  accepted(*inland, doc("customs.inspection-result", inspection_payload("ENT-A", "D-REV-VALUE", 0, "audit done")));
  auto audited = wait_status(*c, "D-REV-VALUE", "released");
  CHECK(audited.reason.find("review closed by AUD-2201") != std::string::npos);
  accepted(*c, doc("customs.tax-payment", payment_payload("D-REV-VALUE", "260.00")));
  wait_status(*c, "D-REV-VALUE", "closed");
  auto reports = run_cli("customs reports --data-dir " + w.dir.file("data"));
  CHECK(reports.out.find("\"tianjin-other-goods\"") != std::string::npos);
  CHECK(reports.out.find("\"shanghai-machinery-electronics\"") != std::string::npos);
}

TEST_CASE("bad declarations get their own error code and change nothing", "[integration][customs][bad-input]") {
  customs_world w;
  auto c = w.connect(w.ent);
  struct bad_case {
    const char* what;
    std::function<void(declaration_spec&)> change;
    const char* code;
    const char* says = ""; ///< part of the reason the partner reads
  };
  std::vector<bad_case> cases{
    {"HS code not in the tariff", [](auto& s) { s.hs_code = "8471309999"; }, "unknown_hs_code"},
    {"unit not the tariff's", [](auto& s) { s.unit = "KGM"; }, "unit_mismatch"},
    {"zero value", [](auto& s) { s.value = "0.00"; }, "invalid_amount"},
    {"negative value", [](auto& s) { s.value = "-10.00"; }, "invalid_amount"},
    {"zero quantity", [](auto& s) { s.quantity = 0; }, "invalid_quantity"},
    {"negative quantity", [](auto& s) { s.quantity = -5; }, "invalid_quantity"},
    {"unknown currency", [](auto& s) { s.currency = "ABC"; }, "unknown_currency"},
    {"unknown country", [](auto& s) { s.origin = "QQ"; }, "unknown_country"},
    {"enterprise not registered", [](auto& s) { s.importer = "UNREGISTERED"; }, "unknown_enterprise"},
    {"customs unit unknown", [](auto& s) { s.customs_unit = "9999"; }, "unknown_customs_unit"},
    {"bad self-assessment", [](auto& s) { s.self_assessed = "12,00"; }, "invalid_amount"},
    // Issue 16: totals and quantities at the limits are refused, never wrapped.
    {"7 tobacco items at the largest GBP value (once released tax-free)",
     [](auto& s) {
       s.hs_code = "2403110000", s.unit = "KGM", s.currency = "GBP", s.items = 7;
       s.value = "999999999999999.99";
     },
     "invalid_amount", "items[0].value GBP 999999999999999.99: the converted value CNY"},
    {"2 items at the largest CNY value: the total beyond the limit",
     [](auto& s) { s.value = "999999999999999.99", s.items = 2; },
     "invalid_amount", "the declaration's total customs value CNY 1999999999999999.98 is beyond"},
    {"50 items each inside the limit, together beyond",
     [](auto& s) { s.value = "100000000000000.00", s.items = 50; },
     "invalid_amount", "the declaration's total customs value CNY 5000000000000000.00"},
    {"a quantity beyond 9999999999999.99999", [](auto& s) { s.quantity = 1e13; }, "invalid_quantity",
     "items[0].quantity: 9999999999999.99999 at most"},
  };
  for (auto& bc : cases) {
    auto s = laptops("D-BAD", "GOOD-ENT");
    bc.change(s);
    auto d = declaration(s);
    INFO(bc.what);
    auto r = submit(*c, d);
    CHECK(r.status == receipt::rejected);
    CHECK(r.error_name == bc.code);
    CHECK_THAT(r.reason, Catch::Contains(bc.says));
    CHECK(status_of(*c, d).status == "unknown"); // nothing stored
  }
  // The same declaration id, now valid, is accepted: the refusals kept nothing.
  accepted(*c, declaration(laptops("D-BAD", "GOOD-ENT")));
  wait_status(*c, "D-BAD", "released");
  CHECK(refused(*c, declaration(laptops("D-BAD", "GOOD-ENT"))) == "declaration_id_reused");
}

TEST_CASE("prohibited goods are rejected at admissibility with the reason", "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto spec = laptops("D-PROHIB", "GOOD-ENT");
  spec.hs_code = "6309000000"; // worn clothing: on the shipped prohibited list (SAMPLE)
  spec.unit = "KGM";
  spec.quantity = 500;
  accepted(*c, declaration(spec));
  auto n = wait_status(*c, "D-PROHIB", "rejected");
  CHECK(n.reason.find("prohibited") != std::string::npos);
}

TEST_CASE("released cases and queued reviews survive kill -9 and the review completes after restart",
          "[integration][customs][fault]") {
  customs_settings cs;
  cs.audit_batch_size = 100;
  cs.audit_interval_ms = 1500;
  customs_world w{cs};
  outgoing d;
  {
    auto c = w.connect(w.ent);
    d = declaration(laptops("D-CRASH-1", "GOOD-ENT"));
    accepted(*c, d);
    wait_status(*c, "D-CRASH-1", "released");
  }
  w.hubd->kill9(); // before the tax centre's batch ran
  w.hubd = std::make_unique<hub_process>(w.dir, w.dir.file("hub.toml"));
  auto c = w.connect(w.ent);
  auto s = status_of(*c, d);
  CHECK(s.status == "released");
  // The review completes after the restart; the case closes once its guaranteed tax is paid.
  CHECK(wait_reason(*c, d, "nothing to act on").status == "released");
  accepted(*c, doc("customs.tax-payment", payment_payload("D-CRASH-1", "6500.00")));
  wait_status(*c, "D-CRASH-1", "closed");
  CHECK(status_of(*c, d).status == "closed");
}

TEST_CASE("licences quoted for restricted goods are checked and drawn down, of two declarations racing for the last quantity exactly one wins",
          "[integration][customs][licence]") {
  customs_settings cs;
  cs.agencies = R"T([[agency]]
id = "commerce"
name = "Ministry of Commerce licensing office, test"
party = "AGY-LIC"
licence-types = ["automatic-import-licence"]
)T";
  auto ent = make_party("ENT-A", "enterprise");
  auto agency_party = make_party("AGY-LIC", "agency");
  temp_dir dir;
  hub_settings hs;
  hs.customs = cs;
  hub_process hubd{dir, write_hub_config(dir, {ent, agency_party}, hs)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto agency = hubd.connect(ctx, agency_party);
  auto now = now_ms();
  accepted(*agency, doc("agency.licence", licence_payload("L-1", "automatic-import-licence", "GOOD-ENT", "0202",
                                                          1000, "KGM", now - 1000, now + 86400000)));
  accepted(*agency, doc("agency.licence", licence_payload("L-OLD", "automatic-import-licence", "GOOD-ENT", "0202",
                                                          1000, "KGM", now - 2 * 86400000, now - 86400000)));
  CHECK(refused(*agency, doc("agency.licence", licence_payload("L-1", "automatic-import-licence", "GOOD-ENT",
                                                               "0202", 1, "KGM", now, now + 1000)))
        == "invalid_field");
  CHECK(refused(*agency, doc("agency.licence", licence_payload("L-Q", "tariff-quota-certificate", "GOOD-ENT",
                                                               "1001", 1, "KGM", now, now + 1000)))
        == "out_of_scope");
  // Frozen beef (0202, automatic import licence), CNY 50 a kg.
  auto beef = [](const std::string& id, double kg, std::vector<std::string> licences) {
    declaration_spec s = laptops(id, "GOOD-ENT", 0);
    s.hs_code = "0202300000";
    s.unit = "KGM";
    s.quantity = kg;
    s.net_kg = kg;
    s.gross_kg = kg + 10;
    s.value = std::to_string(static_cast<int>(kg * 50)) + ".00";
    s.description = "Frozen boneless beef";
    s.licences = std::move(licences);
    return s;
  };
  CHECK(refused(*c, declaration(beef("B-NONE", 100, {}))) == "missing_field");
  CHECK(refused(*c, declaration(beef("B-UNK", 100, {"L-404"}))) == "unknown_licence");
  CHECK(refused(*c, declaration(beef("B-OLD", 100, {"L-OLD"}))) == "licence_not_valid");
  auto other = beef("B-OTHER", 100, {"L-1"});
  other.importer = "PLAIN-ENT";
  CHECK(refused(*c, declaration(other)) == "licence_not_valid");
  CHECK(refused(*c, declaration(beef("B-MUCH", 1001, {"L-1"}))) == "licence_exhausted");
  accepted(*c, declaration(beef("B-1", 600, {"L-1"})));
  // 400 kg left: two declarations of 300 kg sent back to back, exactly one wins.
  auto r1 = declaration(beef("B-RACE-1", 300, {"L-1"}));
  auto r2 = declaration(beef("B-RACE-2", 300, {"L-1"}));
  REQUIRE_FALSE(c->send_envelope(r1));
  REQUIRE_FALSE(c->send_envelope(r2));
  int won = 0, exhausted = 0;
  for (int i = 0; i < 2; ++i) {
    auto r = c->next_receipt(10s);
    REQUIRE(r);
    if (r->status == receipt::accepted)
      ++won;
    else if (r->error_name == "licence_exhausted")
      ++exhausted;
  }
  CHECK(won == 1);
  CHECK(exhausted == 1);
  // An amendment refused late (an unknown ruling, found after the licences were
  // checked) gives nothing back: B-1 keeps its 600 kg and 100 kg stay left.
  auto bad_amend = beef("B-1", 600, {"L-1"});
  bad_amend.ruling_id = "R-NOPE";
  for (int i = 0; i < 3; ++i)
    CHECK(refused(*c, doc("customs.amendment", amendment_payload("B-1", 0, "fix", &bad_amend))) == "unknown_ruling");
  // Cancelling a declaration gives its quantity back.
  CHECK(refused(*c, declaration(beef("B-2", 150, {"L-1"}))) == "licence_exhausted");
  accepted(*c, doc("customs.amendment", amendment_payload("B-1", 1, "order cancelled")));
  accepted(*c, declaration(beef("B-2", 150, {"L-1"})));
}

TEST_CASE("SR-12.7 SR-08.3 a correction that lowers the tax of a guarantee release gives that part of the "
          "reservation back, and the tax paid is the corrected one",
          "[integration][customs]") {
  customs_world w;
  auto c = w.connect(w.ent);
  auto d = declaration(laptops("D-LOWER-1", "GOOD-ENT")); // VAT 6,500.00 reserved
  accepted(*c, d);
  wait_status(*c, "D-LOWER-1", "released");
  auto lower = laptops("D-LOWER-1", "GOOD-ENT");
  lower.value = "40000.00"; // VAT 5,200.00
  accepted(*c, doc("customs.amendment", amendment_payload("D-LOWER-1", 2, "invoice value corrected", &lower)));
  auto corrected = wait_reason(*c, d, "corrected after release");
  CHECK(corrected.reason.find("CNY 1300.00 of the guarantee given back") != std::string::npos);
  auto stored = nlohmann::json::parse(
    run_cli("customs case --data-dir " + w.dir.file("data") + " --declarant ENT-A --declaration-id D-LOWER-1").out);
  CHECK(stored["reserved"] == 520000);
  CHECK(stored["due"] == 0);
  CHECK(refused(*c, doc("customs.tax-payment", payment_payload("D-LOWER-1", "6500.00"))) == "payment_mismatch");
  accepted(*c, doc("customs.tax-payment", payment_payload("D-LOWER-1", "5200.00")));
  wait_reason(*c, d, "tax paid: CNY 5200.00");
}
