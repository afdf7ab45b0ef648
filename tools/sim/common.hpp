#pragma once
// What the modes of swhub-sim share: connecting as a party, describing receipts,
// timing and summarising latencies.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "adapters/zmq/client.hpp"

namespace sim {

/// The hub to talk to, shared by every connection of a run.
struct hub_target {
  std::string endpoint = "tcp://127.0.0.1:7700";
  std::string hub_key_file = "var/keys/hub.curve.pub";
  int timeout_ms = 10000;
};

/// Connects with the key `key` (a stem such as var/keys/ENT-1, or a .curve.secret
/// file) and waits for the welcome. Envelopes are signed with <stem>.sign.pem if it
/// exists, unless `sign` is false (parties whose documents carry their own signature,
/// such as CEB messages, register no envelope signing key).
caf::expected<std::unique_ptr<hub::partner_client>>
connect_as(zmq::context_t& ctx, const hub_target& target, const std::string& key,
           const std::string& client_name, bool sign = true);

/// "accepted, sequence 12" or "rejected error_name: reason".
std::string describe(const hub::receipt& r);

/// The current UTC time as "yymmdd-HHMMSS": the default run id of the scenarios.
std::string utc_run_id();

/// Milliseconds from `t0` to now.
double ms_since(std::chrono::steady_clock::time_point t0);

/// "12 ms" (rounded to whole milliseconds).
std::string ms_text(double ms);

/// Whether `part` occurs in `text`.
bool contains(const std::string& text, const std::string& part);

/// Latency percentiles (nearest rank), in milliseconds.
struct latency_summary {
  size_t samples = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

/// Sorts `ms` in place and summarises it.
latency_summary summarize(std::vector<double>& ms);

nlohmann::ordered_json to_json(const latency_summary& s);

/// "p50 1.23  p90 ...  max 9.87 ms (n samples)"
std::string to_text(const latency_summary& s);

/// Splits "a,b,c" (empty items dropped).
std::vector<std::string> split_list(const std::string& text);

/// The numbered sections and checked outcomes of a readable run (demo, customs):
/// every outcome is one line, "ok" or "FAIL", and the run ends with their count.
class checklist {
public:
  /// "3. title"
  void section(const std::string& title);
  /// "   ok   text" or "   FAIL text"; returns ok.
  bool check(bool ok, const std::string& text);
  /// "        text": context that is not an outcome.
  void note(const std::string& text);
  /// A submit's round trip, summarised at the end.
  void round_trip(double ms) { latencies_.push_back(ms); }
  /// Prints the round trips and the count; 0 if every outcome was the expected one
  /// (and there was at least one), else 1.
  int finish();

private:
  std::vector<double> latencies_;
  size_t sections_ = 0;
  size_t checks_ = 0;
  size_t failures_ = 0;
};

} // namespace sim
