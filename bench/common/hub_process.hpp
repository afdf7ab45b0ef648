#pragma once
// The real swhubd as a child process: a generated config in its own directory, a
// fresh LMDB data dir, stderr captured to a file, stopped with SIGTERM so it logs its
// counters ("stopped: accepted N, duplicates N, rejected N, commits N").

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "adapters/zmq/curve_keys.hpp"

namespace bench {

/// A partner the hub registers (role enterprise) and the bench connects as.
struct bench_party {
  std::string id;
  hub::curve_keypair keys;
  std::string sign_stem; ///< `<stem>.sign.pem` / `.sign.pub.pem`: its signing key pair
  std::string role = "enterprise";
};

struct hub_settings {
  std::string swhubd;       ///< the binary
  std::string dir;          ///< everything of this hub instance goes here
  size_t commit_max_batch = 512;
  size_t commit_interval_us = 500;
  size_t intake_workers = 2;
  size_t caf_threads = 0;   ///< 0: swhubd's default (one per core)
  /// Register the parties' signing keys and require signed declarations, as
  /// config/hub.toml does for enterprises ([signatures.required]).
  bool require_signatures = false;
  std::vector<bench_party> parties;
};

/// The counters swhubd logs when it stops.
struct hub_counters {
  bool found = false; ///< false if the "stopped:" line was missing
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t commits = 0;
  uint64_t busy = 0;        ///< frames the gateway refused with hub_busy (admission control)
  int exit_status = -1;     ///< as from waitpid's WEXITSTATUS, or -signal
  size_t warnings = 0;      ///< "warn" lines in its log
  size_t errors = 0;        ///< "error" lines in its log
  std::string first_problem; ///< the first warn/error line, for the report
};

class hub_process {
public:
  hub_process() = default;
  ~hub_process(); ///< kills a still-running child
  hub_process(const hub_process&) = delete;
  hub_process& operator=(const hub_process&) = delete;

  /// Writes the config, starts swhubd and waits (up to `wait_s`) until it wrote its
  /// endpoint file. Returns an error text (with the tail of its log) or "".
  std::string start(const hub_settings& s, double wait_s = 20);

  /// TOML that start() appends to the generated hub.toml (whose [hub] roles-file names
  /// the source tree's config/roles.toml), before the parties: further tables, e.g.
  /// "[customs]\nconfig = '...'" (swhub-bench-customs).
  void set_extra_toml(std::string toml) { extra_toml_ = std::move(toml); }

  pid_t pid() const { return pid_; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& server_public_key() const { return server_public_key_; }
  const std::string& log_path() const { return log_path_; }
  /// The generated hub.toml (valid after start()).
  const std::string& config_path() const { return config_path_; }

  /// SIGTERM, waits for the exit (SIGKILL after `wait_s`) and parses the log.
  hub_counters stop(double wait_s = 30);

private:
  std::string write_config(const hub_settings& s) const;
  std::string wait_ready(double wait_s);
  std::string log_tail(size_t lines) const;

  pid_t pid_ = -1;
  std::string dir_;
  std::string log_path_;
  std::string config_path_;
  std::string extra_toml_;
  std::string endpoint_file_;
  std::string secret_key_file_;
  std::string endpoint_;
  std::string server_public_key_;
};

/// `count` parties ENT-BENCH-0001... with fresh CURVE keys, also written (for --keep
/// and for `swhub` by hand) under `key_dir` with hub::write_curve_keypair, and fresh
/// ECDSA P-256 signing key pairs (hub::write_signing_keypair) there too.
std::vector<bench_party> make_parties(size_t count, const std::string& key_dir,
                                      std::string& error);

} // namespace bench
