#pragma once
// The real swhub-agency (or another bridge that takes the same connection options, e.g.
// swhub-foreign) as a child process, for integration tests: started against a running
// hub_process with a party's key files, its stderr log (JSON lines) and stdout kept in
// files of the test directory (appended across restarts, so a test can count events
// over several runs), stdin a pipe for bridge mode.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/hub_process.hpp"
#include "tests/support/support.hpp"

namespace hub::test {

/// Writes `<dir>/<party.id>.curve.secret/.pub` and, if it signs, `<party.id>.sign.pem`;
/// returns the key stem for --key.
std::string write_party_key_files(const temp_dir& dir, const test_party& party);

class agency_process {
public:
  /// Starts swhub-agency against `hub` with the key stem `key`, state file `state`
  /// and `args` (e.g. {"--simulate", "--latency-ms", "2000"}). `name` names its log
  /// (`<name>.log`, stderr) and output (`<name>.out`, stdout) in `dir`.
  agency_process(const temp_dir& dir, const hub_process& hub, const std::string& key,
                 const std::string& state, const std::vector<std::string>& args,
                 const std::string& name = "agency",
                 const std::string& program = SWHUB_AGENCY_PATH);
  ~agency_process(); // SIGKILL if still running
  agency_process(const agency_process&) = delete;
  agency_process& operator=(const agency_process&) = delete;

  /// SIGTERM and wait; the exit status (or -1 on timeout, then SIGKILL).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds{20});
  void kill9();
  bool running();
  /// Waits for the process to exit by itself; its exit status, or -1 if it still runs
  /// after `timeout`.
  int wait_exit(std::chrono::milliseconds timeout);

  /// Every event logged so far (stderr JSON lines; other lines are skipped).
  std::vector<nlohmann::json> events() const;
  /// Events named `event` (and about `case_id`, if given).
  size_t count(const std::string& event, const std::string& case_id = "") const;
  /// Waits for an event matching `pred`; FAILs with the log after `limit`.
  nlohmann::json wait_event(const std::function<bool(const nlohmann::json&)>& pred,
                            std::chrono::milliseconds limit, const std::string& what);
  /// Waits for the event `event` (about `case_id`, if given).
  nlohmann::json wait_event(const std::string& event, const std::string& case_id = "",
                            std::chrono::milliseconds limit = std::chrono::seconds{20});

  /// stdout lines (bridge mode), parsed.
  std::vector<nlohmann::json> output() const;
  /// Writes one line to its stdin (bridge mode).
  void write_line(const std::string& line);
  /// Closes its stdin (EOF for bridge mode).
  void close_input();

  std::string log() const;

private:
  const temp_dir& dir_;
  std::string name_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
};

} // namespace hub::test
