#pragma once
// `swhub-sim load`: many partner connections sending valid declarations, each
// connection on its own thread with its own partner_client.
//
// Open loop (--rate > 0): message i of a connection is due at start + i/rate_share;
// latency is measured from that intended time, so a stalled hub shows up as latency
// instead of silently slowing the sender (no coordinated omission).
// Closed loop (--rate 0): each connection keeps --window messages in flight;
// latency is measured from the actual send.

#include <atomic>
#include <string>
#include <vector>

#include "tools/sim/common.hpp"

namespace sim {

struct load_config {
  hub_target target;
  std::vector<std::string> keys; ///< connections are spread round-robin over these
  size_t connections = 1;
  double rate = 0;          ///< docs/s over all connections; 0 = closed loop
  size_t window = 16;       ///< closed loop: in flight per connection
  uint64_t count = 0;       ///< total documents; 0 = until duration
  double duration_s = 0;    ///< stop sending after this; 0 with count 0 = 10 s
  unsigned items = 2;       ///< goods items per declaration (~0.95 KB frames at 2)
  std::string receipts_out; ///< append "party messageIdHex sequence digestHex" per
                            ///< accepted receipt, flushed line by line
  bool json = false;        ///< summary as one JSON line
  int io_threads = 1;       ///< ZeroMQ I/O threads
  uint64_t seed = 0;        ///< 0 = random
  bool ack = true;          ///< acknowledge status notifications as they come
};

/// Runs the load; `stop` (set from a signal handler) ends sending early, then the
/// run drains and reports. Returns the exit code: 0 everything accepted, 2 some
/// documents rejected or without receipt, 1 nothing could run (bad keys, no hub).
int run_load(const load_config& cfg, const std::atomic<bool>& stop);

} // namespace sim
