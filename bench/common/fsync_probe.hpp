#pragma once
// This machine's durable-write rate, measured in the same run as the hub figures:
// the ceiling a group-committing store cannot beat (LMDB syncs twice per commit).

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "bench/common/latency.hpp"

namespace bench {

struct fsync_result {
  std::string error;      ///< non-empty if the probe could not run
  uint64_t syncs = 0;
  double seconds = 0;
  double syncs_per_s = 0;
  latency_summary latency; ///< one pwrite(4 KiB) + fdatasync
  /// Synced bandwidth: pwrite(1 MiB) + fdatasync in a loop. A group commit of a few
  /// hundred documents dirties about that much (random dedupe-key pages), so this is
  /// the second ceiling besides the sync rate.
  double big_syncs_per_s = 0;
  double big_mib_per_s = 0;
};

/// Loops pwrite(4 KiB) + fdatasync on a file in `dir` for about `seconds`. The file is
/// pre-written and synced first, so the loop overwrites allocated blocks the way LMDB
/// overwrites its pages and meta page, instead of measuring file growth.
fsync_result probe_fsync(const std::string& dir, double seconds);

/// Adds the 1 MiB pwrite + fdatasync figures to `r` (about `seconds` long).
void probe_synced_bandwidth(const std::string& dir, double seconds, fsync_result& r);

nlohmann::json to_json(const fsync_result& r);

} // namespace bench
