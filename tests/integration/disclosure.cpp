// Voluntary disclosure (issue 11, SR-14.3) over the real swhubd: a declarant discloses
// an error in a released declaration; the underpaid tax becomes due on the case without
// freeing the guarantee or closing reviews still under way; the penalty is waived per
// customs.toml [disclosure]; a later review that finds what was disclosed charges
// nothing twice and counts no violation, one that finds more does; a disclosure after
// customs knew is recorded as such; bad disclosures change nothing.

#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/frames.hpp"
#include "tests/support/exchange_checks.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"
#include "schemas/customs.capnp.h"
#include "schemas/declaration.capnp.h"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t on_payment = 0, guarantee = 1;

outgoing declaration(const declaration_spec& s) { return doc("customs.declaration", declaration_payload(s)); }

outgoing disclose(const std::string& id, const std::string& decl, const std::string& tax, int64_t when = 0) {
  return doc("customs.disclosure", disclosure_payload(id, decl, tax, "unit value keyed as 500 instead of 512", when));
}

outgoing pay(const std::string& decl, const std::string& amount) {
  return doc("customs.tax-payment", payment_payload(decl, amount));
}

/// T-shirts claiming RCEP without a certificate: the tax centre's review adjusts the tax
/// by CNY 169.50 (MFN 1,102.00 against 932.50 claimed; tests/integration/customs.cpp).
declaration_spec shirts(const std::string& id, const std::string& enterprise) {
  auto s = laptops(id, enterprise, guarantee);
  s.hs_code = "6109100000";
  s.quantity = 100;
  s.value = "5000.00";
  s.claim = "RCEP";
  s.origin = "VN";
  return s;
}

notification wait_reason_note(partner_client& c, const std::string& decl, const std::string& text) {
  return wait_for(
    c, [&](const notification& n) { return n.declaration_id == decl && n.reason.find(text) != std::string::npos; },
    "\"" + text + "\" for " + decl);
}

nlohmann::json case_json(const temp_dir& dir, const std::string& decl) {
  auto r = run_cli("customs case --data-dir " + dir.file("data") + " --declarant ENT-A --declaration-id " + decl);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

/// The stored case once `centres` tax centres have reviewed it (20 s at most).
nlohmann::json reviewed(const temp_dir& dir, const std::string& decl, size_t centres) {
  nlohmann::json stored;
  for (int i = 0; i < 200; ++i, std::this_thread::sleep_for(100ms)) {
    stored = case_json(dir, decl);
    if (stored["auditsPending"].empty() && stored["audit"].size() == centres)
      break;
  }
  REQUIRE(stored["audit"].size() == centres);
  return stored;
}

} // namespace

TEST_CASE("SR-14.3 a voluntary disclosure on a paid, reviewed declaration makes the tax due, waives the penalty "
          "within a year and keeps the tier, and is refused for unknown or unreleased declarations, reused ids and "
          "impossible dates",
          "[integration][customs][credit][disclosure]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->audit_batch_size = 1; // each release is reviewed at once
  s.customs->audit_interval_ms = 200;
  auto hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {ent}, s));
  zmq::context_t ctx;
  auto c = hubd->connect(ctx, ent);
  // Released once its tax is paid (VAT 13 % of 50,000.00), reviewed (nothing found): closed.
  auto d1 = declaration(laptops("D-DS-1", "GOOD-ENT", on_payment));
  accepted(*c, d1);
  wait_status(*c, "D-DS-1", "accepted");
  accepted(*c, pay("D-DS-1", "6500.00"));
  wait_status(*c, "D-DS-1", "closed", 20s);
  auto lodged_at = case_json(dir, "D-DS-1")["lodgedAt"].get<int64_t>();
  // Not yet released: correct it with an amendment instead.
  accepted(*c, declaration(laptops("D-DS-2", "GOOD-ENT", on_payment)));
  wait_status(*c, "D-DS-2", "accepted");
  CHECK(refused(*c, disclose("DSC-0", "D-DS-2", "10.00")) == "invalid_case_state");
  CHECK(refused(*c, disclose("DSC-0", "NO-SUCH", "10.00")) == "unknown_declaration");
  CHECK(refused(*c, disclose("DSC-0", "D-DS-1", "10.00", now_ms() + 86400000)) == "invalid_field");
  CHECK(refused(*c, disclose("DSC-0", "D-DS-1", "10.00", lodged_at - 1)) == "invalid_field");
  CHECK(refused(*c, disclose("DSC-0", "D-DS-1", "ten")) == "invalid_amount");
  CHECK(refused(*c, disclose("DSC-0", "D-DS-1", "1.234")) == "invalid_amount");
  auto on_items = [](const std::vector<uint16_t>& items) {
    return doc("customs.disclosure", disclosure_payload("DSC-0", "D-DS-1", "10.00", "wrong item", 0, items));
  };
  CHECK(refused(*c, on_items({})) == "missing_field");   // which items the error is in
  CHECK(refused(*c, on_items({2})) == "invalid_field");  // the declaration has one
  CHECK(refused(*c, on_items({0})) == "invalid_field");  // they count from 1
  CHECK(refused(*c, on_items({1, 1})) == "invalid_field");
  CHECK(case_json(dir, "D-DS-1")["disclosed"] == 0); // the refusals changed nothing

  // One at the lodgement time itself is fine (the error is in the declaration as lodged).
  accepted(*c, disclose("DSC-1", "D-DS-1", "120.00", lodged_at));
  auto n = wait_reason_note(*c, "D-DS-1", "voluntary disclosure accepted: DSC-1: penalty waived");
  CHECK(n.status == "closed"); // the case stays closed; only the disclosed tax is owed on it
  CHECK(n.amount_due == "120.00");
  CHECK(refused(*c, disclose("DSC-1", "D-DS-1", "5.00")) == "invalid_field"); // the id is taken
  CHECK(refused(*c, pay("D-DS-1", "100.00")) == "payment_mismatch");
  accepted(*c, pay("D-DS-1", "120.00"));
  CHECK(refused(*c, pay("D-DS-1", "120.00")) == "invalid_case_state");
  // A second disclosure on the same declaration: still voluntary, "small" judged on both.
  accepted(*c, disclose("DSC-2", "D-DS-1", "5.00"));
  auto second = wait_reason_note(*c, "D-DS-1", "voluntary disclosure accepted: DSC-2");
  CHECK(second.amount_due == "5.00");
  auto stored = case_json(dir, "D-DS-1");
  CHECK(stored["disclosed"] == 12500);
  CHECK(stored["paid"] == 650000 + 12000);

  // The ids outlive a restart; the tier was kept (no credit change was ever recorded).
  c.reset();
  hubd->kill9();
  hubd = std::make_unique<hub_process>(dir, dir.file("hub.toml"));
  c = hubd->connect(ctx, ent);
  CHECK(refused(*c, disclose("DSC-2", "D-DS-1", "7.00")) == "invalid_field");
  accepted(*c, pay("D-DS-1", "5.00"));
  CHECK(run_cli("customs credit --data-dir " + dir.file("data") + " --enterprise GOOD-ENT").exit_code == 2);
  // Officers see each disclosure as kept.
  auto listed = run_cli("customs disclosures --data-dir " + dir.file("data") + " --enterprise GOOD-ENT");
  REQUIRE(listed.exit_code == 0);
  std::vector<nlohmann::json> lines;
  for (size_t at = 0, nl; (nl = listed.out.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(nlohmann::json::parse(listed.out.substr(at, nl - at)));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["disclosureId"] == "DSC-1");
  CHECK(lines[0]["violationDate"] == lodged_at);
  CHECK(lines[0]["voluntary"] == true);
  CHECK(lines[0]["penaltyWaived"] == true);
  CHECK(lines[1]["taxUnderpaid"] == "5.00");
  CHECK(lines[1]["taxDisclosedOnDeclaration"] == "125.00");
  CHECK(run_cli("customs disclosures --data-dir " + dir.file("data") + " --enterprise PLAIN-ENT").out.empty());
}

TEST_CASE("SR-14.3 a disclosure on a guarantee release: paying the disclosed tax keeps the reservation, and the "
          "case closes only once the guaranteed tax is paid and the review is done",
          "[integration][customs][disclosure]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->audit_batch_size = 2; // the review waits for a second release
  s.customs->audit_interval_ms = 600000;
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto d = declaration(laptops("D-DG-1", "GOOD-ENT", guarantee));
  accepted(*c, d);
  wait_status(*c, "D-DG-1", "released");
  accepted(*c, disclose("DSC-G1", "D-DG-1", "120.00"));
  auto n = wait_status(*c, "D-DG-1", "auditPending");
  CHECK(n.amount_due == "120.00");
  CHECK(n.waiting_on.find("disclosed tax") != std::string::npos);
  // One payment is the disclosed tax alone, or with the tax the guarantee secures.
  CHECK(refused(*c, pay("D-DG-1", "6500.00")) == "payment_mismatch");
  accepted(*c, pay("D-DG-1", "120.00"));
  wait_status(*c, "D-DG-1", "released");
  CHECK(case_json(dir, "D-DG-1")["reserved"] == 650000); // the guarantee still secures the VAT
  // The guaranteed tax paid: the reservation is given back, but the review is still due.
  accepted(*c, pay("D-DG-1", "6500.00"));
  auto paid = wait_reason(*c, d, "tax paid: CNY 6500.00");
  CHECK(paid.status == "released");
  auto stored = case_json(dir, "D-DG-1");
  CHECK(stored["reserved"] == 0);
  CHECK(stored["stage"] == "released");
  // A second release fills the review batch; nothing to act on: now it closes.
  accepted(*c, declaration(laptops("D-DG-2", "GOOD-ENT", on_payment)));
  accepted(*c, pay("D-DG-2", "6500.00"));
  wait_status(*c, "D-DG-1", "closed", 20s);
}

TEST_CASE("SR-14.3 SR-14.1 a review finding only what was disclosed charges nothing twice and is no violation, "
          "one finding more charges the rest and counts, and a disclosure after the review is not voluntary",
          "[integration][customs][credit][disclosure]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->audit_batch_size = 3; // the three shirts declarations are reviewed together
  s.customs->audit_interval_ms = 600000;
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto all = declaration(shirts("D-RV-ALL", "GOOD-ENT"));
  auto part = declaration(shirts("D-RV-PART", "PLAIN-ENT"));
  auto late = declaration(shirts("D-RV-LATE", "PLAIN-ENT"));
  accepted(*c, all);
  wait_status(*c, "D-RV-ALL", "released");
  accepted(*c, part);
  wait_status(*c, "D-RV-PART", "released");
  // Disclosed before the review: all of the underpayment, and part of it.
  accepted(*c, disclose("DSC-ALL", "D-RV-ALL", "169.50"));
  wait_status(*c, "D-RV-ALL", "auditPending");
  accepted(*c, pay("D-RV-ALL", "169.50"));
  wait_status(*c, "D-RV-ALL", "released");
  accepted(*c, disclose("DSC-PART", "D-RV-PART", "100.00"));
  wait_status(*c, "D-RV-PART", "auditPending");
  // The third release runs the review.
  accepted(*c, late);
  auto reviewed = wait_reason(*c, all, "all of it disclosed already");
  CHECK(reviewed.status == "released"); // nothing more due; the guaranteed 932.50 still is
  CHECK(reviewed.amount_due.empty());
  auto rest = wait_reason(*c, part, "tax adjustment by");
  CHECK(rest.status == "auditPending");
  CHECK(rest.amount_due == "169.50"); // the 100.00 disclosed, unpaid, and the 69.50 found beyond it
  auto found = wait_reason(*c, late, "tax adjustment by");
  CHECK(found.amount_due == "169.50");
  // GOOD-ENT disclosed all of it: its tier is kept. PLAIN-ENT's reviews found more than it
  // disclosed: violations, down to discredited.
  CHECK(run_cli("customs credit --data-dir " + dir.file("data") + " --enterprise GOOD-ENT").exit_code == 2);
  auto plain = run_cli("customs credit --data-dir " + dir.file("data") + " --enterprise PLAIN-ENT");
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.find("violation") != std::string::npos);
  // The first is the partly disclosed declaration (reviewed in lodgement order): only
  // what it disclosed was excused. (D-RV-LATE's finds PLAIN-ENT at the bottom already.)
  CHECK(plain.out.find(case_json(dir, "D-RV-PART")["caseId"].get<std::string>()) != std::string::npos);
  // After the review found it, a disclosure is not voluntary, and its tax is added.
  accepted(*c, disclose("DSC-LATE", "D-RV-LATE", "10.00"));
  auto after = wait_reason_note(*c, "D-RV-LATE", "disclosure after customs knew: DSC-LATE");
  CHECK(after.reason.find("found it first") != std::string::npos);
  CHECK(after.amount_due == "179.50");
  // Paying everything closes each case (the reviews are done).
  accepted(*c, pay("D-RV-ALL", "932.50"));
  wait_status(*c, "D-RV-ALL", "closed");
  accepted(*c, pay("D-RV-PART", "1102.00")); // 169.50 due and 932.50 secured, in one payment
  wait_status(*c, "D-RV-PART", "closed");
  accepted(*c, pay("D-RV-LATE", "179.50"));
  accepted(*c, pay("D-RV-LATE", "932.50"));
  wait_status(*c, "D-RV-LATE", "closed");
}

TEST_CASE("SR-12.7 SR-14.3 a correction owes what a review adjusted once, and a correction that leaves nothing to "
          "pay ends the wait for a disclosed payment",
          "[integration][customs][disclosure]") {
  auto ent = make_party("ENT-A", "enterprise");
  zmq::context_t ctx;
  {
    temp_dir dir;
    hub_settings s;
    s.customs = customs_settings{};
    s.customs->audit_batch_size = 1; // reviewed at release
    s.customs->audit_interval_ms = 200;
    hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
    auto c = hubd.connect(ctx, ent);
    auto d = declaration(shirts("D-CR-1", "GOOD-ENT"));
    accepted(*c, d);
    auto adj = wait_status(*c, "D-CR-1", "auditPending", 20s);
    CHECK(adj.amount_due == "169.50");
    // The declarant corrects the claim the review found (MFN: 1,102.00 in all): the
    // 169.50 the review charged is in the new assessment now, so it is owed once.
    auto fixed = shirts("D-CR-1", "GOOD-ENT");
    fixed.claim.clear();
    accepted(*c, doc("customs.amendment", amendment_payload("D-CR-1", 2, "RCEP claim withdrawn", &fixed)));
    auto corrected = wait_reason(*c, d, "corrected after release");
    CHECK(corrected.amount_due == "169.50");
    CHECK(case_json(dir, "D-CR-1")["charged"] == 0);
    accepted(*c, pay("D-CR-1", "1102.00")); // the 169.50 and the 932.50 the guarantee secured
    wait_status(*c, "D-CR-1", "closed");
  }
  {
    temp_dir dir;
    hub_settings s;
    s.customs = customs_settings{}; // the review waits (batch of 200, ten minutes)
    s.customs->audit_interval_ms = 600000;
    hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
    auto c = hubd.connect(ctx, ent);
    auto d = declaration(laptops("D-CR-2", "GOOD-ENT", on_payment));
    accepted(*c, d);
    accepted(*c, pay("D-CR-2", "6500.00"));
    wait_status(*c, "D-CR-2", "released");
    accepted(*c, disclose("DSC-CR", "D-CR-2", "120.00"));
    wait_status(*c, "D-CR-2", "auditPending");
    // The correction lowers the value by 1,000.00 (VAT -130.00): with the 120.00
    // disclosed, nothing is left to pay, so the case no longer waits for it.
    auto lower = laptops("D-CR-2", "GOOD-ENT", on_payment);
    lower.value = "49000.00";
    accepted(*c, doc("customs.amendment", amendment_payload("D-CR-2", 2, "value corrected", &lower)));
    auto after = wait_reason(*c, d, "corrected after release");
    CHECK(after.status == "released");
    CHECK(after.amount_due.empty());
    CHECK(after.waiting_on.empty());
  }
}

TEST_CASE("SR-12.7 a correction of one item leaves what a review charged on another item owed",
          "[integration][customs][disclosure]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->audit_batch_size = 1;
  s.customs->audit_interval_ms = 200;
  hub_process hubd{dir, write_hub_config(dir, {ent}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  // Laptops (VAT 6,500.00) and T-shirts with an unsupported RCEP claim: the other-goods
  // centre charges 169.50 on the T-shirts.
  auto first = laptops("D-CI-1", "GOOD-ENT", guarantee);
  auto d = doc("customs.declaration", two_item_declaration_payload(first, shirts("D-CI-1", "GOOD-ENT")));
  accepted(*c, d);
  auto stored = reviewed(dir, "D-CI-1", 2);
  REQUIRE(stored["due"] == 16950);
  // The declarant corrects the laptops' value (52,000.00: VAT +260.00) and keeps the
  // T-shirts as they were: the 169.50 is not in the new assessment, so both are owed.
  auto more = laptops("D-CI-1", "GOOD-ENT", guarantee);
  more.value = "52000.00";
  capnp::MallocMessageBuilder mb;
  auto a = mb.initRoot<swhub::wire::Amendment>();
  a.setDeclarationId("D-CI-1");
  a.setKind(swhub::wire::AmendmentKind::CORRECT);
  a.setReason("laptop value corrected");
  {
    auto replacement = two_item_declaration_payload(more, shirts("D-CI-1", "GOOD-ENT"));
    auto msg = aligned_message::copy(replacement.data(), replacement.size());
    REQUIRE(msg);
    REQUIRE_FALSE(with_root<swhub::wire::Declaration>(*msg, ec::malformed_payload, [&](auto r) {
      a.setReplacement(r);
      return caf::error{};
    }));
  }
  accepted(*c, doc("customs.amendment", to_bytes(mb)));
  auto corrected = wait_reason(*c, d, "corrected after release");
  CHECK(corrected.amount_due == "429.50");
}

TEST_CASE("SR-06.4 an adjustment from one tax centre does not end the audit another one ordered, and the case "
          "closes only after the audit and the payment",
          "[integration][customs][disclosure]") {
  temp_dir dir;
  auto ent = make_party("ENT-A", "enterprise");
  auto inland = make_party("AUD-2201", "customs-officer");
  inland.customs_unit = "2201";
  hub_settings s;
  s.customs = customs_settings{};
  s.customs->audit_batch_size = 1;
  s.customs->audit_interval_ms = 200;
  hub_process hubd{dir, write_hub_config(dir, {ent, inland}, s)};
  zmq::context_t ctx;
  auto c = hubd.connect(ctx, ent);
  auto officer = hubd.connect(ctx, inland);
  // Laptops at CNY 200 each (far below the reference minimum: an audit instruction from
  // the machinery centre) and T-shirts with an unsupported RCEP claim (an adjustment of
  // 169.50 from the other-goods centre), in one declaration: the two reviews land in
  // either order.
  auto cheap = laptops("D-2C-1", "GOOD-ENT", guarantee);
  cheap.value = "2000.00";
  auto d = doc("customs.declaration", two_item_declaration_payload(cheap, shirts("D-2C-1", "GOOD-ENT")));
  accepted(*c, d);
  auto stored = reviewed(dir, "D-2C-1", 2);
  CHECK(stored["status"] == "auditPending");
  CHECK(stored["waitingOn"].get<std::string>().rfind("audit", 0) == 0);
  CHECK(stored["due"] == 16950);
  // Paying the adjustment leaves the audit under way.
  accepted(*c, pay("D-2C-1", "169.50"));
  auto paid = wait_reason(*c, d, "tax paid: CNY 169.50");
  CHECK(paid.status == "auditPending");
  CHECK(paid.waiting_on.rfind("audit", 0) == 0);
  // The inland officer's result ends the audit; the guaranteed tax (260.00 + 932.50) is
  // still to pay, and then the case closes.
  accepted(*officer, doc("customs.inspection-result", inspection_payload("ENT-A", "D-2C-1", 0, "audit done")));
  auto audited = wait_reason(*c, d, "review closed by AUD-2201");
  CHECK(audited.status == "released");
  accepted(*c, pay("D-2C-1", "1192.50"));
  wait_status(*c, "D-2C-1", "closed");
}
