#pragma once
// Where the CPU went during a phase: per-thread CPU time of the hub (from
// /proc/<pid>/task/*/stat), the benchmark's own process, and the whole machine
// (/proc/stat), and the bytes the hub wrote to storage (/proc/<pid>/io). On a small machine the load generator competes with the hub, so
// this is what tells "the hub is saturated" apart from "the machine is".

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json_fwd.hpp>

namespace bench {

/// CPU ticks of one thread (utime + stime).
struct thread_ticks {
  std::string name; ///< comm, e.g. "caf.multiplexer", "ZMQbg/IO/0", "swhubd"
  uint64_t ticks = 0;
};

struct cpu_snapshot {
  std::map<pid_t, thread_ticks> hub_threads; ///< by tid
  uint64_t self_ticks = 0;                   ///< this process, all threads
  uint64_t machine_busy = 0;                 ///< /proc/stat: all but idle and iowait
  uint64_t machine_total = 0;
  uint64_t hub_wchar = 0;                    ///< /proc/<pid>/io wchar: bytes passed to write()
  uint64_t hub_write_bytes = 0;              ///< /proc/<pid>/io write_bytes: bytes dirtied
  uint64_t disk_sectors_written = 0;         ///< /proc/diskstats of the data dir's disk
  double at_s = 0;                           ///< steady clock, seconds
};

/// One thread's share of a core over the interval (100 = one core fully busy).
struct thread_usage {
  pid_t tid = 0;
  std::string name;
  double percent = 0;
};

struct cpu_usage {
  std::vector<thread_usage> hub_threads; ///< busiest first; threads under 1% left out
  double hub_percent = 0;                ///< all hub threads (200 = two cores)
  double bench_percent = 0;              ///< this load generator
  double machine_percent = 0;            ///< all cores busy = 100
  double others_percent = 0;             ///< machine share used by neither hub nor bench:
                                         ///< other work running at the same time
  uint64_t hub_wchar = 0;                ///< bytes the hub passed to write()/pwrite()
                                         ///< (LMDB pages, plus small socket writes)
  uint64_t hub_write_bytes = 0;          ///< page-cache bytes the hub dirtied (the kernel
                                         ///< may count whole large folios: an upper bound)
  uint64_t disk_write_bytes = 0;         ///< the disk, machine-wide (others' writes too)
  double seconds = 0;                    ///< length of the interval
};

/// `disk` is the block device name in /proc/diskstats (e.g. "vda"); may be empty.
cpu_snapshot take_cpu_snapshot(pid_t hub_pid, const std::string& disk);

/// The /proc/diskstats name of a mount source such as "/dev/vda1" ("vda1").
std::string disk_name(const std::string& mount_source);

/// Usage between two snapshots. The hub's main thread (tid == pid) is named "main".
cpu_usage cpu_between(const cpu_snapshot& a, const cpu_snapshot& b, pid_t hub_pid);

nlohmann::json to_json(const cpu_usage& u);

} // namespace bench
