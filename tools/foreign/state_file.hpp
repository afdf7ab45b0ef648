#pragma once
// The bridge's durable memory: the batches recorded but not yet receipted by the hub
// (each with its batch id, message id and records), the next batch serial, counters of
// what was receipted and the simulator's progress. One JSON object, rewritten whole
// and atomically (temp file, fsync, rename, fsync of the directory) before the bridge
// acts on it: a batch is in the file before it is sent, and leaves the file (its
// counters go up) once the hub's receipt for it was seen. The file is locked through
// `<state>.lock` (flock) so two bridges cannot share it.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "tools/foreign/aeo_json.hpp"

namespace foreign {

struct pending_batch {
  std::string batch_id;
  hub::bytes message_id; ///< of the foreign.aeo-batch envelope (a resend uses it again)
  std::string data_set;
  bool snapshot = false;
  int64_t recorded_at = 0;
  std::vector<aeo_record> records;
  /// The input line of each record (bridge mode; empty for the simulator's).
  std::vector<size_t> lines;
};

struct state_counters {
  uint64_t batches_receipted = 0;
  uint64_t records_receipted = 0;
  uint64_t batches_refused = 0;
};

class state_file {
public:
  /// Opens `path` (a missing file is an empty state) and locks it; ec::invalid_config
  /// if it cannot be read, locked or parsed.
  static caf::expected<std::unique_ptr<state_file>> open(const std::string& path);
  ~state_file();
  state_file(const state_file&) = delete;
  state_file& operator=(const state_file&) = delete;

  const std::string& path() const { return path_; }
  /// Batches recorded and not receipted, oldest first.
  const std::vector<pending_batch>& pending() const { return pending_; }
  const state_counters& counters() const { return counters_; }
  /// The batch id prefix; chosen when the file is created unless set.
  const std::string& prefix() const { return prefix_; }
  void set_prefix(const std::string& p) { prefix_ = p; }
  /// The simulator's progress (null: none yet).
  const nlohmann::json& simulation() const { return sim_; }

  /// Records `batches` (their ids taken with take_batch_id()) and, if not null, the
  /// simulator's progress, in one atomic write; only then may they be sent.
  caf::error record_batches(std::vector<pending_batch> batches,
                            const nlohmann::json& sim = nullptr);
  /// The id for a new batch, `<prefix>-<serial>` (durable with record_batches).
  std::string take_batch_id();
  /// The hub answered batch `batch_id` (refused: definitively): it leaves the file.
  caf::error record_receipted(const std::string& batch_id, bool refused);
  /// Batch `batch_id` is replaced by `batches` (ids from take_batch_id(), new message
  /// ids: a part of it, or it split in two) in one atomic write. `refused`: the batch
  /// counts as refused.
  caf::error replace_batch(const std::string& batch_id, std::vector<pending_batch> batches,
                           bool refused);

private:
  state_file(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}
  caf::error load();
  caf::error save();

  std::string path_;
  int lock_fd_ = -1;
  std::string prefix_;
  uint64_t next_serial_ = 1;
  state_counters counters_;
  nlohmann::json sim_;
  std::vector<pending_batch> pending_;
};

} // namespace foreign
