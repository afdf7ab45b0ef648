#pragma once
// STORE: the single writer. Batches writes from every caller into one LMDB
// transaction (group commit by count and by time) and answers each caller only after
// that transaction committed. A map-full or disk error makes it "not ready" until a
// probe commit, retried with backoff, succeeds.

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
  std::chrono::milliseconds retry_min{50};  ///< first probe after a failed commit
  std::chrono::milliseconds retry_max{2000}; ///< probes double their delay up to this
  std::chrono::seconds remind_every{60};    ///< "still not ready" log line at most this often
};

/// Returns an error if `cfg` is unusable.
caf::error validate(const store_config& cfg);

/// Counters the store publishes for benchmarks and `status` (read from any thread).
struct store_metrics {
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> failed_commits{0};
  std::atomic<bool> ready{true};
  /// Writes refused while not ready, by the store and by intake (which checks `ready`
  /// before it asks the store).
  std::atomic<uint64_t> refused{0};
};

/// Spawns the store, which becomes the sole writer of `backend`. After a failed
/// commit caused by a full map or disk, the store is "not ready": every write fails at
/// once with ec::hub_not_ready and nothing committed is touched, until a probe of the
/// backend (retry_min doubling to retry_max) succeeds. Both changes are logged.
caf::expected<store_actor> spawn_store(caf::actor_system& sys, const store_config& cfg,
                                       std::shared_ptr<storage> backend,
                                       std::shared_ptr<store_metrics> metrics);

} // namespace hub
