#pragma once
// The adapter's main loop: one thread owns the hub connection (reconnecting with
// backoff), receives agency cases, has them decided (simulator or bridge), records
// each decision durably before sending it as agency.decision, and acknowledges the
// case only after the hub's receipt for the decision was recorded.

#include <atomic>
#include <string>

#include "tools/bridge/connection.hpp"

#include "tools/agency/simulator.hpp"

namespace agency {

struct agency_settings {
  bridge::connection_settings conn{"swhub-agency"}; ///< how to reach the hub
  // state
  std::string state;
  // mode
  bool simulate = false;
  simulator_settings sim;
  /// Test hook: wait this long after recording a decision before sending it, and after
  /// recording its receipt before acknowledging the case (a window for kill -9).
  int hold_ms = 0;
};

/// Runs until `stop` is set (0) or a fatal error (1: keys, state file).
int run_agency(const agency_settings& s, const std::atomic<bool>& stop);

} // namespace agency
