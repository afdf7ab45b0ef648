// swhub-sim: partner simulator. `load` drives many connections for benchmarks and
// fault tests; `demo` walks through the hub's behaviour in readable steps; `customs`
// walks through customs clearance (issue 4) with the demo parties; `single-window` the
// single window (issue 5): declarations routed to a partner agency; `ecommerce`
// cross-border e-commerce (issue 18) with the SAMPLE CEB enterprises.

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "tools/sim/customs_scenario.hpp"
#include "tools/sim/demo.hpp"
#include "tools/sim/ecommerce_scenario.hpp"
#include "tools/sim/load.hpp"
#include "tools/sim/single_window_scenario.hpp"

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested.store(true); // lock-free: async-signal-safe
}

void add_target_options(CLI::App& cmd, sim::hub_target& t) {
  cmd.add_option("--endpoint", t.endpoint, "hub endpoint")
    ->envname("SWHUB_ENDPOINT")
    ->capture_default_str();
  cmd.add_option("--hub-key", t.hub_key_file, "file with the hub's CURVE public key")
    ->envname("SWHUB_HUB_KEY")
    ->capture_default_str();
  cmd.add_option("--timeout-ms", t.timeout_ms,
                 "wait this long for a welcome or a receipt before giving up")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"swhub-sim: simulated partners for load tests and demos"};
  app.require_subcommand(1);
  int rc = 0;

  sim::load_config load;
  auto* load_cmd = app.add_subcommand(
    "load", "send valid declarations over many connections and report throughput and "
            "latency; exit 0 all accepted, 2 some rejected or lost, 1 could not run");
  add_target_options(*load_cmd, load.target);
  load_cmd->add_option("--key", load.keys,
                       "partner key stem or .curve.secret file; repeat to spread "
                       "connections over several parties")
    ->required();
  load_cmd->add_option("--connections", load.connections, "connections, one thread each")
    ->capture_default_str();
  load_cmd->add_option("--rate", load.rate,
                       "docs/s over all connections (open loop); 0 = closed loop")
    ->capture_default_str();
  load_cmd->add_option("--window", load.window, "closed loop: in flight per connection")
    ->capture_default_str();
  load_cmd->add_option("--count", load.count, "documents in total (0: until --duration-s)")
    ->capture_default_str();
  load_cmd->add_option("--duration-s", load.duration_s,
                       "stop sending after this many seconds (default 10 without --count)");
  load_cmd->add_option("--items", load.items,
                       "goods items per declaration (~0.95 KB frames at 2)")
    ->check(CLI::Range(1u, 50u))
    ->capture_default_str();
  load_cmd->add_option("--receipts-out", load.receipts_out,
                       "append \"party messageIdHex sequence digestHex\" per accepted "
                       "receipt, flushed per line");
  std::string load_type = "customs.declaration";
  load_cmd->add_option("--type", load_type, "document type (only customs.declaration so far)")
    ->check(CLI::IsMember({"customs.declaration"}))
    ->capture_default_str();
  load_cmd->add_flag("--json", load.json, "print the summary as one JSON line");
  load_cmd->add_flag("!--no-ack", load.ack,
                     "leave status notifications unacknowledged (the hub re-sends them)");
  load_cmd->add_option("--io-threads", load.io_threads, "ZeroMQ I/O threads")
    ->check(CLI::Range(1, 16))
    ->capture_default_str();
  load_cmd->add_option("--seed", load.seed, "random seed for documents (0: random)");
  load_cmd->callback([&load, &rc]() { rc = sim::run_load(load, stop_requested); });

  sim::demo_config demo;
  std::string parties = "ENT-DEMO-0001,ENT-DEMO-0002,BRK-DEMO-0001";
  demo.message_to = "AGY-DEMO-CIQ";
  demo.unauthorized = "AGY-DEMO-CIQ";
  auto* demo_cmd = app.add_subcommand(
    "demo", "a short readable demo; exit 0 if every outcome was the expected one");
  add_target_options(*demo_cmd, demo.target);
  demo_cmd->add_option("--keys-dir", demo.keys_dir, "holds <party>.curve.secret files")
    ->capture_default_str();
  demo_cmd->add_option("--parties", parties,
                       "comma-separated parties allowed to send customs.declaration")
    ->capture_default_str();
  demo_cmd->add_option("--per-party", demo.per_party, "valid declarations per party")
    ->check(CLI::Range(1, 1000))
    ->capture_default_str();
  demo_cmd->add_option("--message-from", demo.message_from,
                       "sender of the trade.message (default: first of --parties)");
  demo_cmd->add_option("--message-to", demo.message_to,
                       "recipient of the trade.message (\"\" skips the routing step)")
    ->capture_default_str();
  demo_cmd->add_option("--unauthorized", demo.unauthorized,
                       "a party whose role may not send customs.declaration (\"\" skips)")
    ->capture_default_str();
  demo_cmd->callback([&demo, &parties, &rc]() {
    demo.parties = sim::split_list(parties);
    rc = sim::run_demo(demo);
  });

  sim::customs_config customs;
  auto* customs_cmd = app.add_subcommand(
    "customs", "customs clearance with the demo parties: release on guarantee and on payment, "
               "control instructions and examination, a level-2 proposal, an amendment, bad "
               "declarations; exit 0 if every outcome was the expected one");
  add_target_options(*customs_cmd, customs.target);
  customs_cmd->add_option("--keys-dir", customs.keys_dir, "holds <party>.curve.secret files")
    ->capture_default_str();
  customs_cmd->add_option("--declarant", customs.declarant,
                          "enterprise or broker party that lodges the declarations")
    ->capture_default_str();
  customs_cmd->add_option("--port-officer", customs.port_officer,
                          "customs officer of unit 2248 (inspection results)")
    ->capture_default_str();
  customs_cmd->add_option("--national-risk", customs.national_risk,
                          "risk officer of unit 0000 (level-1 instructions, approvals)")
    ->capture_default_str();
  customs_cmd->add_option("--district-risk", customs.district_risk,
                          "risk officer of unit 2200 (level-2 proposals)")
    ->capture_default_str();
  customs_cmd->add_option("--run-id", customs.run_id,
                          "suffix of this run's declaration and instruction ids, unique per run "
                          "(default: UTC date and time, e.g. 261130-051203)");
  customs_cmd->add_option("--status-timeout-ms", customs.status_timeout_ms,
                          "longest wait for one status notification")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  customs_cmd->callback([&customs, &rc]() { rc = sim::run_customs(customs); });

  sim::single_window_config sw;
  auto* sw_cmd = app.add_subcommand(
    "single-window", "the single window with the demo parties and a running swhub-agency: "
                     "routed goods wait for the agency and are released on its approval, a "
                     "mixed declaration needs it too, other goods do not wait, an answer for a "
                     "case not routed to the agency is refused; exit 0 if every outcome was "
                     "the expected one");
  add_target_options(*sw_cmd, sw.target);
  sw_cmd->add_option("--keys-dir", sw.keys_dir, "holds <party>.curve.secret files")
    ->capture_default_str();
  sw_cmd->add_option("--declarant", sw.declarant,
                     "enterprise or broker party that lodges the declarations")
    ->capture_default_str();
  sw_cmd->add_option("--agency", sw.agency,
                     "the agency party the goods are routed to (served by swhub-agency)")
    ->capture_default_str();
  sw_cmd->add_option("--agency-name", sw.agency_name,
                     "part of the agency's [[agency]] name, as waitingOn shows it")
    ->capture_default_str();
  sw_cmd->add_option("--port-officer", sw.port_officer,
                     "customs officer of unit 2248 (clears random checks and inspections)")
    ->capture_default_str();
  sw_cmd->add_option("--run-id", sw.run_id,
                     "suffix of this run's declaration ids, unique per run "
                     "(default: UTC date and time, e.g. 261130-051203)");
  sw_cmd->add_option("--status-timeout-ms", sw.status_timeout_ms,
                     "longest wait for one status notification")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  sw_cmd->callback([&sw, &rc]() { rc = sim::run_single_window(sw); });

  sim::ecommerce_config ec;
  auto* ec_cmd = app.add_subcommand(
    "ecommerce", "cross-border e-commerce with the SAMPLE CEB enterprises: a parcel's four "
                 "documents matched in a shuffled order and released, a batch of 50 orders, a "
                 "mismatch refused with its reason, a quota refusal, a return giving the "
                 "quota back; exit 0 if every outcome was the expected one");
  add_target_options(*ec_cmd, ec.target);
  ec_cmd->add_option("--keys-dir", ec.keys_dir, "holds <party>.curve.secret files")
    ->capture_default_str();
  ec_cmd->add_option("--ceb-keys-dir", ec.ceb_keys_dir,
                     "holds the SAMPLE enterprises' <party>.key.pem and .cert.pem, which "
                     "sign their CEB messages")
    ->capture_default_str();
  ec_cmd->add_option("--run-id", ec.run_id,
                     "part of this run's order numbers and buyer ids, unique per run, at most "
                     "14 characters (default: UTC date and time, e.g. 261130-051203)")
    ->check(CLI::Validator(
      [](std::string& s) { return s.size() <= 14 ? std::string{} : "at most 14 characters"; },
      "TEXT<=14", "short run id"));
  ec_cmd->add_option("--status-timeout-ms", ec.status_timeout_ms,
                     "longest wait for one CEB receipt")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  ec_cmd->callback([&ec, &rc]() { rc = sim::run_ecommerce(ec); });

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  CLI11_PARSE(app, argc, argv);
  return rc;
}
