#include "tools/sim/single_window_scenario.hpp"

#include <cstdio>
#include <optional>
#include <tuple>
#include <vector>

#include <capnp/message.h>

#include "actors/core/frames.hpp"
#include "schemas/customs.capnp.h"
#include "tools/sim/documents.hpp"
#include "tools/sim/scenario_session.hpp"

namespace sim {

namespace {

/// Goods of the scenario: strawberries are routed to CIQ by config/customs.toml
/// ([[routing]] 0810), laptops are not. Unit values inside the reference ranges
/// (config/reference/prices.toml), so the post-release review finds nothing.
goods_item strawberries(int kg, int cny_per_kg) {
  // 0810100000: duty 14 %, VAT 9 % (MFN: no preference claimed).
  goods_item g;
  g.hs_code = "0810100000";
  g.description = "Fresh strawberries (SAMPLE)";
  g.unit = "KGM";
  g.quantity = kg;
  g.net_kg = kg;
  g.value = format_cents(int64_t{kg} * cny_per_kg * 100);
  g.origin = "US";
  return g;
}

goods_item laptops(int n) {
  // 8471300000: duty 0 %, VAT 13 %; CNY 5,000.00 each (reference 1,500 - 20,000).
  goods_item g;
  g.hs_code = "8471300000";
  g.description = "Portable automatic data processing machines, weight <= 10 kg (SAMPLE)";
  g.unit = "PCE";
  g.quantity = n;
  g.net_kg = n * 1.8;
  g.value = format_cents(int64_t{n} * 500000);
  g.origin = "US";
  return g;
}

// The amounts the hub must assess, by hand:
// 500 kg strawberries at CNY 60.00: duty 4,200.00; VAT 34,200.00 x 9 % = 3,078.00.
constexpr int64_t tax_berries = 727800;
// 200 kg strawberries at CNY 50.00: duty 1,400.00 + VAT 1,026.00; 2 laptops: VAT 1,300.00.
constexpr int64_t tax_mixed = 242600 + 130000;
// 4 laptops, CNY 20,000.00: VAT 2,600.00.
constexpr int64_t tax_plain = 260000;

/// What following a declaration to its end showed.
struct outcome {
  std::optional<hub::notification> last; ///< the final notification (none: timed out)
  bool waited_on_agency = false;          ///< a notification's waitingOn named the agency
  std::string case_id;
};

class scenario : private scenario_session {
public:
  explicit scenario(const single_window_config& cfg)
    : scenario_session(
        {cfg.target, cfg.keys_dir, "swhub-sim-single-window", cfg.status_timeout_ms}),
      cfg_(cfg), run_(cfg.run_id.empty() ? utc_run_id() : cfg.run_id) {
    // nop
  }

  int run() {
    std::printf("swhub single window scenario against %s (run %s)\n",
                cfg_.target.endpoint.c_str(), run_.c_str());
    if (!connect_all())
      return out_.finish();
    auto berries = routed_goods();
    auto mixed = mixed_goods();
    auto plain = plain_goods();
    foreign_answers(berries, plain);
    pay_taxes(berries, mixed, plain);
    return out_.finish();
  }

private:
  std::string id(const std::string& what) const { return "SIM-SW-" + run_ + "-" + what; }

  bool connect_all() {
    out_.section("Parties connect: declarant and port officer (" + cfg_.agency
                 + " is served by the running swhub-agency)");
    bool ok = connect(cfg_.declarant, true);
    return connect(cfg_.port_officer, true) && ok;
  }

  static std::string describe(const hub::notification& n) {
    std::string s = describe_status(n);
    if (!n.waiting_on.empty())
      s += ", " + n.waiting_on;
    if (!n.reason.empty() && n.status == "rejected")
      s += ", \"" + n.reason + "\"";
    return s;
  }

  declaration_fields import_declaration(const std::string& decl,
                                        std::vector<goods_item> items) const {
    declaration_fields d;
    d.declaration_id = decl;
    d.is_import = true;
    d.enterprise = enterprise::advanced_certified;
    d.enterprise_name = "Shanghai Sample Import Co. (SAMPLE)";
    d.customs_unit = "2248";
    d.settle = settlement::guarantee;
    d.transport_document = "SIMBL-" + run_ + "-SW-" + decl.substr(decl.rfind('-') + 1);
    d.items = std::move(items);
    return d;
  }

  /// Follows the declarant's status notifications about `decl` until it is released,
  /// rejected or closed. A documentary check or examination (random selectivity, or
  /// the agency asking for an inspection) is cleared by the port officer.
  outcome follow(const std::string& decl) {
    outcome o;
    auto about_decl = [&decl](const hub::notification& x) { return is_status_of(x, decl); };
    auto until = status_deadline();
    int cleared = 0;
    while (auto n = next_matching(cfg_.declarant, about_decl, until)) {
      if (o.case_id.empty())
        o.case_id = n->case_id;
      if (contains(n->waiting_on, cfg_.agency_name))
        o.waited_on_agency = true;
      if (n->status == "released" || n->status == "rejected" || n->status == "closed") {
        o.last = *n;
        return o;
      }
      out_.note(describe(*n) + " (" + ms_text(ms_since(last_sent())) + " after the declaration)");
      if ((n->status == "documentaryCheck" || n->status == "forExamination") && cleared < 3) {
        ++cleared;
        out_.note("selected for a check (random selectivity or the agency's inspection); "
                  + cfg_.port_officer + " clears it");
        send(cfg_.port_officer, "customs.inspection-result",
             make_inspection_result(cfg_.declarant, decl, inspection_outcome::cleared,
                                    "checked: goods and documents as declared"),
             "cleared " + decl, hub::receipt::accepted);
        until = status_deadline(); // a fresh wait once the check is cleared
      }
    }
    out_.check(false, decl + ": not released, rejected or closed within "
                        + std::to_string(cfg_.status_timeout_ms) + " ms");
    return o;
  }

  /// Lodges `d` and follows it; checks the wait for the agency and the release.
  outcome lodge_and_follow(const declaration_fields& d, const std::string& what,
                           bool routed) {
    auto t0 = clock_type::now();
    if (!send(cfg_.declarant, "customs.declaration", make_declaration(d),
              d.declaration_id + " (" + what + ")", hub::receipt::accepted))
      return {};
    auto o = follow(d.declaration_id);
    if (!o.last)
      return o;
    if (routed)
      out_.check(o.waited_on_agency, d.declaration_id + ": waitingOn named " + cfg_.agency_name
                                       + " before the release (a partial state)");
    else
      out_.check(!o.waited_on_agency, d.declaration_id + ": never waited on "
                                        + cfg_.agency_name + " (no routing rule matches)");
    out_.check(o.last->status == "released" && o.last->case_id.size() == 18,
               describe(*o.last) + " (" + ms_text(ms_since(t0)) + " after lodging"
                 + (routed ? ", after " + cfg_.agency + "'s decision)" : ")"));
    return o;
  }

  outcome routed_goods() {
    out_.section("Fresh strawberries (0810, routed to CIQ) for " + std::string{enterprise::advanced_certified}
                 + " on guarantee: wait for " + cfg_.agency + ", released on its approval");
    return lodge_and_follow(import_declaration(id("BERRY"), {strawberries(500, 60)}),
                            "500 kg strawberries, CNY 30,000.00", true);
  }

  outcome mixed_goods() {
    out_.section("Mixed declaration: strawberries (routed) and laptops (not): the agency is "
                 "needed for the whole declaration");
    return lodge_and_follow(import_declaration(id("MIXED"), {strawberries(200, 50), laptops(2)}),
                            "200 kg strawberries + 2 laptops, CNY 20,000.00", true);
  }

  outcome plain_goods() {
    out_.section("Laptops only (no routing rule): released without waiting for an agency");
    return lodge_and_follow(import_declaration(id("PLAIN"), {laptops(4)}),
                            "4 laptops, CNY 20,000.00", false);
  }

  static hub::bytes decision(const std::string& case_id, hub::wire::AgencyVerdict verdict,
                             const std::string& reason) {
    capnp::MallocMessageBuilder mb;
    auto d = mb.initRoot<hub::wire::AgencyDecision>();
    d.setCaseId(case_id);
    d.setVerdict(verdict);
    d.setReason(reason);
    return hub::to_bytes(mb);
  }

  void foreign_answers(const outcome& berries, const outcome& plain) {
    out_.section("Answers the hub refuses, sent as " + cfg_.agency
                 + " over a second connection (swhub-agency keeps its own)");
    if (plain.case_id.empty() || berries.case_id.empty()) {
      out_.check(false, "no case ids from the steps before");
      return;
    }
    if (!connect(cfg_.agency, false))
      return;
    send(cfg_.agency, "agency.decision", decision(plain.case_id, hub::wire::AgencyVerdict::APPROVE, ""),
         "approve case " + plain.case_id + " (" + id("PLAIN") + ", not routed to CIQ)",
         hub::receipt::rejected, "not_routed");
    send(cfg_.agency, "agency.decision", decision(berries.case_id, hub::wire::AgencyVerdict::APPROVE, ""),
         "approve case " + berries.case_id + " again (" + id("BERRY") + ", decided already)",
         hub::receipt::rejected, "invalid_case_state");
  }

  void pay_taxes(const outcome& berries, const outcome& mixed, const outcome& plain) {
    out_.section("The importer pays the tax: the guarantee reservations are given back");
    for (auto& [o, decl, cents] : {std::tuple{&berries, id("BERRY"), tax_berries},
                                   std::tuple{&mixed, id("MIXED"), tax_mixed},
                                   std::tuple{&plain, id("PLAIN"), tax_plain}}) {
      if (!o->last || o->last->status != "released")
        continue;
      send(cfg_.declarant, "customs.tax-payment",
           make_tax_payment(decl, format_cents(cents), "BANK-" + decl),
           decl + " CNY " + format_cents(cents), hub::receipt::accepted);
    }
  }

  const single_window_config& cfg_;
  std::string run_;
};

} // namespace

int run_single_window(const single_window_config& cfg) {
  scenario s{cfg};
  return s.run();
}

} // namespace sim
