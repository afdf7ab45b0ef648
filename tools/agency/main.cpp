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
  app.add_option("--endpoint", s.endpoint, "hub endpoint")
    ->envname("SWHUB_ENDPOINT")
    ->capture_default_str();
  app.add_option("--hub-key", s.hub_key, "file with the hub's CURVE public key")
    ->envname("SWHUB_HUB_KEY")
    ->capture_default_str();
  app.add_option("--key", s.key,
                 "the agency party's key: the stem given to `swhub keygen --out` (CURVE key, "
                 "and STEM.sign.pem to sign decisions), or a .curve.secret file")
    ->envname("SWHUB_KEY")
    ->required();
  auto* no_sign = app.add_flag("--no-sign", s.no_sign, "send decisions unsigned");
  app.add_option("--sign-key", s.sign_key,
                 "PEM signing key for decisions (default: <key stem>.sign.pem)")
    ->envname("SWHUB_SIGN_KEY")
    ->excludes(no_sign);
  app.add_option("--timeout-ms", s.timeout_ms,
                 "a decision without receipt is re-sent after this long (a connection "
                 "attempt waits at most 2000 ms for the welcome)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--retry-min-ms", s.retry_min_ms, "first reconnect wait (then doubling)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--retry-max-ms", s.retry_max_ms, "longest reconnect wait")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--give-up-after-s", s.give_up_after_s,
                 "exit 1 after this long without a connection (0: keep trying)")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  app.add_option("--state", s.state,
                 "the adapter's state file (JSON lines, fsync'ed): cases decided, so none "
                 "is decided twice across restarts")
    ->required();
  app.add_option("--client-name", s.client_name, "name sent in hello (hub logs)")
    ->capture_default_str();
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
  if (s.retry_max_ms < s.retry_min_ms)
    return usage_error("--retry-max-ms is smaller than --retry-min-ms");
  const auto& stop_requested = bridge::install_stop_handlers();
  return agency::run_agency(s, stop_requested);
}
