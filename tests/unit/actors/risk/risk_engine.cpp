// Risk engine (actors/risk/), through the customs adapter as clearance uses it
// (step 1 of "one declaration, step-by-step processing"): random
// selectivity per credit tier, risk parameters, control instructions with validity
// and district scope, the severity rule, replay, canonical JSON and the TOML reader.
//
// Statistical checks run on fixed seeds 1..n, so they are deterministic; the
// tolerance is still stated as a binomial one so that a correct engine passes for
// any seed range: |observed - p| <= 4 * sqrt(p (1 - p) / n).

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "actors/core/error.hpp"
#include "actors/customs/declaration_risk_facts.hpp"

using namespace hub;
using namespace hub::customs;

namespace {

constexpr int n_seeds = 10000;

/// 4 binomial standard deviations of a rate p observed over n trials.
double tolerance(double p, int n) {
  return 4.0 * std::sqrt(p * (1.0 - p) / n);
}

double rate(ppm p) {
  return static_cast<double>(p) / 1e6;
}

item_facts item(std::string hs, std::string origin = "CN") {
  item_facts x;
  x.hs = std::move(hs);
  x.origin = std::move(origin);
  x.kg_per_unit = 1.0;
  return x;
}

declaration_facts facts(std::vector<item_facts> items, tier credit = tier::general_credit) {
  declaration_facts f;
  f.declarant = "broker-1";
  f.enterprise = "91310000MA1K000001";
  f.customs_unit = "2201";
  f.credit = credit;
  f.items = std::move(items);
  return f;
}

risk_parameter parameter(std::string id, condition when, lane l, ppm probability = one_ppm) {
  risk_parameter p;
  p.id = std::move(id);
  p.when = std::move(when);
  p.lane = l;
  p.probability = probability;
  p.reason = "reason of " + p.id;
  return p;
}

control_instruction instruction(std::string id, condition when, lane l = lane::red) {
  control_instruction ci;
  ci.id = std::move(id);
  ci.issuer = "officer-1";
  ci.when = std::move(when);
  ci.lane = l;
  ci.reason = "reason of " + ci.id;
  return ci;
}

condition hs(std::vector<std::string> prefixes) {
  condition c;
  c.hs_prefixes = std::move(prefixes);
  return c;
}

const rule_hit* find_hit(const lane_decision& d, const std::string& id) {
  for (auto& h : d.hits)
    if (h.id == id)
      return &h;
  return nullptr;
}

bool hits(const risk_engine& e, const declaration_facts& f, const std::string& id,
          int64_t at_ms = 0) {
  return find_hit(evaluate(e, f, 1, at_ms), id) != nullptr;
}

struct counts {
  int red = 0, yellow = 0, green = 0;
};

counts count_lanes(const risk_engine& e, const declaration_facts& f) {
  counts c;
  for (uint64_t seed = 1; seed <= n_seeds; ++seed) {
    switch (evaluate(e, f, seed, 0).lane) {
      case lane::red:
        ++c.red;
        break;
      case lane::yellow:
        ++c.yellow;
        break;
      case lane::green:
        ++c.green;
        break;
    }
  }
  return c;
}

std::map<std::string, risk::class_selectivity, std::less<>> sample_selectivity() {
  return {
    {to_string(tier::advanced_certified), {5000, 10000, 10000}},   // red 0.5 %, yellow 1 %, min 1 %
    {to_string(tier::general_certified), {15000, 30000, 0}},       // red 1.5 %, yellow 3 %
    {to_string(tier::general_credit), {25000, 50000, 10000}},      // red 2.5 %, yellow 5 %, min 1 %
    {to_string(tier::discredited), {800000, 100000, 0}},           // red 80 %, yellow 10 %
  };
}

} // namespace

TEST_CASE("SR-05.4 draw is SHA-256(seed BE || label) reduced below 1e6") {
  // Known answers computed independently (Python hashlib).
  CHECK(risk::draw(1, "selectivity") == 866896);
  CHECK(risk::draw(0, "") == 681850);
  CHECK(risk::draw(0x0123456789abcdefULL, "RP-0001") == 717813);
  for (uint64_t s = 0; s < 1000; ++s) {
    auto d = risk::draw(s, "x");
    CHECK(d >= 0);
    CHECK(d < one_ppm);
  }
}

TEST_CASE("SR-12.4 SR-14.1 random lanes follow the selectivity of the credit tier") {
  rule_set rs;
  rs.selectivity = sample_selectivity();
  auto e = customs_risk_engine(rs);
  std::map<tier, double> selected_rate;
  for (auto& [name, sel] : rs.selectivity) {
    auto t = *tier_from_string(name);
    INFO("tier " << name);
    auto c = count_lanes(e, facts({item("0306170000")}, t));
    double red = static_cast<double>(c.red) / n_seeds;
    double yellow = static_cast<double>(c.yellow) / n_seeds;
    double want_red = rate(sel.red);
    double want_yellow = rate(std::max(sel.red + sel.yellow, sel.min_random) - sel.red);
    // Binomial tolerance: 4 standard deviations, sqrt(p (1 - p) / n) * 4.
    CHECK(std::fabs(red - want_red) <= tolerance(want_red, n_seeds));
    CHECK(std::fabs(yellow - want_yellow) <= tolerance(want_yellow, n_seeds));
    CHECK(c.red + c.yellow + c.green == n_seeds);
    selected_rate[t] = red + yellow;
  }
  // The tiers differ as Decree 237 intends: discredited >> general >> advanced.
  CHECK(selected_rate[tier::discredited] > 0.85);
  CHECK(selected_rate[tier::advanced_certified] < 0.03);
  CHECK(selected_rate[tier::discredited] > 20 * selected_rate[tier::advanced_certified]);
  CHECK(selected_rate[tier::general_credit] > selected_rate[tier::advanced_certified]);
  CHECK(selected_rate[tier::general_certified] > selected_rate[tier::advanced_certified]);
}

TEST_CASE("SR-12.4 the minimum random rate selects at least that share (yellow)") {
  rule_set rs;
  rs.selectivity[to_string(tier::general_credit)] = {0, 0, 20000}; // min random 2 %
  auto e = customs_risk_engine(rs);
  auto c = count_lanes(e, facts({item("8517130000")}));
  CHECK(c.red == 0);
  double yellow = static_cast<double>(c.yellow) / n_seeds;
  CHECK(std::fabs(yellow - 0.02) <= tolerance(0.02, n_seeds));
  // A tier missing from the rule set selects nothing at random.
  auto none = count_lanes(e, facts({item("8517130000")}, tier::discredited));
  CHECK(none.green == n_seeds);
}

TEST_CASE("SR-05.1 a risk parameter selects its lane with its probability") {
  rule_set rs;
  rs.parameters.push_back(parameter("RP-ALL", hs({"0306"}), lane::red));
  rs.parameters.push_back(parameter("RP-HALF", hs({"8517"}), lane::yellow, 500000));
  auto e = customs_risk_engine(rs);

  SECTION("percent 100: always its lane") {
    for (uint64_t seed = 1; seed <= 1000; ++seed) {
      auto d = evaluate(e, facts({item("0306170000")}), seed, 0);
      REQUIRE(d.hits.size() == 1);
      CHECK(d.hits[0].id == "RP-ALL");
      CHECK(d.hits[0].selected);
      CHECK(d.lane == lane::red);
    }
  }
  SECTION("percent 50: about half the hits are selected; every hit is recorded") {
    int selected = 0;
    for (uint64_t seed = 1; seed <= n_seeds; ++seed) {
      auto d = evaluate(e, facts({item("8517130000")}), seed, 0);
      REQUIRE(d.hits.size() == 1);
      auto& h = d.hits[0];
      CHECK(h.id == "RP-HALF");
      CHECK_FALSE(h.instruction);
      CHECK(h.lane == lane::yellow);
      CHECK(h.draw == risk::draw(seed, "RP-HALF"));
      CHECK(h.selected == (h.draw < 500000));
      CHECK(h.reason == "reason of RP-HALF");
      if (h.selected) {
        ++selected;
        CHECK(d.lane >= lane::yellow);
      } else {
        CHECK(d.lane == d.random_lane);
      }
    }
    double share = static_cast<double>(selected) / n_seeds;
    CHECK(std::fabs(share - 0.5) <= tolerance(0.5, n_seeds));
  }
  SECTION("no match, no hit") {
    auto d = evaluate(e, facts({item("0101210000")}), 7, 0);
    CHECK(d.hits.empty());
    CHECK(d.lane == lane::green);
  }
}

TEST_CASE("SR-05.1 SR-05.2 a control instruction applies only within its validity") {
  rule_set rs;
  auto ci = instruction("CI-2024-7", hs({"851713"}));
  ci.valid_from_ms = 1000;
  ci.valid_until_ms = 2000;
  rs.instructions.push_back(ci);
  auto open = instruction("CI-OPEN", hs({"851713"}), lane::yellow);
  open.valid_from_ms = 1000; // valid_until 0: open-ended
  rs.instructions.push_back(open);
  auto e = customs_risk_engine(rs);
  auto f = facts({item("8517130000")});
  CHECK_FALSE(hits(e, f, "CI-2024-7", 999));
  CHECK(hits(e, f, "CI-2024-7", 1000));
  CHECK(hits(e, f, "CI-2024-7", 1999));
  CHECK_FALSE(hits(e, f, "CI-2024-7", 2000));
  CHECK_FALSE(hits(e, f, "CI-2024-7", 5000));
  CHECK_FALSE(hits(e, f, "CI-OPEN", 999));
  CHECK(hits(e, f, "CI-OPEN", 1000));
  CHECK(hits(e, f, "CI-OPEN", int64_t{1} << 50));
  auto d = evaluate(e, f, 3, 1500);
  REQUIRE(d.hits.size() == 2);
  CHECK(d.hits[0].instruction);
  CHECK(d.hits[0].selected); // instructions select with 100 %
  CHECK(d.lane == lane::red);
  CHECK(evaluate(e, f, 3, 2500).lane >= lane::yellow);
}

TEST_CASE("SR-05.1 a level-2 rule applies only in its district") {
  rule_set rs;
  auto ci = instruction("CI-SH-1", hs({"0306"}));
  ci.level = 2;
  ci.scope = "22";
  rs.instructions.push_back(ci);
  auto p = parameter("RP-SH-1", hs({"0306"}), lane::yellow);
  p.level = 2;
  p.scope = "22";
  rs.parameters.push_back(p);
  auto e = customs_risk_engine(rs);
  auto f = facts({item("0306170000")});
  f.customs_unit = "5100";
  CHECK_FALSE(hits(e, f, "CI-SH-1"));
  CHECK_FALSE(hits(e, f, "RP-SH-1"));
  CHECK(evaluate(e, f, 1, 0).lane == lane::green);
  f.customs_unit = "2201";
  CHECK(hits(e, f, "CI-SH-1"));
  CHECK(hits(e, f, "RP-SH-1"));
  CHECK(evaluate(e, f, 1, 0).lane == lane::red);
}

TEST_CASE("SR-05.2 a district rule cannot lower the national lane") {
  rule_set rs;
  rs.instructions.push_back(instruction("CI-NAT", hs({"0306"}), lane::red));
  auto green = parameter("RP-22-GREEN", hs({"0306"}), lane::green);
  green.level = 2;
  green.scope = "22";
  rs.parameters.push_back(green);
  auto yellow = instruction("CI-22-YELLOW", hs({"03"}), lane::yellow);
  yellow.level = 2;
  yellow.scope = "22";
  rs.instructions.push_back(yellow);
  auto e = customs_risk_engine(rs);
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    auto d = evaluate(e, facts({item("0306170000")}), seed, 0);
    CHECK(d.hits.size() == 3);
    CHECK(d.lane == lane::red);
  }
  // Without the national instruction, the district's yellow stands over its green.
  rs.instructions.erase(rs.instructions.begin());
  auto district_only = customs_risk_engine(rs);
  CHECK(evaluate(district_only, facts({item("0306170000")}), 1, 0).lane >= lane::yellow);
}

TEST_CASE("SR-05.4 decisions replay: same seed, same decision, also after a JSON round trip") {
  rule_set rs;
  rs.version = 42;
  rs.selectivity = sample_selectivity();
  rs.instructions.push_back(instruction("CI-2024-7", hs({"851713"})));
  rs.parameters.push_back(parameter("RP-0012", hs({"8517"}), lane::yellow, 500000));
  condition vn;
  vn.origins = {"VN"};
  rs.parameters.push_back(parameter("RP-0100", vn, lane::yellow, 300000));
  rs.parameters.back().valuation_evidence = true;
  auto e = customs_risk_engine(rs);
  auto f = facts({item("8517130000", "VN"), item("0306170000", "CN")});

  auto same = [](const lane_decision& a, const lane_decision& b) {
    if (a.lane != b.lane || a.seed != b.seed || a.random_draw != b.random_draw
        || a.random_lane != b.random_lane || a.valuation_evidence != b.valuation_evidence
        || a.rule_set_version != b.rule_set_version || a.explanation != b.explanation
        || a.hits.size() != b.hits.size())
      return false;
    for (size_t i = 0; i < a.hits.size(); ++i) {
      auto& x = a.hits[i];
      auto& y = b.hits[i];
      if (x.id != y.id || x.instruction != y.instruction || x.lane != y.lane
          || x.draw != y.draw || x.selected != y.selected || x.reason != y.reason)
        return false;
    }
    return true;
  };

  auto json = encode(rs);
  auto back = decode_rule_set(json);
  REQUIRE(back);
  CHECK(encode(*back) == json);
  auto replayed = customs_risk_engine(std::move(*back));
  bool some_differ = false;
  auto first = evaluate(e, f, 1, 0);
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    auto a = evaluate(e, f, seed, 0);
    auto b = evaluate(e, f, seed, 0);
    auto c = evaluate(replayed, f, seed, 0);
    CHECK(same(a, b));
    CHECK(same(a, c));
    CHECK(a.rule_set_version == 42);
    CHECK(a.seed == seed);
    REQUIRE(a.hits.size() == 3);
    // Instructions first, then parameters, each by id.
    CHECK(a.hits[0].id == "CI-2024-7");
    CHECK(a.hits[1].id == "RP-0012");
    CHECK(a.hits[2].id == "RP-0100");
    CHECK(a.valuation_evidence == a.hits[2].selected);
    if (!same(a, first))
      some_differ = true;
  }
  CHECK(some_differ); // a different seed can give a different decision

  // A moved engine still evaluates the same.
  auto before = evaluate(e, f, 9, 0);
  risk_engine moved{std::move(e)};
  CHECK(same(evaluate(moved, f, 9, 0), before));
}

TEST_CASE("SR-05.4 the explanation names every hit and the random draw") {
  rule_set rs;
  rs.selectivity[to_string(tier::general_credit)] = {20000, 50000, 10000};
  auto ci = instruction("CI-2024-7", hs({"851713"}));
  ci.reason = "seized batch of counterfeit phones";
  rs.instructions.push_back(ci);
  auto p = parameter("RP-0012", hs({"8517"}), lane::yellow, 0); // never selected
  rs.parameters.push_back(p);
  auto e = customs_risk_engine(rs);
  auto d = evaluate(e, facts({item("8517130000")}), 5, 0);
  auto u = risk::draw(5, "selectivity");
  CHECK(d.random_draw == u);
  std::string random_lane = u < 20000 ? "red" : u < 70000 ? "yellow" : "green";
  CHECK(d.explanation
        == "red: instruction CI-2024-7 (seized batch of counterfeit phones); parameter RP-0012 "
           "hit but not selected (draw "
             + std::to_string(risk::draw(5, "RP-0012")) + " >= 0); random draw " + std::to_string(u)
             + " -> " + random_lane
             + " (tier general-credit: red 2%, yellow 5%, min random 1%)");
  // No hits: the random part alone.
  auto g = evaluate(e, facts({item("0101210000")}, tier::discredited), 5, 0);
  CHECK(g.explanation
        == "green: random draw " + std::to_string(u)
             + " -> green (tier discredited: red 0%, yellow 0%, min random 0%)");
}

TEST_CASE("SR-05.1 item-level conditions must hold for one same item") {
  rule_set rs;
  condition c = hs({"8517"});
  c.origins = {"VN"};
  rs.parameters.push_back(parameter("RP-PHONE-VN", c, lane::red));
  auto e = customs_risk_engine(rs);
  // HS from item 1 and origin from item 2 do not combine.
  CHECK_FALSE(hits(e, facts({item("8517130000", "CN"), item("0306170000", "VN")}),
                   "RP-PHONE-VN"));
  CHECK(hits(e, facts({item("0306170000", "CN"), item("8517130000", "VN")}), "RP-PHONE-VN"));
  // Declaration-level conditions combine with any item.
  condition d = hs({"8517"});
  d.classes = {to_string(tier::discredited)};
  rs.parameters.push_back(parameter("RP-PHONE-DISCREDITED", d, lane::red));
  auto e2 = customs_risk_engine(rs);
  CHECK(hits(e2, facts({item("8517130000")}, tier::discredited), "RP-PHONE-DISCREDITED"));
  CHECK_FALSE(hits(e2, facts({item("8517130000")}, tier::general_credit),
                   "RP-PHONE-DISCREDITED"));
}

TEST_CASE("SR-05.1 SR-05.3 each kind of condition fires") {
  auto one = [](condition c) {
    rule_set rs;
    rs.parameters.push_back(parameter("RP", std::move(c), lane::yellow));
    return customs_risk_engine(rs);
  };
  SECTION("price position") {
    condition below;
    below.price_position = -1;
    condition above;
    above.price_position = 1;
    condition outside;
    outside.price_position = 0;
    auto eb = one(below), ea = one(above), eo = one(outside);
    auto low = item("8517130000");
    low.price_position = -1;
    auto high = item("8517130000");
    high.price_position = 1;
    auto inside = item("8517130000");
    CHECK(hits(eb, facts({low}), "RP"));
    CHECK_FALSE(hits(eb, facts({high}), "RP"));
    CHECK_FALSE(hits(eb, facts({inside}), "RP"));
    CHECK(hits(ea, facts({high}), "RP"));
    CHECK_FALSE(hits(ea, facts({low}), "RP"));
    CHECK(hits(eo, facts({low}), "RP"));
    CHECK(hits(eo, facts({high}), "RP"));
    CHECK_FALSE(hits(eo, facts({inside}), "RP"));
  }
  SECTION("weight per unit") {
    condition heavy;
    heavy.min_kg_per_unit = 2.0;
    condition light;
    light.max_kg_per_unit = 0.1;
    auto eh = one(heavy), el = one(light);
    auto x = item("8517130000");
    x.kg_per_unit = 2.5;
    CHECK(hits(eh, facts({x}), "RP"));
    CHECK_FALSE(hits(el, facts({x}), "RP"));
    x.kg_per_unit = 0.05;
    CHECK_FALSE(hits(eh, facts({x}), "RP"));
    CHECK(hits(el, facts({x}), "RP"));
    x.kg_per_unit = 2.0; // bounds are inclusive
    CHECK(hits(eh, facts({x}), "RP"));
  }
  SECTION("prohibited and restricted lists") {
    condition p;
    p.prohibited = true;
    condition r;
    r.restricted = true;
    auto ep = one(p), er = one(r);
    auto x = item("9301100000");
    CHECK_FALSE(hits(ep, facts({x}), "RP"));
    CHECK_FALSE(hits(er, facts({x}), "RP"));
    x.prohibited = true;
    CHECK(hits(ep, facts({x}), "RP"));
    CHECK_FALSE(hits(er, facts({x}), "RP"));
    x.restricted = true;
    CHECK(hits(er, facts({x}), "RP"));
  }
  SECTION("prior violations") {
    condition c;
    c.min_prior_violations = 2;
    auto e = one(c);
    auto f = facts({item("8517130000")});
    f.prior_violations = 1;
    CHECK_FALSE(hits(e, f, "RP"));
    f.prior_violations = 2;
    CHECK(hits(e, f, "RP"));
  }
  SECTION("advance ruling deviation") {
    condition c;
    c.ruling_deviation = true;
    auto e = one(c);
    auto f = facts({item("8517130000")});
    CHECK_FALSE(hits(e, f, "RP"));
    f.ruling_deviation = true;
    CHECK(hits(e, f, "RP"));
  }
  SECTION("enterprise, transport document, direction") {
    condition ent;
    ent.enterprises = {"91310000MA1K000001"};
    condition bl;
    bl.transport_documents = {"COSU123456"};
    condition exp;
    exp.export_only = true;
    condition imp;
    imp.import_only = true;
    auto f = facts({item("8517130000")});
    CHECK(hits(one(ent), f, "RP"));
    CHECK_FALSE(hits(one(bl), f, "RP"));
    f.transport_documents = {"MSKU1", "COSU123456"};
    CHECK(hits(one(bl), f, "RP"));
    CHECK(hits(one(imp), f, "RP"));
    CHECK_FALSE(hits(one(exp), f, "RP"));
    f.import = false;
    CHECK(hits(one(exp), f, "RP"));
    CHECK_FALSE(hits(one(imp), f, "RP"));
    f.enterprise = "other";
    CHECK_FALSE(hits(one(ent), f, "RP"));
  }
  SECTION("an empty condition matches every declaration") {
    CHECK(hits(one(condition{}), facts({}), "RP"));
  }
}

TEST_CASE("SR-05.1 the HS index finds exactly what a full scan finds") {
  // 1,000 rules: prefixes of every length 2..10, some rules with several prefixes,
  // some without (filed by origin or enterprise, or checked always). Each rule alone
  // in an engine is the reference (no index to miss).
  std::vector<std::string> codes = {"0306170000", "0306171000", "8517130000", "8517620000",
                                    "6403999000", "2204210000", "8471300000", "9503000000",
                                    "3004900000", "8703231900"};
  rule_set rs;
  for (int i = 0; i < 1000; ++i) {
    auto& code = codes[static_cast<size_t>(i) % codes.size()];
    condition c;
    size_t len = 2 + static_cast<size_t>(i) % 9;
    if (i % 10 != 9)
      c.hs_prefixes.push_back(code.substr(0, len));
    if (i % 7 == 0)
      c.hs_prefixes.push_back(codes[static_cast<size_t>(i / 7) % codes.size()].substr(0, 4));
    if (i % 3 == 0)
      c.origins = {i % 2 == 0 ? "VN" : "CN"};
    else if (i % 10 == 9 && i % 4 == 1)
      c.enterprises = {"E-" + std::to_string(i % 3), "E-9"}; // filed by enterprise
    else if (i % 10 == 9 && i % 4 == 3)
      c.classes = {to_string(tier::general_credit)}; // checked always
    if (i == 999)
      c.origins = {"vn"}; // not a filable origin: checked always, never matches
    char id[24];
    std::snprintf(id, sizeof id, "RP-%04d", i);
    rs.parameters.push_back(parameter(id, c, lane::yellow, 100000));
  }
  auto all = customs_risk_engine(rs);
  std::vector<risk_engine> alone;
  for (auto& p : rs.parameters) {
    rule_set one;
    one.parameters.push_back(p);
    alone.emplace_back(std::move(one));
  }
  size_t total = 0;
  for (size_t k = 0; k < 40; ++k) {
    std::vector<item_facts> items;
    for (size_t j = 0; j <= k % 5; ++j)
      items.push_back(item(codes[(k * 3 + j) % codes.size()], (k + j) % 2 ? "VN" : "CN"));
    auto f = facts(items, k % 3 == 0 ? tier::discredited : tier::general_credit);
    f.enterprise = "E-" + std::to_string(k % 4);
    auto d = evaluate(all, f, k, 0);
    std::vector<std::string> want;
    for (auto& e : alone) {
      auto one = evaluate(e, f, k, 0);
      if (!one.hits.empty())
        want.push_back(one.hits[0].id);
    }
    std::vector<std::string> got;
    for (auto& h : d.hits)
      got.push_back(h.id);
    CHECK(got == want);
    total += got.size();
  }
  CHECK(total > 100); // the comparison is not vacuous
}

TEST_CASE("SR-05.1 1,000 rules evaluate quickly (loose bound, see swhub-bench-risk)") {
  rule_set rs;
  for (int i = 0; i < 1000; ++i) {
    char hs4[16], id[24];
    std::snprintf(hs4, sizeof hs4, "%04d", 100 + i * 9);
    std::snprintf(id, sizeof id, "RP-%04d", i);
    rs.parameters.push_back(parameter(id, hs({hs4}), lane::yellow, 100000));
  }
  auto e = customs_risk_engine(rs);
  auto f = facts({item("8517130000"), item("0306170000"), item("6403999000"),
                  item("2204210000"), item("8471300000")});
  auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = 0; seed < 2000; ++seed)
    evaluate(e, f, seed, 0);
  auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count() / 2000;
  INFO(us << " us per declaration");
  CHECK(us < 2000); // generous: Debug with sanitizers on a shared CI machine
}

TEST_CASE("SR-05.4 canonical JSON: sorted keys, names for lanes and tiers, exact round trip") {
  rule_set rs;
  rs.version = 7;
  rs.selectivity = sample_selectivity();
  condition c = hs({"0306", "030617"});
  c.origins = {"VN"};
  c.classes = {to_string(tier::discredited), to_string(tier::general_credit)};
  c.enterprises = {"E1"};
  c.transport_documents = {"COSU1"};
  c.price_position = 0;
  c.min_kg_per_unit = 0.1;
  c.max_kg_per_unit = 12.75;
  c.prohibited = true;
  c.restricted = true;
  c.min_prior_violations = 3;
  c.ruling_deviation = true;
  c.import_only = true;
  auto p = parameter("RP-1", c, lane::red, 123456);
  p.level = 2;
  p.scope = "22";
  p.valuation_evidence = true;
  rs.parameters.push_back(p);
  auto ci = instruction("CI-1", condition{}, lane::yellow);
  ci.valid_from_ms = 1700000000000;
  ci.valid_until_ms = 1800000000000;
  rs.instructions.push_back(ci);
  auto json = encode(rs);
  CHECK(json.find("\"lane\":\"red\"") != std::string::npos);
  CHECK(json.find("\"discredited\"") != std::string::npos);
  CHECK(json.find("\"probability\":123456") != std::string::npos);
  CHECK(json.find("\"price_position\":0") != std::string::npos);
  CHECK(json.find("{\"instructions\":") == 0); // keys sorted
  auto back = decode_rule_set(json);
  REQUIRE(back);
  CHECK(encode(*back) == json);
  auto& bp = back->parameters.at(0);
  CHECK(bp.when.classes == c.classes);
  CHECK(bp.when.max_kg_per_unit == c.max_kg_per_unit);
  CHECK(bp.when.price_position == 0);
  CHECK(back->instructions.at(0).valid_until_ms == 1800000000000);
  CHECK(back->selectivity.at(to_string(tier::discredited)).red == 800000);
  // Absent optionals are null and stay absent.
  rule_set empty_opts;
  empty_opts.parameters.push_back(parameter("RP-2", condition{}, lane::green));
  auto j2 = encode(empty_opts);
  CHECK(j2.find("\"price_position\":null") != std::string::npos);
  auto b2 = decode_rule_set(j2);
  REQUIRE(b2);
  CHECK_FALSE(b2->parameters.at(0).when.price_position);
  CHECK(encode(*b2) == j2);

  SECTION("decode errors are invalid_config naming the problem") {
    auto bad = [](const std::string& text, const std::string& needle) {
      auto r = decode_rule_set(text);
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), ec::invalid_config));
      INFO(context_text(r.error()));
      CHECK(context_text(r.error()).find(needle) != std::string::npos);
    };
    bad("{", "not valid JSON");
    bad("[]", "expected an object");
    bad(R"({"surprise":1})", "surprise: unknown key");
    bad(R"({"parameters":[{"id":"x","lane":"purple"}]})", "purple");
    bad(R"({"parameters":[{"id":"x","probability":1000001}]})", "probability: out of range");
    bad(R"({"selectivity":{"gold":{}}})", "not a credit tier");
    bad(R"({"parameters":[{"when":{"tiers":["vip"]}}]})", "vip");
  }
}

TEST_CASE("SR-05.1 SR-12.4 risk parameters and selectivity from TOML") {
  const std::string sample = R"(
version = 3

[selectivity.advanced-certified]
red = 0.5
yellow = 1.0
min-random = 1.0

[selectivity.general-certified]
red = 1.5
yellow = 3

[selectivity.general-credit]
red = 2.5
yellow = 5.0
min-random = 1.0

[selectivity.discredited]
red = 80.0
yellow = 10.0

[[risk-parameter]]
id = "RP-0001"
lane = "red"
percent = 100.0
reason = "frozen shrimp from VN: sanitary alert"
[risk-parameter.when]
hs-prefixes = ["0306"]
origins = ["VN"]
tiers = ["discredited", "general-credit"]
price = "below"
min-kg-per-unit = 0.5
max-kg-per-unit = 20
prohibited = false
restricted = true
min-prior-violations = 1
ruling-deviation = true
direction = "import"
enterprises = []
transport-documents = ["COSU123456"]

[[risk-parameter]]
id = "RP-0002"
level = 2
district = "22"
lane = "yellow"
percent = 12.5
valuation-evidence = true
)";
  auto rs = parse_rule_set_toml(sample, "customs.toml");
  REQUIRE(rs);
  CHECK(rs->version == 3);
  CHECK(rs->selectivity.size() == 4);
  CHECK(rs->selectivity.at(to_string(tier::advanced_certified)).red == 5000);
  CHECK(rs->selectivity.at(to_string(tier::general_certified)).yellow == 30000);
  CHECK(rs->selectivity.at(to_string(tier::general_certified)).min_random == 0);
  CHECK(rs->selectivity.at(to_string(tier::discredited)).red == 800000);
  REQUIRE(rs->parameters.size() == 2);
  auto& p1 = rs->parameters[0];
  CHECK(p1.id == "RP-0001");
  CHECK(p1.level == 1);
  CHECK(p1.lane == lane::red);
  CHECK(p1.probability == one_ppm);
  CHECK(p1.when.hs_prefixes == std::vector<std::string>{"0306"});
  CHECK(p1.when.origins == std::vector<std::string>{"VN"});
  CHECK(p1.when.classes == std::vector<std::string>{"discredited", "general-credit"});
  CHECK(p1.when.price_position == -1);
  CHECK(p1.when.min_kg_per_unit == 0.5);
  CHECK(p1.when.max_kg_per_unit == 20.0);
  CHECK_FALSE(p1.when.prohibited);
  CHECK(p1.when.restricted);
  CHECK(p1.when.min_prior_violations == 1);
  CHECK(p1.when.ruling_deviation);
  CHECK(p1.when.import_only);
  CHECK_FALSE(p1.when.export_only);
  CHECK(p1.when.transport_documents == std::vector<std::string>{"COSU123456"});
  auto& p2 = rs->parameters[1];
  CHECK(p2.level == 2);
  CHECK(p2.scope == "22");
  CHECK(p2.lane == lane::yellow);
  CHECK(p2.probability == 125000);
  CHECK(p2.valuation_evidence);
  // What it parses, the engine runs.
  auto e = customs_risk_engine(*rs);
  auto x = item("0306170000", "VN");
  x.price_position = -1;
  x.restricted = true;
  auto f = facts({x}, tier::discredited);
  f.prior_violations = 2;
  f.ruling_deviation = true;
  f.transport_documents = {"COSU123456"};
  CHECK(evaluate(e, f, 1, 0).lane == lane::red);

  SECTION("errors are invalid_config naming key and line") {
    auto bad = [](const std::string& text, const std::string& needle) {
      auto r = parse_rule_set_toml(text, "customs.toml");
      REQUIRE_FALSE(r);
      CHECK(is(r.error(), ec::invalid_config));
      auto msg = context_text(r.error());
      INFO(msg);
      CHECK(msg.find(needle) != std::string::npos);
      CHECK(msg.find("customs.toml") != std::string::npos);
    };
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\ncolour = 1\n",
        "risk-parameter[0].colour: unknown key (line 4)");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\n[risk-parameter.when]\nhs = [\"03\"]\n",
        "risk-parameter[0].when.hs: unknown key (line 5)");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"purple\"\n",
        "risk-parameter[0].lane: \"purple\" is not one of green, yellow, red (line 3)");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\npercent = 120.0\n",
        "risk-parameter[0].percent: must be a percentage between 0 and 100");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\npercent = -1\n",
        "risk-parameter[0].percent");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\n\n[[risk-parameter]]\nid = \"A\"\n"
        "lane = \"yellow\"\n",
        "risk-parameter[1].id: \"A\" is used twice (line 6)");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\n[risk-parameter.when]\n"
        "hs-prefixes = [\"3\"]\n",
        "not an HS prefix of 2 to 10 digits");
    bad("[[risk-parameter]]\nid = \"A\"\nlane = \"red\"\n[risk-parameter.when]\n"
        "tiers = [\"vip\"]\n",
        "\"vip\" is not one of advanced-certified");
    bad("[[risk-parameter]]\nid = \"A\"\nlevel = 2\nlane = \"red\"\n",
        "level 2 needs a 2-digit district");
    bad("[[risk-parameter]]\nid = \"A\"\nlevel = 3\nlane = \"red\"\n",
        "risk-parameter[0].level: must be between 1 and 2");
    bad("[[risk-parameter]]\nid = \"A\"\n", "risk-parameter[0].lane: missing");
    bad("[[risk-parameter]]\nlane = \"red\"\n", "risk-parameter[0].id: missing");
    bad("[selectivity.gold]\nred = 1.0\n", "selectivity.gold: not one of");
    bad("[selectivity.discredited]\nred = 80.0\nyellow = 30.0\n", "red + yellow exceed 100");
    bad("[selectivity.discredited]\nblue = 1.0\n", "selectivity.discredited.blue: unknown key");
    bad("[tariff]\n", "tariff: unknown key (line 1)");
    bad("version = \"x\"\n", "version: expected an integer");
    bad("[[risk-parameter]\n", "customs.toml");
  }
}
