#pragma once
// LMDB implementation of storage and store_reader: one environment under the data
// directory, one named database per table, default (durable) sync mode, never
// MDB_WRITEMAP (a full disk must be an error, not SIGBUS), MDB_NOTLS because CAF
// moves actors between threads.

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/store/evidence.hpp"
#include "actors/store/storage.hpp"

namespace hub {

struct lmdb_options {
  std::string dir;              ///< created if missing
  size_t map_size_mb = 1024;
  unsigned max_readers = 126;
  bool read_only = false;       ///< for tools reading a live or copied database
  checkpoint_policy checkpoints; ///< when to sign the evidence chain head
};

/// The schema version this build writes; a database with another one is refused.
/// Version 2 added the evidence table.
inline constexpr uint32_t storage_schema_version = 2;

class lmdb_storage : public storage, public store_reader {
public:
  /// Opens (creating if needed) the environment and every table, clears stale
  /// reader slots and checks the schema version.
  static caf::expected<std::shared_ptr<lmdb_storage>> open(const lmdb_options& opts);

  ~lmdb_storage() override;
  lmdb_storage(const lmdb_storage&) = delete;
  lmdb_storage& operator=(const lmdb_storage&) = delete;

  caf::expected<batch_result> commit(const write_batch& batch, int64_t hub_time) override;
  caf::expected<bytes> get(std::string_view tbl, const bytes& key) const override;
  caf::error for_each(std::string_view tbl,
                      const std::function<bool(const bytes&, const bytes&)>& fn)
    const override;
  std::map<std::string, uint64_t> counts() const override;

  /// The environment's directory.
  const std::string& dir() const { return dir_; }

  /// Highest document sequence committed so far.
  uint64_t last_sequence() const { return next_seq_ - 1; }
  /// Stale reader slots cleared at open.
  int stale_readers_cleared() const { return stale_cleared_; }
  /// Map size and pages in use, for `swhub db stat`.
  std::map<std::string, uint64_t> env_info() const;

private:
  struct impl;
  explicit lmdb_storage(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
  std::string dir_;
  uint64_t next_seq_ = 1;
  uint64_t next_nid_ = 1;
  int stale_cleared_ = 0;
  uint64_t commits_ = 0;
  // Evidence chain head, and what the next checkpoint waits for.
  uint64_t evidence_index_ = 0;
  bytes evidence_hash_ = bytes(32, 0);
  uint64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  checkpoint_policy checkpoints_;
};

} // namespace hub
