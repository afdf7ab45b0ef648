#pragma once
// How a partner's bridge is told to reach the hub (the same options as the swhub CLI:
// endpoint, the hub's key, the party's key stem and signing key, timeouts and the
// reconnect backoff), and the client options built from them.

#include <string>

#include <caf/expected.hpp>

#include "adapters/zmq/client.hpp"
#include "tools/bridge/hub_link.hpp"

namespace CLI {
class App;
}

namespace bridge {

struct connection_settings {
  connection_settings() = default;
  explicit connection_settings(std::string name) : client_name(std::move(name)) {}

  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string hub_key = "var/keys/hub.curve.pub";
  std::string key;      ///< key stem (keygen --out) or .curve.secret file
  std::string sign_key; ///< PEM signing key; default <stem>.sign.pem
  bool no_sign = false;
  int timeout_ms = 10000;   ///< welcome and receipt wait; what has no receipt is re-sent after it
  std::string client_name;  ///< sent in hello (hub logs)
  int retry_min_ms = 250;   ///< reconnect backoff: first wait...
  int retry_max_ms = 10000; ///< ...doubling up to this
  int give_up_after_s = 0;  ///< exit 1 after this long without a connection (0: never)

  link_settings link() const { return {retry_min_ms, retry_max_ms, give_up_after_s}; }
};

/// Adds --endpoint, --hub-key, --key, --no-sign, --sign-key, --timeout-ms,
/// --retry-min-ms, --retry-max-ms, --give-up-after-s and --client-name. `party` names
/// whose key it is ("the agency party"), `what` what the bridge sends ("decisions").
void add_connection_options(CLI::App& app, connection_settings& s, const std::string& party,
                            const std::string& what);

/// What is wrong across the options ("" if nothing): a usage error.
std::string connection_problem(const connection_settings& s);

/// The client's options from the key files; invalid_config naming what is missing.
caf::expected<hub::client_options> client_options_of(const connection_settings& s);

} // namespace bridge
