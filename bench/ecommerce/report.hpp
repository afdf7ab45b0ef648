#pragma once
// What swhub-bench-ecommerce prints: per phase the parcels and documents per second,
// the decision latency, refusals, the hub's CPU by thread and its commits, beside the
// limits measured in the same run (verify and parse rate on one core, fsync rate);
// then a summary against issue 18's minimums and goals. Text and JSON.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bench/common/fsync_probe.hpp"
#include "bench/common/hub_process.hpp"
#include "bench/common/machine.hpp"
#include "bench/common/thread_cpu.hpp"
#include "bench/ecommerce/load.hpp"
#include "bench/ecommerce/probe.hpp"

namespace bench::ceb {

struct phase_report {
  std::string name;   ///< "single", "batch", "open"
  std::string error;  ///< the phase could not run (figures absent)
  bool open_loop = false;
  double rate = 0;    ///< open loop: parcels/s planned
  size_t batch = 1;   ///< documents per message
  size_t window = 0;  ///< closed loop: messages in flight per partner
  double sign_s = 0;  ///< preparing (generating and signing) its messages, untimed
  uint64_t xml_bytes = 0;
  shape_probe probe;
  fsync_result fsync_before;
  load_result load;
  cpu_usage cpu;
  hub_counters hub;
  unsigned cores = 0;
  double verify_limit = 0; ///< parcels/s: cores x one core's verify rate
  double reader_limit = 0; ///< parcels/s: cores x one core's parse + verify rate
  double commits_per_s = 0;
  /// The hub's CPU time per decided parcel (all its threads), and what the hub would
  /// do with every core to itself at that cost: robust when other work shares the
  /// machine (the wall-clock rates are not).
  double hub_cpu_ms_per_parcel = 0;
  double projected_parcels_per_s = 0;
  double reader_share = 0; ///< parse+verify (probed) / hub CPU per parcel
};

struct run_report {
  std::string command, settings, swhubd, alg;
  machine_info machine;
  fsync_result fsync;
  std::vector<phase_report> phases;
  std::string load_after;
};

void finish_phase(phase_report& p);
void print_machine(std::ostream& out, const machine_info& m, const std::string& dir);
void print_fsync(std::ostream& out, const fsync_result& f);
void print_phase(std::ostream& out, const phase_report& p);
void print_summary(std::ostream& out, const run_report& r);
nlohmann::json to_json(const run_report& r);

} // namespace bench::ceb
