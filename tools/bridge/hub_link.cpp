#include "tools/bridge/hub_link.hpp"

#include <algorithm>
#include <string>

#include "actors/core/error.hpp"
#include "tools/bridge/event_log.hpp"

namespace bridge {

namespace {

using std::chrono::milliseconds;

/// The longest one connection attempt waits for the hub's welcome.
constexpr milliseconds max_connect_wait{2000};

/// On exit, queued frames (the last acks) get this long to leave.
constexpr milliseconds exit_linger{2000};

int64_t ms_count(milliseconds ms) { return static_cast<int64_t>(ms.count()); }

} // namespace

void hub_link::configure(hub::client_options opts, link_settings s) {
  opts_ = std::move(opts);
  s_ = s;
}

bool hub_link::connect_if_due() {
  if (client || clock_type::now() < next_attempt_)
    return false;
  // A connection attempt cannot be interrupted: keep it short so a stop signal is
  // served quickly while the hub is away (the welcome of a live hub takes milliseconds).
  auto attempt = opts_;
  attempt.timeout = std::min(opts_.timeout, max_connect_wait);
  attempt.linger = milliseconds{0}; // a failed attempt's hello must not delay the exit
  auto c = hub::partner_client::connect(ctx_, std::move(attempt));
  if (!c) {
    backoff_ = backoff_.count() == 0 ? milliseconds{s_.retry_min_ms}
                                     : std::min(backoff_ * 2, milliseconds{s_.retry_max_ms});
    next_attempt_ = clock_type::now() + backoff_;
    log_event("connect_failed", {{"error", hub::error_name(c.error())},
                                 {"reason", hub::context_text(c.error())},
                                 {"retryInMs", ms_count(backoff_)}});
    if (s_.give_up_after_s > 0
        && clock_type::now() - disconnected_since_ > std::chrono::seconds{s_.give_up_after_s}) {
      log_event("fatal", {{"error", "transport_failure"},
                          {"reason", "no connection to the hub for " + std::to_string(s_.give_up_after_s)
                                       + " s"}});
      gave_up_ = true;
    }
    return false;
  }
  client = std::move(*c);
  try {
    client->socket().set(zmq::sockopt::linger, static_cast<int>(exit_linger.count()));
  } catch (const zmq::error_t&) {
    // keep linger 0: at worst the last acks are lost and the hub sends them again
  }
  backoff_ = milliseconds{0};
  seen_reconnects_ = 0;
  log_event("connected", {{"party", client->party()},
                          {"hubId", client->hub_id()},
                          {"pendingNotifications", client->pending_notifications()}});
  return true;
}

void hub_link::lost(const caf::error& err, clock_type::time_point since) {
  backoff_ = milliseconds{s_.retry_min_ms};
  next_attempt_ = clock_type::now() + backoff_;
  disconnected_since_ = std::min(clock_type::now(), since);
  log_event("connection_lost", {{"error", hub::error_name(err)},
                                {"reason", hub::context_text(err)},
                                {"retryInMs", ms_count(backoff_)}});
  client.reset();
}

bool hub_link::reconnected() {
  if (!client || client->reconnects() == seen_reconnects_)
    return false;
  seen_reconnects_ = client->reconnects();
  log_event("reconnected", {{"reconnects", seen_reconnects_}});
  return true;
}

} // namespace bridge
