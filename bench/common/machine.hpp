#pragma once
// What machine the figures come from: benchmark numbers without it are not comparable.

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace bench {

struct machine_info {
  std::string cpu_model;   ///< /proc/cpuinfo "model name"
  unsigned cores = 0;      ///< online CPUs (what nproc prints)
  double memory_gib = 0;   ///< MemTotal
  std::string kernel;      ///< uname -srm
  std::string fs_type;     ///< statfs f_type of the data dir, by name (ext4, xfs, tmpfs...)
  std::string fs_device;   ///< the mount source from /proc/self/mountinfo
  std::string fs_mount;    ///< the mount point holding the data dir
  std::string date;        ///< local time, ISO 8601
  std::string load_avg;    ///< /proc/loadavg 1/5/15-minute figures when read
};

/// Describes this machine; `data_dir` is where the hub writes (its filesystem matters).
machine_info describe_machine(const std::string& data_dir);

/// The 1/5/15-minute load averages, e.g. "0.52 0.61 0.40".
std::string load_average();

nlohmann::json to_json(const machine_info& m);

} // namespace bench
