// swhub-bench-risk: how long the risk engine takes to pick a declaration's lane
// (hub::risk::risk_engine::evaluate through the customs adapter, step 1 of "one declaration, step-by-step
// processing") with a realistic rule set.
//
//   swhub-bench-risk [--rules N] [--seconds S] [--on-goods P] [--seed X]
//
// Rule set (generated, fixed by --seed): N risk parameters (default 1,000), 90 %
// HS-specific: P % (default 20) on the headings the declarations carry (prefixes of
// 2-10 digits of the real codes below), the rest on other headings of chapters 01-97;
// 30 % of them also with an origin, some with a price position, a weight-per-unit
// bound or a district; 5 % origin-only (on rare origins); 5 % tier/enterprise rules
// (discredited tier, or a list of 5 enterprises, some with prior violations). Plus N/50
// control instructions (HS-6 + origin, half of them expired) and the sample
// selectivity of the four tiers. Higher P means more hits per declaration, and every
// hit costs one SHA-256 draw.
// Declarations: 4,096 pre-generated, 1-10 goods items each (uniform), HS codes drawn
// from a list of 85 real HS-6 headings (padded to 10 digits), origins 85 % from 15
// common countries, credit tiers roughly as in 2020 (3 % advanced certified, 2 %
// discredited).
//
// Method: one thread evaluates the declarations round-robin for S seconds, each with a
// fresh seed; every evaluation is timed with steady_clock (nanoseconds). Reported:
// evaluations per second (wall and per CPU-second of the thread), nearest-rank p50 /
// p99 / max of one evaluation in microseconds, also for 5-item declarations, the mean
// hits per declaration, and a baseline with no rules (selectivity draw only). The
// figure is only the rule-evaluation part of the step-1 decision (goal: p99 <= 5 ms
// for the whole decision, issue "one declaration, step-by-step processing"); facts
// gathering, storage and messaging are not in it.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "actors/customs/declaration_risk_facts.hpp"
#include "bench/common/machine.hpp"

namespace {

using namespace hub;
using namespace hub::customs;

/// Real HS-6 headings (HS 2022) across many chapters, padded to 10 digits.
const char* const hs_codes[] = {
  "0201300000", "0202300000", "0203290000", "0207140000", "0303890000", "0304870000",
  "0306170000", "0307430000", "0402100000", "0406900000", "0713330000", "0805100000",
  "0810400000", "0901110000", "0902300000", "1001990000", "1005900000", "1201900000",
  "1507100000", "1701990000", "1806320000", "1905900000", "2009120000", "2106900000",
  "2203000000", "2204210000", "2208400000", "2402200000", "2601110000", "2709000000",
  "2711110000", "2804290000", "2902430000", "3004900000", "3102100000", "3303000000",
  "3304990000", "3402420000", "3808910000", "3901100000", "3907610000", "4011100000",
  "4202210000", "4407110000", "4703210000", "4801000000", "5101110000", "5201000000",
  "5503200000", "6109100000", "6203420000", "6204620000", "6402990000", "6403990000",
  "6908900000", "7102390000", "7108120000", "7207110000", "7403110000", "7601100000",
  "8207190000", "8409910000", "8414300000", "8418102000", "8471300000", "8471500000",
  "8481800000", "8501520000", "8507600000", "8517130000", "8517620000", "8528720000",
  "8541430000", "8542310000", "8703230000", "8703800000", "8708999000", "9018310000",
  "9018909000", "9021390000", "9102110000", "9401610000", "9503000000", "9504500000",
  "9619000000",
};
constexpr size_t n_codes = sizeof(hs_codes) / sizeof(hs_codes[0]);

/// Origins: the first 15 are the common ones (85 % of items), the rest rare.
const char* const origins[] = {"CN", "VN", "US", "DE", "JP", "KR", "AU", "BR", "TH", "MY",
                               "ID", "IN", "FR", "IT", "CL", "AF", "BD", "CO", "EC", "GH",
                               "IR", "KP", "LA", "MM", "NG", "PK", "PY", "SY", "VE", "YE"};
constexpr size_t n_origins = sizeof(origins) / sizeof(origins[0]);
constexpr size_t n_common_origins = 15;

/// splitmix64: a small deterministic generator for the synthetic data.
struct rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
};

std::string enterprise(size_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "91310000MA%08zu", i);
  return buf;
}

rule_set make_rules(size_t n, int on_goods_percent, rng& r) {
  rule_set rs;
  rs.version = 1;
  rs.selectivity = {
    {to_string(tier::advanced_certified), {5000, 10000, 10000}},
    {to_string(tier::general_certified), {15000, 30000, 10000}},
    {to_string(tier::general_credit), {25000, 50000, 10000}},
    {to_string(tier::discredited), {800000, 100000, 0}},
  };
  const lane lanes[] = {lane::yellow, lane::yellow, lane::red};
  const ppm probs[] = {50000, 100000, 200000, 500000, one_ppm};
  size_t origin_only = n / 20, tier_rules = n / 20;
  size_t hs_rules = n - origin_only - tier_rules;
  for (size_t i = 0; i < n; ++i) {
    risk_parameter p;
    char id[32];
    std::snprintf(id, sizeof id, "RP-%05zu", i);
    p.id = id;
    p.lane = lanes[r.below(3)];
    p.probability = probs[r.below(5)];
    p.reason = "generated rule " + p.id;
    auto& c = p.when;
    if (i < hs_rules) {
      std::string prefix;
      if (r.chance(on_goods_percent)) { // on goods the declarations carry
        static const size_t lens[] = {2, 4, 4, 6, 6, 6, 8, 10};
        prefix = std::string{hs_codes[r.below(n_codes)]}.substr(0, lens[r.below(8)]);
      } else { // on other headings, chapters 01..97
        char buf[32];
        std::snprintf(buf, sizeof buf, "%02zu%02zu", 1 + r.below(97), 1 + r.below(90));
        prefix = buf;
      }
      c.hs_prefixes.push_back(prefix);
      if (r.chance(30))
        c.origins.push_back(origins[r.below(n_origins)]);
      if (r.chance(10))
        c.price_position = r.chance(70) ? -1 : 0;
      if (r.chance(5))
        c.max_kg_per_unit = 0.05;
      if (r.chance(10))
        p.valuation_evidence = true;
      if (r.chance(10)) {
        p.level = 2;
        p.scope = r.chance(50) ? "22" : "51";
      }
    } else if (i < hs_rules + origin_only) {
      c.origins.push_back(origins[n_common_origins + r.below(n_origins - n_common_origins)]);
      p.probability = probs[r.below(3)];
    } else {
      if (r.chance(50))
        c.classes.push_back(to_string(tier::discredited));
      else
        for (int k = 0; k < 5; ++k)
          c.enterprises.push_back(enterprise(r.below(2000)));
      if (r.chance(30))
        c.min_prior_violations = 1;
    }
    rs.parameters.push_back(std::move(p));
  }
  for (size_t i = 0; i < n / 50; ++i) {
    control_instruction ci;
    char id[32];
    std::snprintf(id, sizeof id, "CI-%04zu", i);
    ci.id = id;
    ci.issuer = "officer-1";
    ci.lane = lane::red;
    ci.valid_from_ms = 0;
    ci.valid_until_ms = (i % 2 == 0) ? 1000 : 0; // half expired at evaluation time
    ci.when.hs_prefixes.push_back(std::string{hs_codes[r.below(n_codes)]}.substr(0, 6));
    ci.when.origins.push_back(origins[r.below(n_origins)]);
    ci.reason = "generated instruction";
    rs.instructions.push_back(std::move(ci));
  }
  return rs;
}

std::vector<declaration_facts> make_declarations(size_t n, rng& r) {
  std::vector<declaration_facts> out;
  for (size_t i = 0; i < n; ++i) {
    declaration_facts f;
    f.declarant = "broker-1";
    f.enterprise = enterprise(r.below(2000));
    f.customs_unit = r.chance(30) ? "2201" : r.chance(50) ? "5100" : "4200";
    f.import = r.chance(80);
    auto t = r.below(100);
    f.credit = t < 3 ? tier::advanced_certified : t < 5 ? tier::discredited
                                                        : tier::general_credit;
    f.prior_violations = r.chance(5) ? 1 : 0;
    f.transport_documents.push_back("COSU" + std::to_string(r.below(1000000)));
    size_t items = 1 + r.below(10);
    for (size_t k = 0; k < items; ++k) {
      item_facts it;
      it.hs = hs_codes[r.below(n_codes)];
      it.origin = r.chance(85) ? origins[r.below(n_common_origins)]
                               : origins[n_common_origins + r.below(n_origins - n_common_origins)];
      it.unit_value_cny = static_cast<cents>(100 + r.below(1000000));
      it.kg_per_unit = static_cast<double>(1 + r.below(10000)) / 1000.0;
      it.price_position = r.chance(5) ? -1 : r.chance(3) ? 1 : 0;
      f.items.push_back(std::move(it));
    }
    out.push_back(std::move(f));
  }
  return out;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double percentile_us(const std::vector<int64_t>& sorted_ns, double q) {
  if (sorted_ns.empty())
    return 0;
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted_ns.size())));
  rank = std::clamp<size_t>(rank, 1, sorted_ns.size());
  return static_cast<double>(sorted_ns[rank - 1]) / 1000.0;
}

struct result {
  double evals_per_s = 0, evals_per_cpu_s = 0;
  double p50 = 0, p99 = 0, max = 0;
  double p50_5 = 0, p99_5 = 0;
  double mean_hits = 0, mean_items = 0;
  size_t count = 0;
};

result run(const risk_engine& engine, const std::vector<declaration_facts>& decls,
           double seconds) {
  std::vector<int64_t> all, five;
  all.reserve(1 << 20);
  size_t hits = 0, items = 0;
  uint64_t seed = 1;
  // Warm-up.
  for (size_t i = 0; i < 1000; ++i)
    evaluate(engine, decls[i % decls.size()], seed++, 5000);
  auto wall0 = std::chrono::steady_clock::now();
  auto cpu0 = thread_cpu_seconds();
  double elapsed = 0;
  size_t i = 0;
  do {
    for (int k = 0; k < 256; ++k, ++i) {
      auto& f = decls[i % decls.size()];
      auto t0 = std::chrono::steady_clock::now();
      auto d = evaluate(engine, f, seed++, 5000); // with the facts conversion, as customs
      auto t1 = std::chrono::steady_clock::now();
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
      all.push_back(ns);
      if (f.items.size() == 5)
        five.push_back(ns);
      hits += d.hits.size();
      items += f.items.size();
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  } while (elapsed < seconds);
  auto cpu = thread_cpu_seconds() - cpu0;
  result r;
  r.count = all.size();
  r.evals_per_s = static_cast<double>(all.size()) / elapsed;
  r.evals_per_cpu_s = static_cast<double>(all.size()) / cpu;
  r.mean_hits = static_cast<double>(hits) / static_cast<double>(all.size());
  r.mean_items = static_cast<double>(items) / static_cast<double>(all.size());
  std::sort(all.begin(), all.end());
  std::sort(five.begin(), five.end());
  r.p50 = percentile_us(all, 0.50);
  r.p99 = percentile_us(all, 0.99);
  r.max = static_cast<double>(all.back()) / 1000.0;
  r.p50_5 = percentile_us(five, 0.50);
  r.p99_5 = percentile_us(five, 0.99);
  return r;
}

void usage() {
  std::cerr << "usage: swhub-bench-risk [--rules N] [--seconds S] [--on-goods P] [--seed X]\n";
}

} // namespace

int main(int argc, char** argv) {
  size_t rules = 1000;
  double seconds = 3;
  uint64_t seed = 20240601;
  int on_goods = 20;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rules" && i + 1 < argc)
      rules = static_cast<size_t>(std::atol(argv[++i]));
    else if (a == "--seconds" && i + 1 < argc)
      seconds = std::atof(argv[++i]);
    else if (a == "--on-goods" && i + 1 < argc)
      on_goods = std::clamp(std::atoi(argv[++i]), 0, 100);
    else if (a == "--seed" && i + 1 < argc)
      seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (seconds <= 0)
    seconds = 3;

  auto m = bench::describe_machine(".");
  std::cout << "machine\n"
            << "  cpu      " << m.cpu_model << "\n"
            << "  cores    " << m.cores << " (nproc)\n"
            << "  memory   " << m.memory_gib << " GiB\n"
            << "  kernel   " << m.kernel << "\n"
            << "  date     " << m.date << "\n"
            << "  load     " << m.load_avg << " (1/5/15 min, start)\n\n";

  rng r{seed};
  auto rs = make_rules(rules, on_goods, r);
  auto decls = make_declarations(4096, r);
  auto n_params = rs.parameters.size(), n_instr = rs.instructions.size();
  size_t indexed = 0;
  for (auto& p : rs.parameters)
    indexed += p.when.hs_prefixes.empty() ? 0 : 1;
  auto build0 = std::chrono::steady_clock::now();
  auto engine = customs_risk_engine(std::move(rs));
  auto build_ms =
    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build0).count();
  std::cout << "rule set: " << n_params << " risk parameters (" << indexed
            << " filed by HS prefix, " << n_params - indexed
            << " by origin or enterprise, or checked always), " << n_instr
            << " control instructions, " << on_goods
            << " % of HS rules on carried goods; engine built in " << std::fixed << std::setprecision(2)
            << build_ms << " ms\n"
            << "declarations: 4096, 1-10 items, 1 thread, " << seconds << " s\n\n";

  auto empty = customs_risk_engine(rule_set{});
  auto base = run(empty, decls, std::min(1.0, seconds / 3));
  auto res = run(engine, decls, seconds);

  auto line = [](const char* name, const result& x) {
    std::cout << std::left << std::setw(16) << name << std::right << std::fixed
              << std::setprecision(0) << std::setw(10) << x.evals_per_s << " eval/s  "
              << std::setw(10) << x.evals_per_cpu_s << " eval/CPU-s  " << std::setprecision(1)
              << "p50 " << x.p50 << " us  p99 " << x.p99 << " us  max " << x.max
              << " us  (5 items: p50 " << x.p50_5 << " us, p99 " << x.p99_5 << " us)  "
              << std::setprecision(2) << x.mean_hits << " hits, " << x.mean_items
              << " items per declaration, " << x.count << " evaluations\n";
  };
  line("no rules", base);
  line(("rules=" + std::to_string(rules)).c_str(), res);
  std::cout << "\ngoal: step-1 lane decision p99 <= 5 ms (5000 us); rule evaluation p99 = "
            << std::setprecision(1) << res.p99 << " us = " << std::setprecision(2)
            << res.p99 / 5000.0 * 100.0
            << " % of that budget (this bench measures rule evaluation only)\n"
            << "load     " << bench::load_average() << " (1/5/15 min, end)\n";
  return 0;
}
