#pragma once
// STORE: the single writer. Batches writes from every caller into one LMDB
// transaction (group commit by count and by time) and answers each caller only after
// that transaction committed.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/actors.hpp"

namespace hub {

class storage;

struct store_config {
  size_t max_batch = 512;                   ///< commit at once when this many are pending
  std::chrono::microseconds interval{500};  ///< longest extra wait for a group commit
};

/// Returns an error if `cfg` is unusable.
caf::error validate(const store_config& cfg);

/// Counters the store publishes for benchmarks and `status` (read from any thread).
struct store_metrics {
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> failed_commits{0};
  std::atomic<bool> ready{true};
};

/// Spawns the store, which becomes the sole writer of `backend`. After a failed
/// commit caused by a full map or disk, the store stays "not ready": every later
/// write fails at once with ec::hub_not_ready and nothing committed is touched.
caf::expected<store_actor> spawn_store(caf::actor_system& sys, const store_config& cfg,
                                       std::shared_ptr<storage> backend,
                                       std::shared_ptr<store_metrics> metrics);

} // namespace hub
