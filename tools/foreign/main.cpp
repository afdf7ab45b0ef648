// swhub-foreign: the bridge a partner customs administration puts in front of its system
// on a swhub hub under a mutual-recognition arrangement (issue 11, SR-18). It connects
// as the partner customs party and sends its AEO list as foreign.aeo-batch documents.
//
//   default bridge  reads AEO records as JSON lines on stdin (WCO Data Model naming),
//                   batches them, and prints each hub receipt and foreign.aeo-receipt
//                   as a JSON line on stdout; exits 0 once stdin ended and all is receipted
//   --simulate      a SAMPLE list of EORI operators as a snapshot, then deltas
//
// Log: one JSON line per event on stderr. Exit codes: 0 done or stopped by
// SIGTERM/SIGINT, 1 usage, configuration, state file or (with --give-up-after-s)
// transport error.

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/foreign/foreign_loop.hpp"
#include "tools/bridge/process.hpp"

using bridge::usage_error;

int main(int argc, char** argv) {
  foreign::foreign_settings s;
  CLI::App app{"swhub-foreign: a partner customs administration's bridge to a swhub hub: "
               "sends its AEO list (JSON lines on stdin, or simulated) as foreign.aeo-batch "
               "documents and reports the hub's receipts"};
  app.set_version_flag("--version", "swhub-foreign 0.1.0");
  bridge::add_connection_options(app, s.conn, "the partner customs party", "batches");
  app.add_option("--state", s.state,
                 "the bridge's state file (JSON, replaced atomically): batches recorded and "
                 "not yet receipted, re-sent after a restart")
    ->required();
  app.add_option("--data-set", s.data_set, "the arrangement's data set, sent in each batch")
    ->capture_default_str();
  app.add_option("--id-scheme", s.id_scheme,
                 "the arrangement's identifier scheme (config/foreign.toml identifier-scheme): "
                 "eori, ctpat, uen or mid; a record whose id does not fit is reported, not sent")
    ->check(CLI::IsMember({"eori", "ctpat", "uen", "mid"}))
    ->capture_default_str();
  app.add_option("--batch", s.batch,
                 "records per batch, at most (a batch is also cut at about 900 KB); the hub "
                 "takes at most max-records-per-batch of config/foreign.toml, 5000 by default")
    ->check(CLI::Range(1u, 20000u))
    ->capture_default_str();
  app.add_option("--flush-ms", s.flush_ms,
                 "a batch not full is sent this long after its first record")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  app.add_option("--batch-prefix", s.batch_prefix,
                 "batch ids are <prefix>-<serial> (default: the state file's, \"FB\" and its "
                 "creation time)");
  app.add_flag("--simulate", s.simulate,
               "send a simulated SAMPLE list instead of reading stdin");
  auto* records = app.add_option("--records", s.records, "simulate: operators in the list")
                    ->check(CLI::Range(0u, 1000000u))
                    ->capture_default_str();
  auto* every = app.add_option("--delta-every-s", s.delta_every_s,
                               "simulate: seconds between deltas")
                  ->check(CLI::PositiveNumber)
                  ->capture_default_str();
  auto* deltas = app.add_option("--deltas", s.deltas,
                                "simulate: deltas to send, then stop (default: until SIGTERM)")
                   ->check(CLI::NonNegativeNumber);
  app.add_option("--test-hold-ms", s.hold_ms,
                 "wait this long after recording a batch before sending it")
    ->group("")
    ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e);
    return usage_error(std::string{e.what()} + " (see --help)");
  }
  for (auto* opt : {records, every, deltas})
    if (!s.simulate && opt->count() > 0)
      return usage_error(opt->get_name() + " needs --simulate");
  if (auto why = bridge::connection_problem(s.conn); !why.empty())
    return usage_error(why);
  if (s.data_set.empty())
    return usage_error("--data-set is empty");
  if (s.data_set.size() > 32)
    return usage_error("--data-set is longer than 32 characters (the hub refuses such batches)");
  if (s.batch_prefix.size() + 21 > 64)
    return usage_error("--batch-prefix is longer than 43 characters: batch ids "
                       "(<prefix>-<serial>) are at most 64");
  const auto& stop_requested = bridge::install_stop_handlers();
  return foreign::run_foreign(s, stop_requested);
}
