#include "tools/bridge/connection.hpp"

#include <CLI/CLI.hpp>

#include "actors/core/error.hpp"

namespace bridge {

void add_connection_options(CLI::App& app, connection_settings& s, const std::string& party,
                            const std::string& what) {
  app.add_option("--endpoint", s.endpoint, "hub endpoint")->envname("SWHUB_ENDPOINT")->capture_default_str();
  app.add_option("--hub-key", s.hub_key, "file with the hub's CURVE public key")
    ->envname("SWHUB_HUB_KEY")
    ->capture_default_str();
  app.add_option("--key", s.key,
                 party + "'s key: the stem given to `swhub keygen --out` (CURVE key, and "
                   "STEM.sign.pem to sign " + what + "), or a .curve.secret file")
    ->envname("SWHUB_KEY")
    ->required();
  auto* no_sign = app.add_flag("--no-sign", s.no_sign, "send " + what + " unsigned");
  app.add_option("--sign-key", s.sign_key, "PEM signing key for " + what + " (default: <key stem>.sign.pem)")
    ->envname("SWHUB_SIGN_KEY")
    ->excludes(no_sign);
  app.add_option("--timeout-ms", s.timeout_ms,
                 what + " without receipt are re-sent after this long (a connection attempt "
                   "waits at most 2000 ms for the welcome)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--retry-min-ms", s.retry_min_ms, "first reconnect wait (then doubling)")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--retry-max-ms", s.retry_max_ms, "longest reconnect wait")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  app.add_option("--give-up-after-s", s.give_up_after_s,
                 "exit 1 after this long without a connection (0: keep trying)")
    ->check(CLI::NonNegativeNumber)
    ->capture_default_str();
  app.add_option("--client-name", s.client_name, "name sent in hello (hub logs)")->capture_default_str();
}

std::string connection_problem(const connection_settings& s) {
  if (s.retry_max_ms < s.retry_min_ms)
    return "--retry-max-ms is smaller than --retry-min-ms";
  return {};
}

caf::expected<hub::client_options> client_options_of(const connection_settings& s) {
  if (s.key.empty())
    return caf::make_error(hub::ec::invalid_config, "--key is required (or set SWHUB_KEY): the party's key stem");
  auto opts = hub::client_options_from_files(s.endpoint, s.hub_key, s.key, s.sign_key, s.no_sign);
  if (!opts)
    return opts.error();
  opts->client_name = s.client_name;
  opts->timeout = std::chrono::milliseconds{s.timeout_ms};
  return opts;
}

} // namespace bridge
