#pragma once
// The human-readable report and the --json document.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/common/fsync_probe.hpp"
#include "bench/common/hub_process.hpp"
#include "bench/ingest/load.hpp"
#include "bench/common/machine.hpp"
#include "bench/common/thread_cpu.hpp"

namespace bench {

/// The goals the figures are judged against (docs/benchmarks.md).
struct goals {
  double closed_docs_per_s = 20000;  ///< sustained durable ingest
  double open_rate = 10000;          ///< the open-loop rate the latency goal is for
  double open_p99_ms = 20;           ///< p99 receipt latency at that rate
};

/// One load phase against its own swhubd and data dir.
struct phase_report {
  std::string error;      ///< the hub did not start, clients could not connect, ...
  phase_result load;
  hub_counters hub;
  cpu_usage cpu;
  /// The sync rate measured just before this phase: on a shared disk it moves, and the
  /// phase's commits/s is compared with this one.
  fsync_result fsync_before;
  uint64_t load_commits = 0; ///< commits minus those of a hub that got no load
  double commits_per_s = 0;  ///< load_commits / load.elapsed_s
  double mean_batch = 0;     ///< hub-accepted documents / load_commits
};

struct run_report {
  std::string command;
  std::string settings;     ///< the options in one line
  std::string swhubd;
  machine_info machine;
  std::string load_after;   ///< load average at the end
  fsync_result fsync;
  uint64_t idle_commits = 0;  ///< commits of a hub without load (subtracted per phase)
  std::vector<phase_report> phases;
  goals goal;
};

/// Derives commits/s and the mean batch from the hub's counters; `idle_commits` is what
/// a hub started and stopped without load commits (the party registry at start-up...).
void finish_phase(phase_report& p, uint64_t idle_commits);

void print_machine(std::ostream& out, const machine_info& m, const std::string& data_dir);
void print_fsync(std::ostream& out, const fsync_result& f);
void print_phase(std::ostream& out, const phase_report& p);
void print_summary(std::ostream& out, const run_report& r);

nlohmann::json to_json(const run_report& r);

} // namespace bench
