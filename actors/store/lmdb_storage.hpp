#pragma once
// LMDB implementation of storage and store_reader: one environment under the data
// directory, one named database per table, default (durable) sync mode, never
// MDB_WRITEMAP (a full disk must be an error, not SIGBUS), MDB_NOTLS because CAF
// moves actors between threads. After a failed write it tells when writes work again
// (probe), reopening the environment if LMDB declared it unusable (MDB_PANIC).

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/store/evidence.hpp"
#include "actors/store/storage.hpp"
#include "actors/store/write_errors.hpp"

namespace hub {

struct lmdb_options {
  std::string dir;              ///< created if missing
  size_t map_size_mb = 1024;
  unsigned max_readers = 126;
  bool read_only = false;       ///< for tools reading a live or copied database
  checkpoint_policy checkpoints; ///< when to sign the evidence chain head
  /// Free space (disk, and map after MDB_MAP_FULL) below which a write error counts as
  /// "full" and a probe does not resume writing; the failed batch's size if larger.
  size_t min_free_bytes = size_t{1} << 20;
};

/// The schema version this build writes; a database with another one is refused.
/// Version 2 added the evidence table; version 3 prefixes module tables with the
/// module's name ("customs.cases"); a version-2 directory is moved over at open.
inline constexpr uint32_t storage_schema_version = 3;

class lmdb_storage : public storage, public store_reader {
public:
  /// Opens (creating if needed) the environment and every table, clears stale
  /// reader slots and checks the schema version.
  static caf::expected<std::shared_ptr<lmdb_storage>> open(const lmdb_options& opts);

  ~lmdb_storage() override;
  lmdb_storage(const lmdb_storage&) = delete;
  lmdb_storage& operator=(const lmdb_storage&) = delete;

  caf::expected<batch_result> commit(const write_batch& batch, int64_t hub_time) override;
  caf::error probe() override;
  caf::expected<bytes> get(std::string_view tbl, const bytes& key) const override;
  caf::error for_each(std::string_view tbl,
                      const std::function<bool(const bytes&, const bytes&)>& fn)
    const override;
  std::map<std::string, uint64_t> counts() const override;

  /// The environment's directory.
  const std::string& dir() const { return opts_.dir; }

  /// Highest document sequence committed so far.
  uint64_t last_sequence() const { return next_seq_ - 1; }
  /// Stale reader slots cleared at open.
  int stale_readers_cleared() const { return stale_cleared_; }
  /// Rows moved at open from a schema-version-2 directory into module tables.
  uint64_t migrated_rows() const { return migrated_rows_; }
  /// Map size and pages in use, for `swhub db stat`.
  std::map<std::string, uint64_t> env_info() const;

  /// Times the environment was reopened after MDB_PANIC.
  int reopens() const { return reopens_; }

private:
  struct impl;
  struct heads; // the counters and chain head read from the environment
  explicit lmdb_storage(std::unique_ptr<impl> p);
  static caf::expected<heads> open_env(impl& p, const lmdb_options& opts);
  void adopt(const heads& h);
  /// Closes and reopens the environment (no reader may be inside it meanwhile).
  caf::error reopen();
  /// The error for `rc` in `op` during a write of about `needed` bytes; remembers it.
  caf::error fail(const char* op, int rc, int64_t needed);
  std::unique_ptr<impl> impl_;
  lmdb_options opts_;
  uint64_t next_seq_ = 1;
  uint64_t next_nid_ = 1;
  int stale_cleared_ = 0;
  uint64_t migrated_rows_ = 0;
  uint64_t commits_ = 0;
  // Evidence chain head, and what the next checkpoint waits for.
  uint64_t evidence_index_ = 0;
  bytes evidence_hash_ = bytes(32, 0);
  uint64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  checkpoint_policy checkpoints_;
  // The last failed write, for probe().
  write_failure failure_ = write_failure::none;
  int64_t failed_bytes_ = 0;
  int reopens_ = 0;
};

} // namespace hub
