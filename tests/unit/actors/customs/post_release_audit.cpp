// The tax centre's post-release batch review (SR-06.2, SR-06.4, SR-08.5, SR-08.6):
// classification against advance rulings and precedents, value against reference
// ranges and similar declarations, origin against certificates; every outcome, the
// enterprise escalation and the report. A small hand-made reference set keeps every
// amount checkable by hand.

#include <catch2/catch.hpp>

#include "actors/core/error.hpp"
#include "actors/customs/post_release_audit.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

constexpr int64_t day_ms = 86'400'000;
constexpr int64_t released = 1'750'000'000'000; // 2025-06-15
constexpr int64_t now = released + 30 * day_ms;

reference_data audit_ref() {
  reference_data ref;
  auto add = [&](std::string hs, std::string unit, ppm mfn, ppm vat,
                 std::map<std::string, ppm> pref = {}) {
    ref.tariff.emplace(hs, tariff_line{hs, "line " + hs, unit, mfn, vat, 0, std::move(pref)});
  };
  add("8471300000", "PCE", 0, 130'000);                           // laptops
  add("8517629900", "PCE", 0, 130'000);                           // data apparatus
  add("8518300000", "PCE", 100'000, 130'000);                     // earphones (10 % here)
  add("9102110000", "PCE", 80'000, 130'000);                      // watches
  add("0810100000", "KGM", 140'000, 90'000, {{"RCEP", 100'000}}); // strawberries
  add("0810500000", "KGM", 200'000, 90'000);                      // kiwifruit (no price row)
  ref.cny_micro = {{"CNY", 1'000'000}, {"USD", 7'100'000}};
  ref.prices.push_back({"8471300000", "PCE", 150'000, 2'000'000}); // 1500.00-20000.00 per PCE
  ref.precedents.push_back({"PRE-1", "smart watch", "8517629900", ""});
  ref.precedents.push_back({"PRE-2", "earbuds", "8518300000", ""});
  auto cert = [&](std::string n, std::string agr, std::string c, std::vector<std::string> p,
                  int64_t until) {
    ref.certificates.emplace(n, origin_certificate{n, agr, c, std::move(p), until});
  };
  cert("C-OK", "RCEP", "VN", {"0810"}, released + 365 * day_ms);
  cert("C-OPEN", "RCEP", "VN", {}, 0);
  cert("C-OLD", "RCEP", "VN", {"0810"}, released - day_ms);
  cert("C-KR", "CN-KR", "VN", {"0810"}, 0);
  cert("C-TH", "RCEP", "TH", {"0810"}, 0);
  cert("C-PHONE", "RCEP", "VN", {"8517"}, 0);
  return ref;
}

audit_item goods(std::string hs, cents value_cny, double qty, std::string unit,
                 std::string description, std::string origin = "US", std::string claim = {},
                 std::string certificate = {}) {
  audit_item it;
  it.goods = tax_item{std::move(hs),    value_cny, "CNY",          std::move(origin),
                      std::move(claim), qty,       std::move(unit)};
  it.description = std::move(description);
  it.certificate = std::move(certificate);
  return it;
}

audit_case make_case(const reference_data& ref, std::string id, std::string enterprise,
                     std::vector<audit_item> items, std::vector<advance_ruling> rulings = {}) {
  audit_case c;
  c.case_id = std::move(id);
  c.enterprise = std::move(enterprise);
  c.released_at_ms = released;
  c.items = std::move(items);
  c.rulings = std::move(rulings);
  std::vector<tax_item> t;
  for (auto& it : c.items)
    t.push_back(it.goods);
  auto a = assess(ref, t, true);
  REQUIRE(a);
  c.assessed = *a;
  return c;
}

advance_ruling classification_ruling(std::string holder, std::string description, std::string hs) {
  advance_ruling r;
  r.id = "AR-C-1";
  r.holder = std::move(holder);
  r.kind = advance_ruling::classification;
  r.description = std::move(description);
  r.hs = std::move(hs);
  r.valid_from_ms = released - 100 * day_ms;
  r.valid_until_ms = released + 100 * day_ms;
  return r;
}

std::vector<case_result> run(const reference_data& ref, const std::vector<audit_case>& batch,
                             group_report& report, audit_policy policy = {}) {
  return audit_batch(ref, batch, policy, now, report);
}

case_result run_one(const reference_data& ref, const audit_case& c) {
  group_report report;
  auto out = run(ref, {c}, report);
  REQUIRE(out.size() == 1);
  return out[0];
}

bool has(const std::string& text, const std::string& part) {
  INFO(text);
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("SR-06.4 outcomes have stable names", "[audit]") {
  CHECK(std::string{to_string(audit_outcome::no_action)} == "no-action");
  CHECK(std::string{to_string(audit_outcome::tax_adjustment)} == "tax-adjustment");
  CHECK(std::string{to_string(audit_outcome::verification)} == "verification");
  CHECK(std::string{to_string(audit_outcome::audit_instruction)} == "audit-instruction");
}

TEST_CASE("SR-06.4 a clean declaration needs no action", "[audit]") {
  auto ref = audit_ref();
  auto r = run_one(ref, make_case(ref, "D1", "ENT-1",
                                  {goods("8471300000", 500'000, 1, "PCE", "laptop computer")}));
  CHECK(r.case_id == "D1");
  CHECK(r.outcome == audit_outcome::no_action);
  CHECK(r.findings.empty());
  CHECK(r.adjustment == 0);
  CHECK(r.note.empty());
}

TEST_CASE("SR-08.5 deviation from an advance classification ruling: tax adjustment", "[audit]") {
  auto ref = audit_ref();
  // declared 8517629900 (duty 0, VAT 13 %): 100000.00 -> VAT 13000.00
  // ruled 8518300000 (duty 10 %, VAT 13 %): duty 10000.00, VAT 13 % of 110000.00 = 14300.00
  // difference 24300.00 - 13000.00 = 11300.00
  auto c = make_case(ref, "D2", "ENT-1",
                     {goods("8517629900", 10'000'000, 100, "PCE", "Wireless Earbuds model X")},
                     {classification_ruling("ENT-1", "wireless earbuds", "8518300000")});
  auto r = run_one(ref, c);
  REQUIRE(r.findings.size() == 1);
  auto& f = r.findings[0];
  CHECK(f.item == 0);
  CHECK(f.area == audit_finding::classification);
  CHECK(f.outcome == audit_outcome::tax_adjustment);
  CHECK(f.adjustment == 1'130'000);
  CHECK(has(f.reason, "advance ruling AR-C-1"));
  CHECK(has(f.reason, "HS 8518300000"));
  CHECK(has(f.reason, "11300.00 CNY"));
  CHECK(r.outcome == audit_outcome::tax_adjustment);
  CHECK(r.adjustment == 1'130'000);

  SECTION("the ruling governs: no precedent finding when declared as ruled") {
    auto same = make_case(ref, "D2b", "ENT-1",
                          {goods("8517629900", 10'000'000, 100, "PCE", "Wireless Earbuds model X")},
                          {classification_ruling("ENT-1", "wireless earbuds", "8517629900")});
    CHECK(run_one(ref, same).findings.empty()); // "earbuds" precedent says 8518300000
  }
  SECTION("a ruling of another enterprise or out of validity does not apply") {
    auto other = c;
    other.rulings[0].holder = "ENT-2";
    auto r2 = run_one(ref, other);
    // falls through to the precedent "earbuds" -> 8518300000: same difference
    REQUIRE(r2.findings.size() == 1);
    CHECK(has(r2.findings[0].reason, "precedent PRE-2"));
    CHECK(r2.findings[0].outcome == audit_outcome::tax_adjustment);
    auto expired = c;
    expired.rulings[0].valid_until_ms = released;
    CHECK(has(run_one(ref, expired).findings.at(0).reason, "precedent PRE-2"));
  }
}

TEST_CASE("SR-08.5 a ruling deviation with a small tax difference is verified", "[audit]") {
  auto ref = audit_ref();
  // declared 8517629900: 300.00 -> VAT 39.00
  // ruled 8518300000: duty 30.00, VAT 13 % of 330.00 = 42.90 -> 72.90; difference 33.90 < 50.00
  auto r =
      run_one(ref, make_case(ref, "D3", "ENT-1", {goods("8517629900", 30'000, 1, "PCE", "earbuds")},
                             {classification_ruling("ENT-1", "Earbuds", "8518300000")}));
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].outcome == audit_outcome::verification);
  CHECK(r.findings[0].adjustment == 0);
  CHECK(has(r.findings[0].reason, "33.90 CNY is below 50.00 CNY"));
  CHECK(r.outcome == audit_outcome::verification);
}

TEST_CASE("SR-08.5 classification respects precedent", "[audit]") {
  auto ref = audit_ref();
  SECTION("precedent HS taxes less: verification, nothing raised") {
    // declared 9102110000 (8 %): 2000.00 -> duty 160.00, VAT 13 % of 2160.00 = 280.80 -> 440.80
    // precedent 8517629900 (0 %): VAT 260.00; difference -180.80
    auto r =
        run_one(ref, make_case(ref, "D4", "ENT-1",
                               {goods("9102110000", 200'000, 2, "PCE", "ACME smart watch S1")}));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].area == audit_finding::classification);
    CHECK(r.findings[0].outcome == audit_outcome::verification);
    CHECK(r.findings[0].adjustment == 0);
    CHECK(has(r.findings[0].reason, "precedent PRE-1"));
    CHECK(has(r.findings[0].reason, "-180.80 CNY"));
  }
  SECTION("precedent HS taxes more by at least CNY 50: tax adjustment") {
    // declared 8517629900: 1000.00 -> VAT 130.00
    // precedent 8518300000: duty 100.00, VAT 143.00 -> 243.00; difference 113.00
    auto r = run_one(ref, make_case(ref, "D5", "ENT-1",
                                    {goods("8517629900", 100'000, 2, "PCE", "sport earbuds")}));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].outcome == audit_outcome::tax_adjustment);
    CHECK(r.findings[0].adjustment == 11'300);
    CHECK(r.adjustment == 11'300);
  }
}

TEST_CASE("SR-06.2 unit values below the reference range", "[audit]") {
  auto ref = audit_ref();
  SECTION("below the minimum by up to 50 %: verification") {
    // 3 laptops for 3000.00 = 1000.00 each; (1500.00 - 1000.00) / 1500.00 = 33.3333 %
    auto r = run_one(
        ref, make_case(ref, "D6", "ENT-1", {goods("8471300000", 300'000, 3, "PCE", "laptop")}));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].area == audit_finding::value);
    CHECK(r.findings[0].outcome == audit_outcome::verification);
    CHECK(r.findings[0].adjustment == 0);
    CHECK(
        has(r.findings[0].reason,
            "unit value 1000.00 CNY per PCE is 33.3333% below the reference minimum 1500.00 CNY"));
  }
  SECTION("below the minimum by more than 50 %: audit instruction") {
    // 500.00 each: (1500.00 - 500.00) / 1500.00 = 66.6667 %
    auto r = run_one(
        ref, make_case(ref, "D7", "ENT-1", {goods("8471300000", 100'000, 2, "PCE", "laptop")}));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].outcome == audit_outcome::audit_instruction);
    CHECK(r.outcome == audit_outcome::audit_instruction);
  }
  SECTION("a valuation ruling covering the unit value clears it") {
    advance_ruling v;
    v.id = "AR-V-1";
    v.holder = "ENT-1";
    v.kind = advance_ruling::valuation;
    v.hs = "8471300000";
    v.min_unit_value = 40'000;  // 400.00
    v.max_unit_value = 120'000; // 1200.00
    v.valid_from_ms = released - day_ms;
    auto r = run_one(ref, make_case(ref, "D8", "ENT-1",
                                    {goods("8471300000", 100'000, 2, "PCE", "laptop")}, {v}));
    CHECK(r.findings.empty());
    CHECK(r.outcome == audit_outcome::no_action);
    // outside the ruled range: verification naming the ruling
    auto r2 = run_one(ref, make_case(ref, "D8b", "ENT-1",
                                     {goods("8471300000", 60'000, 2, "PCE", "laptop")}, {v}));
    REQUIRE(r2.findings.size() == 1);
    CHECK(r2.findings[0].outcome == audit_outcome::verification);
    CHECK(has(r2.findings[0].reason, "advance valuation ruling AR-V-1"));
  }
}

TEST_CASE("SR-06.2 unit values far below similar declarations in the batch", "[audit]") {
  auto ref = audit_ref();
  // kiwifruit from NZ: unit values 30.00, 32.00, 28.00 and 10.00 per KGM
  // median of (10, 28, 30, 32) = (28 + 30) / 2 = 29.00; 10.00 is 65.5172 % below (> 40 %)
  std::vector<audit_case> batch{
      make_case(ref, "K1", "ENT-A", {goods("0810500000", 300'000, 100, "KGM", "kiwi", "NZ")}),
      make_case(ref, "K2", "ENT-B", {goods("0810500000", 320'000, 100, "KGM", "kiwi", "NZ")}),
      make_case(ref, "K3", "ENT-C", {goods("0810500000", 280'000, 100, "KGM", "kiwi", "NZ")}),
      make_case(ref, "K4", "ENT-D", {goods("0810500000", 100'000, 100, "KGM", "kiwi", "NZ")}),
      // another origin is another group: only one item there, no comparison
      make_case(ref, "K5", "ENT-E", {goods("0810500000", 50'000, 100, "KGM", "kiwi", "CL")}),
  };
  group_report report;
  auto out = run(ref, batch, report);
  REQUIRE(out.size() == 5);
  for (size_t i : {0, 1, 2, 4}) {
    INFO(i);
    CHECK(out[i].outcome == audit_outcome::no_action);
  }
  REQUIRE(out[3].findings.size() == 1);
  CHECK(out[3].findings[0].area == audit_finding::value);
  CHECK(out[3].findings[0].outcome == audit_outcome::verification);
  CHECK(has(
      out[3].findings[0].reason,
      "65.5172% below the median 29.00 CNY of similar declarations (HS 0810500000, origin NZ)"));
  // report: unit values per HS over every item: 5.00, 10.00, 28.00, 30.00, 32.00
  CHECK(report.cases == 5);
  CHECK(report.outcomes[audit_outcome::no_action] == 4);
  CHECK(report.outcomes[audit_outcome::verification] == 1);
  auto& u = report.by_hs.at("0810500000");
  CHECK(u.count == 5);
  CHECK(u.median == 2'800);
  CHECK(u.min == 500);
  CHECK(u.max == 3'200);

  SECTION("fewer than three similar items: no comparison") {
    std::vector<audit_case> two{batch[0], batch[3]};
    auto out2 = run(ref, two, report);
    CHECK(out2[1].outcome == audit_outcome::no_action);
    CHECK(report.cases == 2); // the report is reset per batch
  }
}

TEST_CASE("SR-08.5 preferential claims need a valid certificate of origin", "[audit]") {
  auto ref = audit_ref();
  // strawberries 10000.00 from VN under RCEP (10 %): duty 1000.00, VAT 9 % of 11000.00 = 990.00
  // at MFN (14 %): duty 1400.00, VAT 9 % of 11400.00 = 1026.00; difference 2426.00 - 1990.00 =
  // 436.00
  auto claim = [&](std::string cert, std::string origin = "VN", std::string hs = "0810100000") {
    return make_case(
        ref, "O-" + cert, "ENT-1",
        {goods(hs, 1'000'000, 500, "KGM", "fresh strawberries", origin, "RCEP", cert)});
  };
  for (auto good : {"C-OK", "C-OPEN"}) {
    INFO(good);
    auto c = claim(good);
    REQUIRE(c.assessed.items[0].preferential);
    CHECK(run_one(ref, c).findings.empty());
  }
  struct bad {
    std::string cert, origin, why;
  };
  for (auto& b : {bad{"", "VN", "quotes no certificate of origin"},
                  bad{"C-NOPE", "VN", "certificate C-NOPE which is not in the registry"},
                  bad{"C-KR", "VN", "issued under CN-KR, not RCEP"},
                  bad{"C-TH", "VN", "for origin TH but declares origin VN"},
                  bad{"C-PHONE", "VN", "does not cover HS 0810100000"},
                  bad{"C-OLD", "VN", "had expired at release"}}) {
    INFO(b.cert);
    auto r = run_one(ref, claim(b.cert, b.origin));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].area == audit_finding::origin);
    CHECK(r.findings[0].outcome == audit_outcome::tax_adjustment);
    CHECK(r.findings[0].adjustment == 43'600);
    CHECK(has(r.findings[0].reason, b.why));
    CHECK(has(r.findings[0].reason, "436.00 CNY"));
    CHECK(r.adjustment == 43'600);
  }
  SECTION("a claim the line has no rate for was assessed at MFN: nothing to check") {
    auto c = make_case(ref, "O-X", "ENT-1",
                       {goods("0810500000", 1'000'000, 500, "KGM", "kiwi", "VN", "RCEP")});
    REQUIRE_FALSE(c.assessed.items[0].preferential);
    CHECK(run_one(ref, c).findings.empty());
  }
  SECTION("a difference below CNY 50 is recorded but not raised") {
    // 100.00: RCEP duty 10.00 + VAT 9.90 = 19.90; MFN 14.00 + VAT 9 % of 114.00 = 10.26 -> 24.26
    auto c = make_case(ref, "O-S", "ENT-1",
                       {goods("0810100000", 10'000, 5, "KGM", "fresh strawberries", "VN", "RCEP")});
    auto r = run_one(ref, c);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].outcome == audit_outcome::no_action);
    CHECK(r.findings[0].adjustment == 0);
    CHECK(has(r.findings[0].reason, "4.36 CNY is below 50.00 CNY"));
    CHECK(r.outcome == audit_outcome::no_action);
  }
}

TEST_CASE("SR-06.4 an enterprise with repeated findings in a batch gets an audit instruction",
          "[audit]") {
  auto ref = audit_ref();
  std::vector<audit_case> batch{
      // ENT-X: one origin finding (436.00) ...
      make_case(ref, "X1", "ENT-X",
                {goods("0810100000", 1'000'000, 500, "KGM", "fresh strawberries", "VN", "RCEP")}),
      // ... a clean declaration ...
      make_case(ref, "X2", "ENT-X", {goods("8471300000", 500'000, 1, "PCE", "laptop")}),
      // ... and two value findings (33.33 % below the minimum: verification each)
      make_case(ref, "X3", "ENT-X",
                {goods("8471300000", 300'000, 3, "PCE", "laptop"),
                 goods("8471300000", 100'000, 1, "PCE", "notebook")}),
      // ENT-Y: one finding only
      make_case(ref, "Y1", "ENT-Y", {goods("8471300000", 300'000, 3, "PCE", "laptop")}),
  };
  group_report report;
  auto out = run(ref, batch, report);
  REQUIRE(out.size() == 4);
  CHECK(out[0].outcome == audit_outcome::audit_instruction);
  CHECK(has(out[0].note, "enterprise ENT-X has 3 findings in this batch"));
  CHECK(out[0].findings.at(0).outcome == audit_outcome::tax_adjustment); // the finding itself stays
  CHECK(out[1].outcome == audit_outcome::no_action);                     // clean cases stay clean
  CHECK(out[1].note.empty());
  CHECK(out[2].outcome == audit_outcome::audit_instruction);
  CHECK(out[2].findings.size() == 2);
  CHECK(out[3].outcome == audit_outcome::verification);
  CHECK(out[3].note.empty());
  CHECK(report.outcomes[audit_outcome::audit_instruction] == 2);
  CHECK(report.outcomes[audit_outcome::no_action] == 1);
  CHECK(report.outcomes[audit_outcome::verification] == 1);
  CHECK(report.adjustments == 43'600);
  // laptops: unit values 5000.00, 1000.00, 1000.00, 1000.00 -> median 1000.00
  auto& u = report.by_hs.at("8471300000");
  CHECK(u.count == 4);
  CHECK(u.median == 100'000);
  CHECK(u.min == 100'000);
  CHECK(u.max == 500'000);

  SECTION("the threshold is a policy") {
    audit_policy p;
    p.audit_after_findings = 4;
    auto out2 = run(ref, batch, report, p);
    CHECK(out2[0].outcome == audit_outcome::tax_adjustment);
    CHECK(out2[2].outcome == audit_outcome::verification);
  }
}

TEST_CASE("SR-08.6 the review is deterministic and keeps the input order", "[audit]") {
  auto ref = audit_ref();
  std::vector<audit_case> batch{
      make_case(ref, "B1", "ENT-1", {goods("8471300000", 100'000, 2, "PCE", "laptop")}),
      make_case(ref, "B2", "ENT-2", {goods("9102110000", 200'000, 2, "PCE", "smart watch")}),
      make_case(
          ref, "B3", "ENT-3",
          {goods("0810100000", 1'000'000, 500, "KGM", "strawberries", "VN", "RCEP", "C-OLD")}),
  };
  group_report r1, r2;
  auto a = audit_batch(ref, batch, {}, now, r1);
  auto b = audit_batch(ref, batch, {}, now, r2);
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(a[i].case_id == batch[i].case_id);
    CHECK(a[i].case_id == b[i].case_id);
    CHECK(a[i].outcome == b[i].outcome);
    CHECK(a[i].adjustment == b[i].adjustment);
    REQUIRE(a[i].findings.size() == b[i].findings.size());
    for (size_t k = 0; k < a[i].findings.size(); ++k)
      CHECK(a[i].findings[k].reason == b[i].findings[k].reason);
  }
  CHECK(r1.adjustments == r2.adjustments);
}

TEST_CASE("SR-06.2 a case whose assessment is missing is recomputed or verified", "[audit]") {
  auto ref = audit_ref();
  auto c = make_case(ref, "M1", "ENT-1",
                     {goods("0810100000", 1'000'000, 500, "KGM", "strawberries", "VN", "RCEP")});
  c.assessed = {}; // recomputed: still preferential without certificate
  auto r = run_one(ref, c);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].adjustment == 43'600);
  c.items[0].goods.hs = "0810100099"; // cannot be recomputed: verification with the reason
  auto r2 = run_one(ref, c);
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].outcome == audit_outcome::verification);
  CHECK(
      has(r2.findings[0].reason, "items[0].hs \"0810100099\" is not a line of the customs tariff"));
}
