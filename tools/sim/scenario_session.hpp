#pragma once
// What the customs and single-window scenarios share: one connection per party,
// sending a document and checking its receipt, and waiting for notifications, every
// step reported on a checklist.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "adapters/zmq/client.hpp"
#include "tools/sim/common.hpp"

namespace sim {

/// Where and how a scenario's parties connect.
struct session_config {
  hub_target target;
  std::string keys_dir;    ///< <keys_dir>/<party>.curve.secret
  std::string client_name; ///< told to the hub in the hello, e.g. "swhub-sim-customs"
  int status_timeout_ms = 20000; ///< longest wait for one notification
  bool sign_envelopes = true;    ///< with <keys_dir>/<party>.sign.pem, if it exists
};

/// "DECL: status, case C, amountDue A": the part of a status notification both
/// scenarios print the same way (each adds waitingOn in its own words).
std::string describe_status(const hub::notification& n);

/// Whether `n` is a status notification about declaration `decl`; acceptedWithErrors
/// is left out, since it comes before the decision the scenarios wait for.
bool is_status_of(const hub::notification& n, const std::string& decl);

/// The base of a scenario: the parties' clients and the checklist of its outcomes.
class scenario_session {
protected:
  using clock_type = std::chrono::steady_clock;
  using notification_match = std::function<bool(const hub::notification&)>;

  explicit scenario_session(session_config cfg);
  ~scenario_session() = default;

  scenario_session(const scenario_session&) = delete;
  scenario_session& operator=(const scenario_session&) = delete;

  /// The connected client of `party` (connect() first).
  hub::partner_client& client(const std::string& party) { return *clients_.at(party); }

  /// Connects as `party` and checks its welcome; with `drain_older`, acknowledges
  /// the notifications left from earlier runs.
  bool connect(const std::string& party, bool drain_older);

  /// Acknowledges what is left from earlier runs (load leaves many status
  /// notifications), until the hub has been quiet for a moment.
  void drain(const std::string& party);

  /// Sends `payload` as `party` and checks the receipt; returns whether it matched.
  /// `message_id`, if given, receives the document's message id.
  bool send(const std::string& party, const std::string& type, hub::bytes payload,
            const std::string& what, hub::receipt::status_t want,
            const std::string& want_error = "", hub::bytes* message_id = nullptr);

  /// The next notification to `party` that `match` accepts, received before `until`;
  /// every one received is acknowledged, and `skipped` (if given) counts the others.
  std::optional<hub::notification> next_matching(const std::string& party,
                                                 const notification_match& match,
                                                 clock_type::time_point until,
                                                 size_t* skipped = nullptr);

  /// next_matching() within the status timeout, noting how many others it skipped.
  std::optional<hub::notification> await(const std::string& party,
                                         const notification_match& match);

  /// The end of a wait for one notification that starts now.
  clock_type::time_point status_deadline() const {
    return clock_type::now() + std::chrono::milliseconds{cfg_.status_timeout_ms};
  }

  /// When the last document was sent: notifications are timed from it.
  clock_type::time_point last_sent() const { return last_sent_; }

  checklist out_; ///< every outcome of the scenario, printed as it comes

private:
  session_config cfg_;
  clock_type::time_point last_sent_ = clock_type::now();
  zmq::context_t ctx_; // declared before the clients: closed after them
  std::map<std::string, std::unique_ptr<hub::partner_client>> clients_;
};

} // namespace sim
