#include "tools/sim/customs_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>

#include "actors/core/error.hpp"
#include "tools/sim/documents.hpp"
#include "tools/sim/scenario_session.hpp"

namespace sim {

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Goods of the scenario. Origins differ from those of the generated traffic, so the
/// tax centres' comparison with similar declarations never mixes them; unit values
/// are inside the reference ranges (config/reference/prices.toml), so the post-release
/// review finds nothing and the enterprise's record stays clean run after run.
goods_item laptops(double n) {
  // 8471300000: duty 0 %, VAT 13 %; CNY 5,000.00 each (reference 1,500 - 20,000).
  goods_item g;
  g.hs_code = "8471300000";
  g.description = "Portable automatic data processing machines, weight <= 10 kg (SAMPLE)";
  g.unit = "PCE";
  g.quantity = n;
  g.net_kg = n * 1.8;
  g.value = format_cents(static_cast<int64_t>(n) * 500000);
  g.origin = "US";
  return g;
}

goods_item coffee() {
  // 0901110000: duty 8 %, VAT 9 %; 500 kg at CNY 40.00 (reference 15 - 80).
  goods_item g;
  g.hs_code = "0901110000";
  g.description = "Coffee, not roasted, not decaffeinated (SAMPLE)";
  g.unit = "KGM";
  g.quantity = 500;
  g.net_kg = 500;
  g.value = "20000.00";
  g.origin = "ET";
  return g;
}

goods_item televisions() {
  // 8528721200: duty 15 %, VAT 13 %; 20 sets at CNY 4,000.00 (reference 800 - 60,000).
  goods_item g;
  g.hs_code = "8528721200";
  g.description = "Reception apparatus for television, colour, LCD (SAMPLE)";
  g.unit = "PCE";
  g.quantity = 20;
  g.net_kg = 300;
  g.value = "80000.00";
  g.origin = "PL";
  return g;
}

goods_item t_shirts() {
  // 6109100000: duty 8 %, VAT 13 %; 100 pieces at CNY 50.00 (reference 10 - 800).
  goods_item g;
  g.hs_code = "6109100000";
  g.description = "T-shirts, knitted, of cotton (SAMPLE)";
  g.unit = "PCE";
  g.quantity = 100;
  g.net_kg = 20;
  g.value = "5000.00";
  g.origin = "TR";
  return g;
}

// The amounts the hub must assess, by hand (no preference claimed: MFN rates):
constexpr int64_t tax_laptops_10 = 650000; // 50,000.00 x 13 % VAT = 6,500.00
constexpr int64_t tax_laptops_20 = 1300000; // 100,000.00 x 13 % = 13,000.00
constexpr int64_t tax_laptops_15 = 975000; // 75,000.00 x 13 % = 9,750.00
constexpr int64_t tax_coffee = 354400; // duty 1,600.00; VAT 21,600.00 x 9 % = 1,944.00
constexpr int64_t tax_televisions = 2396000; // duty 12,000.00; VAT 92,000.00 x 13 % = 11,960.00

class scenario : private scenario_session {
public:
  explicit scenario(const customs_config& cfg)
    : scenario_session({cfg.target, cfg.keys_dir, "swhub-sim-customs", cfg.status_timeout_ms}),
      cfg_(cfg), run_(cfg.run_id.empty() ? utc_run_id() : cfg.run_id) {
    // nop
  }

  int run() {
    std::printf("swhub customs scenario against %s (run %s)\n", cfg_.target.endpoint.c_str(),
                run_.c_str());
    if (!connect_all())
      return out_.finish();
    guarantee_release();
    payment_release();
    control_instruction_examination();
    proposal_approved();
    amendment_before_release();
    bad_declarations();
    revoke_instructions();
    return out_.finish();
  }

private:
  // -- identities and parties -------------------------------------------------------

  std::string id(const std::string& what) const { return "SIM-CUS-" + run_ + "-" + what; }

  bool connect_all() {
    out_.section("Parties connect: declarant, port officer, national and district risk "
                 "officers");
    bool ok = true;
    for (auto* party : {&cfg_.declarant, &cfg_.port_officer, &cfg_.national_risk,
                        &cfg_.district_risk})
      ok = connect(*party, true) && ok;
    return ok;
  }

  // -- documents ------------------------------------------------------------------

  bool lodge(const declaration_fields& d, const std::string& what,
             hub::receipt::status_t want = hub::receipt::accepted,
             const std::string& want_error = "", hub::bytes* message_id = nullptr) {
    return send(cfg_.declarant, "customs.declaration", make_declaration(d),
                d.declaration_id + " (" + what + ")", want, want_error, message_id);
  }

  static std::string describe(const hub::notification& n) {
    std::string s = describe_status(n);
    if (!n.waiting_on.empty())
      s += ", waiting on " + n.waiting_on;
    return s;
  }

  /// Waits for the declarant's status notification about `decl` with one of `want`
  /// and checks it (with `extra`, if given). A documentary check or examination that
  /// is not wanted comes from the random selectivity of the enterprise's credit tier:
  /// the port officer clears it and the case goes on.
  std::optional<hub::notification>
  expect_status(const std::string& decl, const std::vector<std::string>& want,
                const std::function<bool(const hub::notification&)>& extra = {},
                const std::string& comment = "") {
    auto wanted = [&want](const std::string& s) {
      return std::find(want.begin(), want.end(), s) != want.end();
    };
    for (int selected = 0; selected < 3; ++selected) {
      auto n = await(cfg_.declarant,
                     [&decl](const hub::notification& x) { return is_status_of(x, decl); });
      if (!n) {
        out_.check(false, decl + ": no " + want.front() + " notification within "
                            + std::to_string(cfg_.status_timeout_ms) + " ms");
        return std::nullopt;
      }
      if (!wanted(n->status) && (n->status == "documentaryCheck" || n->status == "forExamination")) {
        out_.note(describe(*n) + " -- selected at random (selectivity of the credit tier); "
                  + cfg_.port_officer + " clears it");
        send(cfg_.port_officer, "customs.inspection-result",
             make_inspection_result(cfg_.declarant, decl, inspection_outcome::cleared,
                                    "random check: goods and documents as declared"),
             "cleared " + decl, hub::receipt::accepted);
        continue;
      }
      bool ok = wanted(n->status) && (!extra || extra(*n));
      out_.check(ok, describe(*n) + (comment.empty() ? "" : " " + comment) + " ("
                       + ms_text(ms_since(last_sent())) + " after the document)");
      return n;
    }
    out_.check(false, decl + ": selected at random three times in a row");
    return std::nullopt;
  }

  /// The status the declarant's query shows for its message.
  void expect_query(const hub::bytes& message_id, const std::string& decl,
                    const std::string& want_status, const std::string& want_due = "") {
    auto r = client(cfg_.declarant).query_status(message_id);
    if (!r) {
      out_.check(false, "status query " + decl + ": " + hub::context_text(r.error()));
      return;
    }
    std::string s = "status query " + decl + ": " + r->status;
    if (!r->case_id.empty())
      s += ", case " + r->case_id + ", declarationId " + r->declaration_id;
    if (!r->amount_due.empty())
      s += ", amountDue " + r->amount_due;
    bool ok = r->status == want_status && r->amount_due == want_due
              && (want_status == "unknown" || (r->case_id.size() == 18 && r->declaration_id == decl));
    out_.check(ok, s);
  }

  bool pay(const std::string& decl, int64_t cents, const std::string& what,
           hub::receipt::status_t want = hub::receipt::accepted,
           const std::string& want_error = "") {
    return send(cfg_.declarant, "customs.tax-payment",
                make_tax_payment(decl, format_cents(cents), "BANK-" + decl),
                decl + " CNY " + format_cents(cents) + " (" + what + ")", want, want_error);
  }

  declaration_fields import_declaration(const std::string& decl, settlement settle,
                                        std::vector<goods_item> items) const {
    declaration_fields d;
    d.declaration_id = decl;
    d.is_import = true;
    d.enterprise = enterprise::advanced_certified;
    d.enterprise_name = "Shanghai Sample Import Co. (SAMPLE)";
    d.customs_unit = "2248";
    d.settle = settle;
    d.transport_document = "SIMBL-" + run_ + "-" + decl.substr(decl.rfind('-') + 1);
    d.items = std::move(items);
    return d;
  }

  // -- the story -------------------------------------------------------------------

  void guarantee_release() {
    out_.section("Advanced-certified importer " + std::string{enterprise::advanced_certified}
                 + ", settlement on guarantee: released at once");
    auto decl = id("GUAR");
    auto d = import_declaration(decl, settlement::guarantee, {laptops(10)});
    hub::bytes mid;
    if (!lodge(d, "10 laptops, CNY 50,000.00", hub::receipt::accepted, "", &mid))
      return;
    auto n = expect_status(
      decl, {"released"},
      [](const hub::notification& x) {
        return x.case_id.size() == 18 && x.case_id.substr(0, 4) == "2248" && x.amount_due.empty();
      },
      "(VAT CNY " + format_cents(tax_laptops_10) + " reserved on the guarantee)");
    if (!n)
      return;
    expect_query(mid, decl, "released");
    pay(decl, tax_laptops_10 - 50000, "wrong amount", hub::receipt::rejected, "payment_mismatch");
    pay(decl, tax_laptops_10, "the tax, within 15 days: the reservation is given back");
  }

  void payment_release() {
    out_.section("Settlement by payment: the goods wait for the tax, released when it is paid");
    auto decl = id("PAY");
    auto d = import_declaration(decl, settlement::payment, {coffee()});
    hub::bytes mid;
    if (!lodge(d, "500 kg coffee, CNY 20,000.00", hub::receipt::accepted, "", &mid))
      return;
    auto due = format_cents(tax_coffee);
    auto n = expect_status(decl, {"accepted"}, [&due](const hub::notification& x) {
      return x.amount_due == due && contains(x.waiting_on, "payment");
    });
    if (!n)
      return;
    expect_query(mid, decl, "accepted", due);
    pay(decl, tax_coffee, "duty 1,600.00 + VAT 1,944.00");
    expect_status(decl, {"released"});
    expect_query(mid, decl, "released");
  }

  void control_instruction_examination() {
    auto ci = "SIM-CI-" + run_;
    auto decl = id("EXAM");
    auto d = import_declaration(decl, settlement::guarantee, {televisions()});
    out_.section("National control instruction " + ci + " by " + cfg_.national_risk
                 + ": red for LCD televisions under bill of lading " + d.transport_document);
    control_instruction x;
    x.id = ci;
    x.lane = "red";
    x.valid_until_ms = unix_ms() + 3600 * 1000;
    x.reason = "SAMPLE intelligence: televisions possibly misdeclared";
    x.hs_prefixes = {"8528"};
    x.transport_documents = {d.transport_document};
    if (!send(cfg_.national_risk, "customs.control-instruction", make_control_instruction(x),
              "issue " + ci, hub::receipt::accepted))
      return;
    if (!lodge(d, "20 televisions, CNY 80,000.00"))
      return;
    auto n = expect_status(
      decl, {"forExamination"},
      [](const hub::notification& x) {
        return contains(x.waiting_on, "examination") && !contains(x.reason, "intelligence");
      },
      "(the instruction's reason stays inside customs)");
    if (!n || n->status != "forExamination")
      return;
    send(cfg_.port_officer, "customs.inspection-result",
         make_inspection_result(cfg_.declarant, decl, inspection_outcome::cleared,
                                "examined: 20 LCD televisions as declared"),
         "cleared " + decl, hub::receipt::accepted);
    expect_status(decl, {"released"}, {}, "(on the guarantee, after the examination)");
    send(cfg_.port_officer, "customs.inspection-result",
         make_inspection_result(cfg_.declarant, decl, inspection_outcome::cleared, "again"),
         "a second result for " + decl, hub::receipt::rejected, "invalid_case_state");
    pay(decl, tax_televisions, "duty 12,000.00 + VAT 11,960.00: the reservation is given back");
  }

  void proposal_approved() {
    auto cp = "SIM-CP-" + run_;
    auto decl = id("PROP");
    declaration_fields d = import_declaration(decl, settlement::guarantee, {t_shirts()});
    d.customs_unit = "5141"; // Guangzhou Baiyun Airport: another district
    d.air = true;
    d.transport_document = "SIMAWB-" + run_ + "-PROP";
    out_.section("Level-2 proposal " + cp + " by " + cfg_.district_risk + " (Shanghai), approved by "
                 + cfg_.national_risk + ": then national");
    control_instruction x;
    x.id = cp;
    x.action = control_action::propose;
    x.lane = "red";
    x.valid_until_ms = unix_ms() + 3600 * 1000;
    x.reason = "SAMPLE district intelligence: cotton T-shirts under air waybill "
               + d.transport_document;
    x.hs_prefixes = {"6109"};
    x.transport_documents = {d.transport_document};
    if (!send(cfg_.district_risk, "customs.control-instruction", make_control_instruction(x),
              "propose " + cp, hub::receipt::accepted))
      return;
    auto asked = await(cfg_.national_risk, [&cp](const hub::notification& n) {
      return !n.is_delivery && n.case_id == cp;
    });
    out_.check(asked && asked->status == "received",
               cfg_.national_risk + " notified: "
                 + (asked ? asked->status + ", \"" + asked->reason + "\"" : std::string{"nothing"}));
    control_instruction approve;
    approve.id = cp;
    approve.action = control_action::approve;
    send(cfg_.district_risk, "customs.control-instruction", make_control_instruction(approve),
         "approve " + cp + " (a level-2 centre may not)", hub::receipt::rejected, "out_of_scope");
    if (!send(cfg_.national_risk, "customs.control-instruction", make_control_instruction(approve),
              "approve " + cp, hub::receipt::accepted))
      return;
    auto told = await(cfg_.district_risk, [&cp](const hub::notification& n) {
      return !n.is_delivery && n.case_id == cp;
    });
    out_.check(told && contains(told->reason, "approved"),
               cfg_.district_risk + " notified: "
                 + (told ? told->status + ", \"" + told->reason + "\"" : std::string{"nothing"}));
    if (!lodge(d, "100 T-shirts at Guangzhou Baiyun (5141), CNY 5,000.00"))
      return;
    auto n = expect_status(decl, {"forExamination"}, {}, "(the approved instruction is national)");
    if (!n || n->status != "forExamination")
      return;
    send(cfg_.port_officer, "customs.inspection-result",
         make_inspection_result(cfg_.declarant, decl, inspection_outcome::cleared, "not mine"),
         "for " + decl + " (Yangshan may not act in Guangzhou)", hub::receipt::rejected,
         "out_of_scope");
    send(cfg_.declarant, "customs.amendment",
         make_amendment(decl, amendment_kind::cancel, "SAMPLE: shipment withdrawn"),
         "cancel " + decl, hub::receipt::accepted);
    expect_status(decl, {"closed"}, {}, "(withdrawn before release)");
  }

  void amendment_before_release() {
    out_.section("Amendment before release: decided again, with the new amount due");
    auto decl = id("AMEND");
    auto d = import_declaration(decl, settlement::payment, {laptops(20)});
    hub::bytes mid;
    if (!lodge(d, "20 laptops, CNY 100,000.00", hub::receipt::accepted, "", &mid))
      return;
    auto due = format_cents(tax_laptops_20);
    if (!expect_status(decl, {"accepted"},
                       [&due](const hub::notification& x) { return x.amount_due == due; }))
      return;
    auto fixed = import_declaration(decl, settlement::payment, {laptops(15)});
    send(cfg_.declarant, "customs.amendment",
         make_amendment(decl, amendment_kind::amend, "SAMPLE: 15 laptops shipped, not 20", &fixed),
         "amend " + decl + " to 15 laptops", hub::receipt::accepted);
    auto new_due = format_cents(tax_laptops_15);
    if (!expect_status(decl, {"accepted"},
                       [&new_due](const hub::notification& x) { return x.amount_due == new_due; },
                       "(decided again)"))
      return;
    expect_query(mid, decl, "accepted", new_due);
    pay(decl, tax_laptops_20, "the old amount", hub::receipt::rejected, "payment_mismatch");
    pay(decl, tax_laptops_15, "the amended amount");
    expect_status(decl, {"released"});
  }

  void bad_declarations() {
    out_.section("Bad declarations: refused with their own codes, nothing stored");
    auto decl = id("BAD");
    auto bad = [&](const std::string& what, const std::string& code,
                   const std::function<void(declaration_fields&)>& change) {
      auto d = import_declaration(decl, settlement::guarantee, {laptops(10)});
      change(d);
      hub::bytes mid;
      if (lodge(d, what, hub::receipt::rejected, code, &mid))
        expect_query(mid, decl, "unknown");
    };
    bad("HS code 8471309999 is not in the tariff", "unknown_hs_code",
        [](declaration_fields& d) { d.items[0].hs_code = "8471309999"; });
    bad("laptops declared in KGM, the tariff says PCE", "unit_mismatch",
        [](declaration_fields& d) { d.items[0].unit = "KGM"; });
    bad("importer not registered with customs", "unknown_enterprise",
        [](declaration_fields& d) { d.enterprise = "91310000MA1NOTREG0"; });
    bad("customs unit 9999", "unknown_customs_unit",
        [](declaration_fields& d) { d.customs_unit = "9999"; });
    bad("discredited importer asks for release on guarantee", "invalid_field",
        [](declaration_fields& d) { d.enterprise = enterprise::discredited; });
    auto again = import_declaration(id("GUAR"), settlement::guarantee, {laptops(10)});
    lodge(again, "a declarationId lodged already", hub::receipt::rejected, "declaration_id_reused");
  }

  void revoke_instructions() {
    out_.section("The risk centre withdraws this run's instructions");
    for (auto& ci : {"SIM-CI-" + run_, "SIM-CP-" + run_}) {
      control_instruction x;
      x.id = ci;
      x.action = control_action::revoke;
      send(cfg_.national_risk, "customs.control-instruction", make_control_instruction(x),
           "revoke " + ci, hub::receipt::accepted);
    }
  }

  const customs_config& cfg_;
  std::string run_;
};

} // namespace

int run_customs(const customs_config& cfg) {
  scenario s{cfg};
  return s.run();
}

} // namespace sim
