#pragma once
// The bridge's main loop: one thread owns the hub connection (reconnecting with
// backoff), batches the records read from stdin (or made by the simulator), records
// each batch in the state file before sending it as foreign.aeo-batch, drops it from
// the state file once the hub's receipt was seen, and prints the hub's receipts and
// the foreign.aeo-receipt notifications (acknowledged) as JSON lines on stdout.

#include <atomic>
#include <string>

#include "tools/bridge/connection.hpp"

namespace foreign {

/// A batch is cut before its foreign.aeo-batch payload would pass this (the hub's
/// frame limit is 1 MiB by default).
constexpr size_t max_batch_bytes = 900 * 1000;

struct foreign_settings {
  bridge::connection_settings conn{"swhub-foreign"}; ///< how to reach the hub
  // state and batches
  std::string state;
  std::string batch_prefix; ///< empty: the one the state file holds (or a new one)
  std::string data_set = "aeo-7/1";
  std::string id_scheme = "eori"; ///< the arrangement's identifier scheme (records checked)
  unsigned batch = 1000;    ///< records per batch (and at most max_batch_bytes)
  int flush_ms = 500;       ///< a batch not full is sent this long after its first record
  // simulation
  bool simulate = false;
  unsigned records = 50;
  int delta_every_s = 5;
  int deltas = -1;          ///< deltas to send, then stop (-1: until SIGTERM)
  /// Test hook: wait this long after recording a batch before sending it.
  int hold_ms = 0;
};

/// Runs until `stop` is set or the work is done (0: stdin ended or --deltas sent, and
/// every batch receipted), or a fatal error (1: keys, state file, no connection).
int run_foreign(const foreign_settings& s, const std::atomic<bool>& stop);

} // namespace foreign
