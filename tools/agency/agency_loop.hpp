#pragma once
// The adapter's main loop: one thread owns the hub connection (reconnecting with
// backoff), receives agency cases, has them decided (simulator or bridge), records
// each decision durably before sending it as agency.decision, and acknowledges the
// case only after the hub's receipt for the decision was recorded.

#include <atomic>
#include <string>

#include "tools/agency/simulator.hpp"

namespace agency {

struct agency_settings {
  // connection (as the swhub CLI takes it)
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string hub_key = "var/keys/hub.curve.pub";
  std::string key;      ///< key stem (keygen --out) or .curve.secret file
  std::string sign_key; ///< PEM signing key; default <stem>.sign.pem
  bool no_sign = false;
  int timeout_ms = 10000;    ///< welcome and receipt wait; a decision is re-sent after it
  std::string client_name = "swhub-agency";
  int retry_min_ms = 250;    ///< reconnect backoff: first wait...
  int retry_max_ms = 10000;  ///< ...doubling up to this
  int give_up_after_s = 0;   ///< exit 1 after this long without a connection (0: never)
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
