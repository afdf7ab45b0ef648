// swhub-agency: the adapter a partner agency (inspection and quarantine, licensing, ...)
// puts in front of its system on a single window hub. It receives the declarations the
// hub routes to the agency (agencyCase notifications), has each decided once, and
// answers with an agency.decision document signed with the agency's key.
//
//   --simulate      decides by a verdict mix after a latency (tests, demo)
//   default bridge  prints each case as a JSON line on stdout and reads decisions as
//                   JSON lines on stdin, so the agency's own system can sit behind it
//
// Log: one JSON line per event on stderr. Exit codes: 0 stopped by SIGTERM/SIGINT,
// 1 usage, configuration, state file or (with --give-up-after-s) transport error.

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "tools/agency/agency_loop.hpp"
#include "tools/bridge/process.hpp"

using bridge::usage_error;

int main(int argc, char** argv) {
  agency::agency_settings s;
  CLI::App app{"swhub-agency: a partner agency's adapter to a swhub single window: receives "
               "the declarations routed to the agency and answers with its decisions"};
  app.set_version_flag("--version", "swhub-agency 0.1.0");
  bridge::add_connection_options(app, s.conn, "the agency party", "decisions");
  app.add_option("--state", s.state,
                 "the adapter's state file (JSON lines, fsync'ed): cases decided, so none "
                 "is decided twice across restarts")
    ->required();
  app.add_flag("--simulate", s.simulate,
               "decide cases by the simulated mix below instead of bridging stdin/stdout");
  auto* approve = app.add_option("--approve", s.sim.approve,
                                 "simulate: percent approved (default: what the others "
                                 "leave of 100)")
                    ->check(CLI::Range(0u, 100u));
  auto* reject = app.add_option("--reject", s.sim.reject, "simulate: percent rejected")
                   ->check(CLI::Range(0u, 100u));
  auto* inspect = app.add_option("--inspect", s.sim.inspect,
                                 "simulate: percent needing inspection")
                    ->check(CLI::Range(0u, 100u));
  auto* documents = app.add_option("--documents", s.sim.documents,
                                   "simulate: percent needing documents")
                      ->check(CLI::Range(0u, 100u));
  auto* latency = app.add_option("--latency-ms", s.sim.latency_ms,
                                 "simulate: time from receiving a case to deciding it")
                    ->capture_default_str();
  auto* jitter = app.add_option("--latency-jitter-ms", s.sim.latency_jitter_ms,
                                "simulate: add a random 0..N ms to the latency")
                   ->capture_default_str();
  auto* seed = app.add_option("--seed", s.sim.seed,
                              "simulate: random seed (0: a random one, logged at start)");
  // Test hook, not shown in --help: a window between recording and acting.
  app.add_option("--test-hold-ms", s.hold_ms,
                 "wait this long after recording a decision before sending it, and after "
                 "recording its receipt before acknowledging")
    ->group("")
    ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) // --help, --version
      return app.exit(e);
    return usage_error(std::string{e.what()} + " (see --help)");
  }
  for (auto* opt : {approve, reject, inspect, documents, latency, jitter, seed})
    if (!s.simulate && opt->count() > 0)
      return usage_error(opt->get_name() + " needs --simulate");
  if (s.simulate) {
    auto others = s.sim.reject + s.sim.inspect + s.sim.documents;
    if (approve->count() == 0) {
      if (others > 100)
        return usage_error("--reject, --inspect and --documents add up to more than 100");
      s.sim.approve = 100 - others;
    } else if (s.sim.approve + others != 100) {
      return usage_error("--approve, --reject, --inspect and --documents must add up to 100 "
                         "(they add up to "
                         + std::to_string(s.sim.approve + others) + ")");
    }
    while (s.sim.seed == 0)
      if (RAND_bytes(reinterpret_cast<unsigned char*>(&s.sim.seed), sizeof(s.sim.seed)) != 1)
        s.sim.seed = 1;
  }
  if (auto why = bridge::connection_problem(s.conn); !why.empty())
    return usage_error(why);
  const auto& stop_requested = bridge::install_stop_handlers();
  return agency::run_agency(s, stop_requested);
}
