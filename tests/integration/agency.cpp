// Single window (issue 5): the real swhub-agency process in front of an agency that the
// hub routes declarations to. A routed declaration waits for the agency (even while the
// agency is down), a slow agency does not hold up goods it is not asked about, a
// kill -9 between the agency's decision and its ack decides nothing twice, a rejection
// reaches the declarant with the agency's reason, and the bridge mode speaks JSON lines.

#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "tests/support/agency_process.hpp"
#include "tests/support/hub_process.hpp"
#include "tests/support/samples.hpp"

using namespace hub;
using namespace hub::test;
using namespace std::chrono_literals;

namespace {

/// Inspection and quarantine: frozen shrimp (0306) on import is routed to it; it sees
/// the goods but not their value or the enterprise.
const char* ciq_agency = R"T([[agency]]
id = "ciq"
name = "Inspection and quarantine, test"
party = "AGY-CIQ"
deadline-s = 3600
fields = ["hsCode", "description", "quantity", "unit", "originCountry", "netWeightKg", "transportDocuments"]

[[routing]]
hs-prefixes = ["0306"]
regimes = ["import"]
agencies = ["ciq"]
)T";

/// A customs hub with the ciq agency, an enterprise declarant and the agency's party
/// (role agency, ECDSA signing key; its decisions must be signed).
struct agency_world {
  temp_dir dir;
  test_party ent = make_party("ENT-A", "enterprise");
  test_party ciq = make_party("AGY-CIQ", "agency", crypto::algorithm::ecdsa_p256_sha256);
  std::string key_stem;
  std::string state;
  std::unique_ptr<hub_process> hubd;
  zmq::context_t ctx;

  agency_world() {
    customs_settings cs;
    cs.agencies = ciq_agency;
    hub_settings s;
    s.customs = std::move(cs);
    s.resend_interval_ms = 1000; // re-sent cases reach the agency while it decides
    s.signatures_required = {{"agency.decision", "agency"}};
    hubd = std::make_unique<hub_process>(dir, write_hub_config(dir, {ent, ciq}, s));
    key_stem = write_party_key_files(dir, ciq);
    state = dir.file("agency.state");
  }

  std::unique_ptr<partner_client> connect(const test_party& p) { return hubd->connect(ctx, p); }

  std::unique_ptr<agency_process> start_agency(const std::vector<std::string>& args,
                                               const std::string& name = "agency") {
    return std::make_unique<agency_process>(dir, *hubd, key_stem, state, args, name);
  }
};

/// 10 portable computers on guarantee for GOOD-ENT: not routed, released at once.
declaration_spec laptops(const std::string& id) {
  declaration_spec s;
  s.declaration_id = id;
  s.importer = "GOOD-ENT";
  s.currency = "CNY";
  s.value = "50000.00";
  s.quantity = 10;
  s.customs_unit = "2248";
  s.settlement = 1;
  return s;
}

/// 100 kg of frozen shrimp (CNY 50 a kg) on guarantee: routed to ciq.
declaration_spec shrimp(const std::string& id) {
  auto s = laptops(id);
  s.hs_code = "0306170000";
  s.unit = "KGM";
  s.quantity = 100;
  s.net_kg = 100;
  s.gross_kg = 110;
  s.value = "5000.00";
  s.origin = "VN";
  s.description = "Frozen shrimps, peeled";
  return s;
}

outgoing declaration(const declaration_spec& s) {
  outgoing d;
  d.document_type = "customs.declaration";
  d.payload = declaration_payload(s);
  d.message_id = random_message_id();
  return d;
}

void accepted(partner_client& c, const outgoing& d) {
  auto r = c.submit(d);
  if (!r)
    FAIL(error_name(r.error()) << ": " << context_text(r.error()));
  INFO(r->error_name << ": " << r->reason);
  REQUIRE(r->status == receipt::accepted);
}

/// The declarant's side: every status notification it got (acked), by id.
class declarant_view {
public:
  explicit declarant_view(partner_client& c) : c_(c) {}

  /// Reads notifications for `d`, acking each.
  void pump(std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      auto n = c_.next_notification(50ms);
      if (!n)
        continue;
      c_.ack(n->id);
      if (ids_.insert(n->id).second)
        seen_.push_back(*n);
    }
  }

  const notification* find(const std::string& decl, const std::string& status) const {
    for (auto& n : seen_)
      if (n.declaration_id == decl && n.status == status)
        return &n;
    return nullptr;
  }

  notification wait_for(const std::string& decl, const std::string& status,
                        std::chrono::milliseconds limit = 20s) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto* n = find(decl, status))
        return *n;
      if (std::chrono::steady_clock::now() >= until)
        break;
      pump(100ms);
    }
    std::string text;
    for (auto& n : seen_)
      text += " " + n.declaration_id + ":" + n.status + "(" + n.waiting_on + ")";
    FAIL("no " << status << " for " << decl << "; seen:" << text);
    return {};
  }

  /// Distinct notifications (by id) of `status` for `decl`.
  size_t count(const std::string& decl, const std::string& status) const {
    size_t k = 0;
    for (auto& n : seen_)
      if (n.declaration_id == decl && n.status == status)
        ++k;
    return k;
  }

private:
  partner_client& c_;
  std::set<uint64_t> ids_;
  std::vector<notification> seen_;
};

/// Polls the declarant's status of `d` until `pred` holds (FAILs after `limit`).
status_reply status_until(partner_client& c, const outgoing& d,
                          const std::function<bool(const status_reply&)>& pred,
                          std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  status_reply last;
  while (std::chrono::steady_clock::now() < until) {
    auto s = c.query_status(d.message_id);
    REQUIRE(s);
    last = *s;
    if (pred(last))
      return last;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("status never matched; last: " << last.to_json().dump());
  return last;
}

bool mentions_ciq(const std::string& text) {
  return text.find("ciq") != std::string::npos
         || text.find("Inspection and quarantine") != std::string::npos;
}

/// "decided" records of `case_id` in the agency's state file.
size_t decided_records(const std::string& state, const std::string& case_id) {
  std::ifstream in{state};
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("record", "") == "decided" && j.value("caseId", "") == case_id)
      ++n;
  }
  return n;
}

/// The first stdout line of the bridge matching `pred`.
nlohmann::json wait_output(agency_process& a, const std::function<bool(const nlohmann::json&)>& pred,
                           const std::string& what, std::chrono::milliseconds limit = 20s) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (auto& j : a.output())
      if (pred(j))
        return j;
    if (std::chrono::steady_clock::now() >= until)
      break;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("swhub-agency printed no " << what << "; log:\n" << a.log());
  return {};
}

} // namespace

TEST_CASE("single window: a declaration routed to an agency that is down waits for it, and is released once "
          "the agency starts and approves, nothing is decided twice",
          "[integration][agency]") {
  agency_world w;
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  auto d = declaration(shrimp("D-SHR-1"));
  accepted(*c, d);
  // Customs is done (green lane, guarantee) but the agency has not answered.
  auto s = status_until(*c, d, [](const status_reply& r) { return !r.waiting_on.empty(); });
  CHECK(s.status != "released");
  INFO("waitingOn: " << s.waiting_on);
  CHECK(mentions_ciq(s.waiting_on));
  dv.pump(1500ms);
  CHECK(dv.count("D-SHR-1", "released") == 0);

  auto agency = w.start_agency({"--simulate", "--seed", "7"});
  auto released = dv.wait_for("D-SHR-1", "released");
  auto case_id = released.case_id;
  REQUIRE(case_id.size() == 18);
  agency->wait_event("acked", case_id);
  CHECK(agency->count("case", case_id) == 1);
  CHECK(agency->count("decided", case_id) == 1);
  auto receipt_event = agency->wait_event("receipt", case_id);
  CHECK(receipt_event["status"] == "accepted");
  // Two re-send intervals later: nothing new, on either side.
  dv.pump(2500ms);
  CHECK(dv.count("D-SHR-1", "released") == 1);
  CHECK(agency->count("decided") == 1);
  CHECK(decided_records(w.state, case_id) == 1);
  CHECK(status_until(*c, d, [](const status_reply& r) { return r.status == "released"; }).status
        == "released");
  CHECK(agency->terminate() == 0);
  CHECK(agency->count("stopped") == 1);
}

TEST_CASE("single window: a slow agency does not slow down a declaration that does not need it",
          "[integration][agency]") {
  agency_world w;
  auto agency = w.start_agency({"--simulate", "--seed", "3", "--latency-ms", "2000"});
  agency->wait_event("connected");
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  accepted(*c, declaration(shrimp("D-SLOW-1")));
  auto sent_fast = std::chrono::steady_clock::now();
  accepted(*c, declaration(laptops("D-FAST-1")));
  dv.wait_for("D-FAST-1", "released");
  auto fast_took = std::chrono::steady_clock::now() - sent_fast;
  // The laptops were released while the agency was still thinking about the shrimp.
  CHECK(agency->count("decided") == 0);
  CHECK(dv.find("D-SLOW-1", "released") == nullptr);
  CHECK(fast_took < 2s);
  auto slow = dv.wait_for("D-SLOW-1", "released");
  CHECK(agency->count("decided", slow.case_id) == 1);
  agency->wait_event("acked", slow.case_id);
  // The hub re-sent the case while the agency waited: seen as a repeat, decided once.
  CHECK(agency->count("case", slow.case_id) == 1);
  CHECK(agency->count("decided") == 1);
  CHECK(agency->terminate() == 0);
}

TEST_CASE("single window: swhub-agency killed with -9 after deciding and before its ack does not decide "
          "again after a restart, and the declaration is released once",
          "[integration][agency]") {
  agency_world w;
  std::string when;
  SECTION("killed after the decision was recorded, before it was sent") { when = "decided"; }
  SECTION("killed after the receipt was recorded, before the ack") { when = "receipt"; }
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  auto first = w.start_agency({"--simulate", "--seed", "11", "--test-hold-ms", "5000"}, "agency-1");
  first->wait_event("connected");
  accepted(*c, declaration(shrimp("D-KILL-1")));
  auto ev = first->wait_event(when, "", 20s);
  std::string case_id = ev["caseId"];
  first->kill9();
  CHECK(first->count("acked") == 0);
  CHECK(first->count("decided", case_id) == 1);
  auto decided = first->wait_event("decided", case_id);
  if (when == "decided") {
    CHECK(first->count("sent") == 0);
    dv.pump(1000ms);
    CHECK(dv.find("D-KILL-1", "released") == nullptr);
  }

  auto second = w.start_agency({"--simulate", "--seed", "12"}, "agency-2");
  auto loaded = second->wait_event("state_loaded");
  CHECK(loaded["cases"] == 1);
  CHECK(loaded["unfinished"] == (when == "decided" ? 1 : 0));
  dv.wait_for("D-KILL-1", "released");
  second->wait_event("acked", case_id);
  if (when == "decided") {
    // The recorded decision went out under its recorded message id.
    auto r = second->wait_event("receipt", case_id);
    CHECK(r["messageId"] == decided["messageId"]);
    CHECK(r["status"] == "accepted");
  } else {
    // The hub re-sent the case on the new hello; it was only acknowledged.
    auto repeat = second->wait_event("repeat", case_id);
    CHECK(repeat["phase"] == "done");
    CHECK(second->count("sent") == 0);
  }
  dv.pump(2500ms);
  CHECK(second->count("decided") == 0);
  CHECK(decided_records(w.state, case_id) == 1);
  CHECK(dv.count("D-KILL-1", "released") == 1);
  CHECK(second->terminate() == 0);
}

TEST_CASE("single window: an agency's rejection refuses the declaration with the agency's reason",
          "[integration][agency]") {
  agency_world w;
  auto agency = w.start_agency({"--simulate", "--reject", "100", "--seed", "5"});
  agency->wait_event("connected");
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  accepted(*c, declaration(shrimp("D-REJ-1")));
  auto n = dv.wait_for("D-REJ-1", "rejected");
  INFO("reason: " << n.reason);
  CHECK(n.reason.find("simulated: goods not admissible") != std::string::npos);
  auto decided = agency->wait_event("decided", n.case_id);
  CHECK(decided["verdict"] == "reject");
  agency->wait_event("acked", n.case_id);
  dv.pump(1000ms);
  CHECK(dv.find("D-REJ-1", "released") == nullptr);
  CHECK(agency->terminate() == 0);
}

TEST_CASE("single window: bridge mode prints cases as JSON lines and sends the decisions read from stdin",
          "[integration][agency]") {
  agency_world w;
  auto agency = w.start_agency({});
  agency->wait_event("connected");
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  accepted(*c, declaration(laptops("D-BRG-LAP")));
  auto laptop_case = dv.wait_for("D-BRG-LAP", "released").case_id;
  accepted(*c, declaration(shrimp("D-BRG-1")));
  auto printed = wait_output(*agency, [](const nlohmann::json& j) { return j.value("kind", "") == "case"; },
                             "case line");
  std::string case_id = printed["caseId"];
  CHECK(printed["agency"] == "ciq");
  CHECK(printed["declarationType"] == "import");
  REQUIRE(printed["items"].size() == 1);
  CHECK(printed["items"][0]["hsCode"] == "0306170000");
  CHECK(printed["items"][0]["unit"] == "KGM");
  CHECK(printed["items"][0]["customsValue"] == ""); // not among the fields it may see
  CHECK(printed["enterprise"] == "");
  // Not routed there: the hub says so, and the bridge reports it.
  agency->write_line(nlohmann::json{{"caseId", laptop_case}, {"verdict", "approve"}, {"reason", "ok"}}.dump());
  auto refused = agency->wait_event("refused", laptop_case);
  CHECK(refused["errorName"] == "not_routed");
  wait_output(*agency, [&](const nlohmann::json& j) {
    return j.value("kind", "") == "result" && j.value("caseId", "") == laptop_case;
  }, "result for the laptops");
  // A line that is not a decision.
  agency->write_line("{\"caseId\": \"x\", \"verdict\": \"maybe\"}");
  wait_output(*agency, [](const nlohmann::json& j) { return j.value("status", "") == "invalid"; },
              "invalid result");
  // The real answer.
  agency->write_line(nlohmann::json{{"caseId", case_id}, {"verdict", "approve"},
                                    {"reason", "health certificate checked"}}.dump());
  dv.wait_for("D-BRG-1", "released");
  auto result = wait_output(*agency, [&](const nlohmann::json& j) {
    return j.value("kind", "") == "result" && j.value("caseId", "") == case_id;
  }, "result for the shrimp");
  CHECK(result["status"] == "accepted");
  agency->wait_event("acked", case_id);
  // Said twice: not sent twice.
  agency->write_line(nlohmann::json{{"caseId", case_id}, {"verdict", "reject"}, {"reason", "changed my mind"}}.dump());
  auto again = wait_output(*agency, [&](const nlohmann::json& j) {
    return j.value("status", "") == "alreadyDecided" && j.value("caseId", "") == case_id;
  }, "alreadyDecided result");
  CHECK(again["verdict"] == "approve");
  CHECK(agency->count("decided", case_id) == 1);
  CHECK(agency->terminate() == 0);
}

TEST_CASE("single window: swhub-agency keeps working across a hub restart", "[integration][agency]") {
  agency_world w;
  // Pin the hub's port so the restarted hub is where the agency reconnects.
  auto endpoint = w.hubd->endpoint();
  auto config = read_text(w.dir.file("hub.toml"));
  auto pinned = std::regex_replace(config, std::regex{R"(tcp://127\.0\.0\.1:\*)"}, endpoint);
  REQUIRE(pinned != config);
  std::ofstream{w.dir.file("hub.toml")} << pinned;
  auto agency = w.start_agency({"--simulate", "--seed", "21"});
  agency->wait_event("connected");
  {
    auto c = w.connect(w.ent);
    declarant_view dv{*c};
    accepted(*c, declaration(shrimp("D-RST-1")));
    dv.wait_for("D-RST-1", "released");
  }
  REQUIRE(w.hubd->terminate() == 0);
  w.hubd.reset();
  w.hubd = std::make_unique<hub_process>(w.dir, w.dir.file("hub.toml"));
  REQUIRE(w.hubd->endpoint() == endpoint);
  auto c = w.connect(w.ent);
  declarant_view dv{*c};
  accepted(*c, declaration(shrimp("D-RST-2")));
  auto n = dv.wait_for("D-RST-2", "released", 30s);
  agency->wait_event("acked", n.case_id);
  CHECK(agency->count("decided") == 2);
  CHECK(agency->running());
  CHECK(agency->terminate() == 0);
}
