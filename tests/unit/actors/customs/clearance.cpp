// The CLEARANCE actor on CAF's deterministic scheduler, over a real store and LMDB in a
// fresh directory, with recording mocks for the outbox and the customs offices: the
// three lanes (SR-05.1, SR-07.1), release on a guarantee reservation that payment gives
// back (SR-07.2, SR-08.3), and a commit the store refused, after which clearance's
// memory is what LMDB holds and nothing of the refused declaration is left.

#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <capnp/schema.h>

#include "actors/core/config.hpp"
#include "actors/core/error.hpp"
#include "actors/core/frames.hpp"
#include "actors/customs/case_record.hpp"
#include "actors/customs/clearance.hpp"
#include "actors/customs/customs_errors.hpp"
#include "actors/customs/customs_tables.hpp"
#include "actors/customs/clearance_state.hpp"
#include "actors/core/money.hpp"
#include "actors/customs/reference_data.hpp"
#include "actors/registry/party_registry.hpp"
#include "actors/store/lmdb_storage.hpp"
#include "actors/store/store.hpp"
#include "schemas/notification.capnp.h"
#include "tests/support/actor_mocks.hpp"
#include "tests/support/deterministic_system.hpp"
#include "tests/support/samples.hpp"
#include "tests/support/support.hpp"

using namespace hub;
using namespace hub::customs;
using namespace std::chrono_literals;
using test::laptops;

namespace {

/// LMDB that refuses the next `refuse` commits as a full disk would; probes fail
/// while it still refuses. Everything else is the real storage.
class refusing_storage : public storage {
public:
  explicit refusing_storage(std::shared_ptr<lmdb_storage> db) : db_(std::move(db)) {}
  caf::expected<batch_result> commit(const write_batch& b, int64_t hub_time) override {
    if (refuse > 0) {
      --refuse;
      ++refused;
      return caf::make_error(ec::storage_full, "MDB_MAP_FULL: injected");
    }
    return db_->commit(b, hub_time);
  }
  caf::error probe() override {
    if (refuse > 0)
      return caf::make_error(ec::storage_full, "disk full: injected");
    return caf::none;
  }
  int refuse = 0;
  int refused = 0;

private:
  std::shared_ptr<lmdb_storage> db_;
};

/// What the customs offices were told: (unit, case id, kind, open).
struct office_probe {
  struct task { std::string unit, case_id, kind; bool open; };
  std::vector<task> tasks;
};

office_actor::behavior_type recording_office(office_actor::pointer, std::string unit,
                                             std::shared_ptr<office_probe> seen) {
  return {
    [unit](atom::status) { return "recording office " + unit; },
    [unit, seen](atom::task, std::string& case_id, std::string& kind, bool open) {
      seen->tasks.push_back({unit, case_id, kind, open});
    },
    [](atom::tick) {},
  };
}

/// A status notification as the declarant reads it.
struct status_seen {
  std::string recipient, case_id, declaration_id, status, reason, amount_due, waiting_on;
};

status_seen read_status(const test::outbox_probe::status& s) {
  status_seen out;
  out.recipient = s.to;
  auto msg = aligned_message::copy(s.notification.data(), s.notification.size());
  REQUIRE(msg);
  auto err = with_root<wire::Notification>(*msg, ec::malformed_payload, [&](wire::Notification::Reader n) {
    REQUIRE(n.isStatus());
    auto st = n.getStatus();
    out.case_id = st.getCaseId();
    out.declaration_id = st.getDeclarationId();
    auto code = static_cast<uint16_t>(st.getStatus());
    auto names = capnp::Schema::from<wire::DocumentStatus>().getEnumerants();
    REQUIRE(code < names.size());
    out.status = names[code].getProto().getName();
    out.reason = st.getReason();
    out.amount_due = st.getAmountDue();
    out.waiting_on = st.getWaitingOn();
    return caf::error{};
  });
  REQUIRE_FALSE(err);
  return out;
}

/// Only these lanes are not green: phones (8517) go to documentary check, T-shirts
/// (6109) to examination; no random selection.
constexpr const char* lane_rules = R"([[risk-parameter]]
id = "RP-T-YELLOW"
lane = "yellow"
percent = 100.0
reason = "test: phones to documentary check"
[risk-parameter.when]
hs-prefixes = ["8517"]

[[risk-parameter]]
id = "RP-T-RED"
lane = "red"
percent = 100.0
reason = "test: T-shirts examined"
[risk-parameter.when]
hs-prefixes = ["6109"]
)";

bytes key_of(const std::string& s) {
  return bytes(s.begin(), s.end());
}

cents cny(const char* amount) {
  auto a = parse_amount(amount);
  REQUIRE(a);
  return *a;
}

/// A customs organisation as config/ and the test hub have it (units, tax centres,
/// GOOD-ENT / PLAIN-ENT / BAD-ENT, the reference data of config/reference/), a
/// real store over LMDB, and clearance in front of them.
struct fixture : test::deterministic_system {
  test::temp_dir dir;
  test::test_party ent = test::make_party("ENT-A", "enterprise");
  test::test_party port = test::make_party("CUS-2248", "customs-officer");
  std::shared_ptr<lmdb_storage> db;
  std::shared_ptr<refusing_storage> backend;
  std::shared_ptr<store_metrics> metrics = std::make_shared<store_metrics>();
  std::shared_ptr<test::outbox_probe> delivered = std::make_shared<test::outbox_probe>();
  std::shared_ptr<office_probe> offices_saw = std::make_shared<office_probe>();
  std::shared_ptr<const customs_config> cfg;
  store_actor store;
  outbox_actor outbox;
  std::map<std::string, office_actor> offices;
  clearance_actor clearance;
  caf::scoped_actor self{sys};

  fixture() {
    port.customs_unit = "2248";
    test::hub_settings hs;
    test::customs_settings cs;
    cs.risk_toml = lane_rules;
    hs.customs = cs;
    auto hub_cfg = load_config(test::write_hub_config(dir, {ent, port}, hs));
    REQUIRE(hub_cfg);
    auto customs = load_customs_config(hub_cfg->module_configs.at("customs"));
    REQUIRE(customs);
    cfg = std::make_shared<const customs_config>(std::move(*customs));
    auto ref = load_reference_data(cfg->reference_dir);
    REQUIRE(ref);
    lmdb_options o;
    o.dir = dir.file("data");
    o.map_size_mb = 64;
    auto opened = lmdb_storage::open(o);
    REQUIRE(opened);
    db = *opened;
    auto reg = party_registry::build(*hub_cfg, db.get());
    REQUIRE(reg);
    backend = std::make_shared<refusing_storage>(db);
    store_config sc;
    sc.max_batch = 1; // every write commits in the handler that receives it
    auto st = spawn_store(sys, sc, backend, metrics);
    REQUIRE(st);
    store = *st;
    outbox = sys.spawn(test::recording_outbox, delivered);
    for (auto& [code, unit] : cfg->units)
      offices.emplace(code, sys.spawn(recording_office, code, offices_saw));
    customs_deps d;
    d.cfg = cfg;
    d.ref = std::make_shared<const reference_data>(std::move(*ref));
    // What load_rule_book installs for a fresh database: the configured rule set.
    d.rules = std::make_shared<rule_book>(std::string{risk_domain},
                                         std::make_shared<const risk_engine>(customs_risk_engine(cfg->rules)));
    d.registry = std::make_shared<registry_holder>(*reg);
    d.reader = db;
    d.store = store;
    d.outbox = outbox;
    d.metrics = std::make_shared<customs_metrics>();
    auto clr = spawn_clearance(sys, d, {}, offices, nullptr);
    REQUIRE(clr);
    clearance = *clr;
    sched.run();
  }

  ~fixture() {
    self->send_exit(clearance, caf::exit_reason::user_shutdown); // its tax centres follow
    for (auto& [unit, o] : offices)
      self->send_exit(o, caf::exit_reason::user_shutdown);
    self->send_exit(outbox, caf::exit_reason::user_shutdown);
    self->send_exit(store, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Lodges a document with clearance as intake would; the reply (commit or error).
  caf::expected<document_commit> lodge(const std::string& sender, const std::string& type, bytes payload) {
    auto w = test::checked_document({sender, "hub", type, std::move(payload), {}});
    auto rp = self->request(clearance, 10s, atom::lodge_v, std::move(w));
    sched.run();
    caf::expected<document_commit> out = caf::make_error(ec::hub_busy, "no reply");
    rp.receive([&](document_commit& dc) { out = std::move(dc); },
               [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  caf::expected<document_commit> declare(const test::declaration_spec& s) {
    return lodge(ent.id, "customs.declaration", test::declaration_payload(s));
  }

  /// The case of ENT-A's declaration as committed in LMDB.
  case_record stored_case(const std::string& declaration_id) {
    auto id = db->get(customs::tables::case_refs, key_of(case_ref_key(ent.id, declaration_id)));
    REQUIRE(id);
    auto b = db->get(customs::tables::cases, *id);
    REQUIRE(b);
    auto c = decode_case(*b);
    REQUIRE(c);
    return *c;
  }

  bool stored(const std::string& declaration_id) {
    return static_cast<bool>(db->get(customs::tables::case_refs, key_of(case_ref_key(ent.id, declaration_id))));
  }

  /// The enterprise's guarantee left as LMDB has it: its limit less what is
  /// reserved and consumed (no record yet: nothing reserved).
  cents available_guarantee(const std::string& code) {
    auto* e = cfg->enterprise(code);
    REQUIRE(e != nullptr);
    auto b = db->get(customs::tables::enterprises, key_of(code));
    if (!b) {
      REQUIRE(is(b.error(), ec::not_found));
      return e->guarantee;
    }
    auto acct = detail::decode_enterprise(*b);
    return e->guarantee - acct.reserved - acct.consumed;
  }

  /// Status notifications committed for `declaration_id`, in order.
  std::vector<status_seen> notices_for(const std::string& declaration_id) {
    std::vector<status_seen> out;
    for (auto& s : delivered->statuses) {
      auto n = read_status(s);
      if (n.declaration_id == declaration_id)
        out.push_back(std::move(n));
    }
    return out;
  }
};

} // namespace

TEST_CASE_METHOD(fixture, "SR-07.2 a green declaration on guarantee is committed released and the declarant "
                          "is notified", "[customs][clearance]") {
  auto dc = declare(laptops("D-GREEN-1", "GOOD-ENT"));
  REQUIRE(dc);
  CHECK_FALSE(dc->existed);
  CHECK(dc->sequence > 0);
  auto c = stored_case("D-GREEN-1");
  CHECK(c.lane == "green");
  CHECK(c.status == "released");
  CHECK(c.waiting_on.empty());
  CHECK(c.case_id.size() == 18);
  CHECK(c.case_id.substr(0, 4) == "2248"); // unit, year, I/E flag, serial
  CHECK(c.case_id.substr(8, 1) == "1");
  CHECK(c.reserved == cny("6500.00"));
  auto n = notices_for("D-GREEN-1");
  REQUIRE(n.size() == 1); // lodged and released in one step: one notification
  CHECK(n[0].recipient == "ENT-A");
  CHECK(n[0].case_id == c.case_id);
  CHECK(n[0].status == "released");
  CHECK_THAT(n[0].reason, Catch::Contains("reserved on the guarantee"));
  CHECK(n[0].amount_due.empty());
  CHECK(offices_saw->tasks.empty()); // nothing for a customs office to do
}

TEST_CASE_METHOD(fixture, "SR-05.1 a declaration a risk parameter sends to documentary check waits for the "
                          "port's documentary check", "[customs][clearance]") {
  auto phones = laptops("D-YELLOW-1", "GOOD-ENT");
  phones.hs_code = "8517130000";
  phones.value = "30000.00";
  REQUIRE(declare(phones));
  auto c = stored_case("D-YELLOW-1");
  CHECK(c.lane == "yellow");
  CHECK(c.status == "documentaryCheck");
  CHECK(c.waiting_on == "documentary check by customs");
  CHECK(c.reserved == 0); // nothing reserved before the check
  CHECK(available_guarantee("GOOD-ENT") == cny("100000.00"));
  auto n = notices_for("D-YELLOW-1");
  REQUIRE(n.size() == 1);
  CHECK(n[0].status == "documentaryCheck");
  CHECK(n[0].case_id == c.case_id);
  CHECK(n[0].reason.find("RP-T-YELLOW") == std::string::npos); // risk reasons stay inside customs
  REQUIRE(offices_saw->tasks.size() == 1);
  auto& t = offices_saw->tasks[0];
  CHECK(t.unit == "2248");
  CHECK(t.case_id == c.case_id);
  CHECK(t.kind == "documentary check");
  CHECK(t.open);
}

TEST_CASE_METHOD(fixture, "SR-05.1 SR-07.1 a declaration selected for examination is released once the port "
                          "officer clears it", "[customs][clearance]") {
  auto shirts = laptops("D-RED-1", "GOOD-ENT");
  shirts.hs_code = "6109100000";
  shirts.quantity = 100;
  shirts.value = "5000.00";
  REQUIRE(declare(shirts));
  auto c = stored_case("D-RED-1");
  CHECK(c.lane == "red");
  CHECK(c.status == "forExamination");
  CHECK(c.waiting_on == "physical examination by customs");
  REQUIRE(notices_for("D-RED-1").size() == 1);
  CHECK(notices_for("D-RED-1")[0].status == "forExamination");
  REQUIRE(offices_saw->tasks.size() == 1);
  CHECK(offices_saw->tasks[0].unit == "2248");
  CHECK(offices_saw->tasks[0].kind == "examination");
  CHECK(offices_saw->tasks[0].open);
  // The port officer's result: cleared. Released on the guarantee, the task closed.
  REQUIRE(lodge(port.id, "customs.inspection-result", test::inspection_payload("ENT-A", "D-RED-1", 0)));
  auto after = stored_case("D-RED-1");
  CHECK(after.case_id == c.case_id);
  CHECK(after.inspection == "cleared");
  CHECK(after.status == "released");
  auto n = notices_for("D-RED-1");
  REQUIRE(n.size() == 2);
  CHECK(n[1].status == "released");
  REQUIRE(offices_saw->tasks.size() == 2);
  CHECK(offices_saw->tasks[1].case_id == c.case_id);
  CHECK(offices_saw->tasks[1].kind == "examination");
  CHECK_FALSE(offices_saw->tasks[1].open);
  // A second result for the same examination is refused and changes nothing.
  auto again = lodge(port.id, "customs.inspection-result", test::inspection_payload("ENT-A", "D-RED-1", 0));
  REQUIRE_FALSE(again);
  CHECK(is_code(again.error(), customs::errc::invalid_case_state));
  CHECK(notices_for("D-RED-1").size() == 2);
}

TEST_CASE_METHOD(fixture, "SR-08.3 release on guarantee reserves the tax on the enterprise's guarantee and "
                          "payment gives the reservation back", "[customs][clearance][guarantee]") {
  CHECK(available_guarantee("PLAIN-ENT") == cny("10000.00"));
  REQUIRE(declare(laptops("D-GUAR-1", "PLAIN-ENT")));
  CHECK(stored_case("D-GUAR-1").status == "released");
  CHECK(stored_case("D-GUAR-1").reserved == cny("6500.00"));
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00"));
  // A wrong amount is refused and leaves the reservation as it is.
  auto wrong = lodge(ent.id, "customs.tax-payment", test::payment_payload("D-GUAR-1", "6000.00"));
  REQUIRE_FALSE(wrong);
  CHECK(is_code(wrong.error(), customs::errc::payment_mismatch));
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00"));
  // The tax due (VAT 13 % of 50,000.00) pays it and restores the guarantee.
  REQUIRE(lodge(ent.id, "customs.tax-payment", test::payment_payload("D-GUAR-1", "6500.00")));
  auto c = stored_case("D-GUAR-1");
  CHECK(c.reserved == 0);
  CHECK(c.paid == cny("6500.00"));
  CHECK(c.status == "released");
  CHECK(available_guarantee("PLAIN-ENT") == cny("10000.00"));
  // Paid once: a second payment is refused.
  auto twice = lodge(ent.id, "customs.tax-payment", test::payment_payload("D-GUAR-1", "6500.00"));
  REQUIRE_FALSE(twice);
  CHECK(is_code(twice.error(), customs::errc::invalid_case_state));
}

TEST_CASE_METHOD(fixture, "SR-08.3 a guarantee used up holds the next release, and payment of the first "
                          "releases it", "[customs][clearance][guarantee]") {
  REQUIRE(declare(laptops("D-EX-1", "PLAIN-ENT")));
  REQUIRE(declare(laptops("D-EX-2", "PLAIN-ENT")));
  auto held = stored_case("D-EX-2");
  CHECK(held.status == "accepted");
  CHECK_THAT(held.waiting_on, Catch::Contains("guarantee insufficient (available CNY 3500.00, needed CNY 6500.00)"));
  CHECK(held.due == cny("6500.00"));
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00"));
  REQUIRE(lodge(ent.id, "customs.tax-payment", test::payment_payload("D-EX-1", "6500.00")));
  auto released = stored_case("D-EX-2");
  CHECK(released.status == "released");
  CHECK(released.reserved == cny("6500.00"));
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00")); // D-EX-1's back, D-EX-2's taken
  auto n = notices_for("D-EX-2");
  REQUIRE(n.size() == 2);
  CHECK(n[0].status == "accepted");
  CHECK(n[0].amount_due == "6500.00");
  CHECK(n[1].status == "released");
}

TEST_CASE_METHOD(fixture, "SR-08.3 after a commit the store refused, clearance decides the next declaration "
                          "on what is stored, with nothing of the refused one", "[customs][clearance][fault]") {
  backend->refuse = 1;
  auto refused = declare(laptops("D-LOST-1", "PLAIN-ENT"));
  REQUIRE_FALSE(refused);
  CHECK(is(refused.error(), ec::hub_not_ready)); // retryable: the partner sends it again
  CHECK(backend->refused == 1);
  CHECK_FALSE(stored("D-LOST-1"));
  CHECK(available_guarantee("PLAIN-ENT") == cny("10000.00"));
  CHECK(delivered->statuses.empty()); // nobody was told about a case that does not exist
  CHECK(offices_saw->tasks.empty());
  // The store probes after 50 ms and takes writes again.
  CHECK_FALSE(metrics->ready.load());
  sched.advance_time(50ms);
  sched.run();
  REQUIRE(metrics->ready.load());
  // Had clearance kept the refused reservation in memory, only CNY 3,500 would be
  // left and this declaration would be held.
  REQUIRE(declare(laptops("D-NEXT-1", "PLAIN-ENT")));
  auto next = stored_case("D-NEXT-1");
  CHECK(next.status == "released");
  CHECK(next.reserved == cny("6500.00"));
  CHECK(next.case_id.substr(9) == "000000001"); // the refused declaration used no serial
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00"));
  // The refused declaration sent again is a new declaration (not "already lodged"),
  // decided on the guarantee as stored.
  auto retried = declare(laptops("D-LOST-1", "PLAIN-ENT"));
  REQUIRE(retried);
  auto again = stored_case("D-LOST-1");
  CHECK(again.status == "accepted");
  CHECK_THAT(again.waiting_on, Catch::Contains("available CNY 3500.00, needed CNY 6500.00"));
  CHECK(again.case_id.substr(9) == "000000002");
  CHECK(available_guarantee("PLAIN-ENT") == cny("3500.00"));
}
