#pragma once
// `swhub-ceb send`: sends CEB files as they are, one envelope each, and writes the CEB
// receipts that answer them beside them, as E-Port's client software does for an
// enterprise. Durable across kill -9 through the state file (bridge_state.hpp).

#include <string>
#include <vector>

namespace ceb_bridge {

/// Exit codes scripts rely on.
enum exit_code : int {
  exit_ok = 0,           ///< every file accepted (now or before) and finally receipted
  exit_failure = 1,      ///< usage, key, state file, connection or disk error
  exit_file_problem = 2, ///< a file was unreadable, not a CEB import message, refused
                         ///< by the hub or changed after it was sent
  exit_waiting = 3,      ///< sent, but the wait ended before every final CEB receipt
};

struct send_settings {
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string hub_key = "var/keys/hub.curve.pub";
  std::string key;      ///< CURVE key stem (swhub keygen --out) or .curve.secret file
  std::string sign_key; ///< envelope signing key; default <key stem>.sign.pem if present
  bool no_sign = false;
  std::string out_dir;  ///< "" = receipts beside each sent file
  std::string state;    ///< "" = <out_dir or the first input's folder>/.swhub-ceb.state
  int wait_seconds = 30;
  int settle_ms = 500;  ///< after the last awaited receipt, for receipts right behind it
  int timeout_ms = 10000;
  std::vector<std::string> inputs;
};

/// Runs the command; output is JSON lines on stdout (one per file, one per receipt,
/// a summary), errors one JSON line on stderr. Returns an exit_code.
int run_send(const send_settings& s);

/// The default state file for `s` (see send_settings::state).
std::string default_state_path(const send_settings& s);

} // namespace ceb_bridge
