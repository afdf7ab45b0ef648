#pragma once
// The connection a partner's bridge (swhub-agency, swhub-foreign) keeps to the hub:
// connection attempts short enough that a stop signal is served while the hub is away,
// reconnection with a doubling backoff, giving up after a configured time without the
// hub, and a log event for each. What to send again after a reconnection is the
// bridge's to decide (connect_if_due says when).

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/error.hpp>
#include <zmq.hpp>

#include "adapters/zmq/client.hpp"

namespace bridge {

struct link_settings {
  int retry_min_ms = 250;   ///< reconnect backoff: first wait...
  int retry_max_ms = 10000; ///< ...doubling up to this
  int give_up_after_s = 0;  ///< give up after this long without the hub (0: never)
};

class hub_link {
public:
  using clock_type = std::chrono::steady_clock;

  void configure(hub::client_options opts, link_settings s);
  /// Connects if no connection is open and the backoff has passed. True if it
  /// connected now: whatever was in flight on a previous connection may be lost.
  bool connect_if_due();
  /// The connection is taken as lost: closed, reconnected after the first backoff.
  /// `since`: when the hub was last heard from (giving up counts from there).
  void lost(const caf::error& err, clock_type::time_point since = clock_type::now());
  /// Whether the client re-established its socket since last asked (logged): frames
  /// in flight on the old one may be lost.
  bool reconnected();
  bool gave_up() const { return gave_up_; }
  clock_type::time_point next_attempt() const { return next_attempt_; }
  const hub::client_options& options() const { return opts_; }

  std::unique_ptr<hub::partner_client> client; ///< null while disconnected

private:
  hub::client_options opts_;
  link_settings s_;
  zmq::context_t ctx_;
  uint64_t seen_reconnects_ = 0;
  std::chrono::milliseconds backoff_{0};
  clock_type::time_point next_attempt_{};
  clock_type::time_point disconnected_since_ = clock_type::now();
  bool gave_up_ = false;
};

} // namespace bridge
